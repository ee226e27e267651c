"""Track a pretraining in MLflow, register it, and embed new data with ``models:/<name>@champion``.

    python examples/registered_model.py  [tracking store: ./examples-mlflow.db]

The same as the shell commands

    tscl pretrain --config ts2vec dataset=ECG200 --evaluate tracking.uri=sqlite:///examples-mlflow.db
    tscl register --best cv_score --name ecg200-encoder --tracking-uri sqlite:///examples-mlflow.db
    tscl embed --model models:/ecg200-encoder@champion --input new.ts --output emb.parquet
"""

import os
from pathlib import Path

import mlflow

from tscl.cli import main as tscl
from tscl.data import load_dataset

STEPS = os.environ.get("TSCL_EXAMPLE_STEPS", "200")
store = f"sqlite:///{Path('examples-mlflow.db').resolve()}"
os.environ["MLFLOW_TRACKING_URI"] = store  # tscl and mlflow both use it

status = tscl(
    [
        "pretrain",
        "--config",
        "ts2vec",
        "dataset=ECG200",
        f"train.max_steps={STEPS}",
        "--evaluate",
    ]
)
assert status == 0, "pretraining failed"
# Promote by a validation score (never a test one): cv_score is the probe's cross-validation on train.
assert tscl(["register", "--best", "cv_score", "--name", "ecg200-encoder"]) == 0

encoder = mlflow.pyfunc.load_model("models:/ecg200-encoder@champion")
X_train, y_train, X_test, y_test = load_dataset("ECG200")
Z = encoder.predict(X_test[:5])  # (5, T, C) in, one embedding per series out
print("embeddings of 5 test series:", Z.shape)
