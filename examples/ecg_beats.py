"""Embed MIT-BIH heartbeats and classify them on patients the encoder and the probe never saw.

    python examples/ecg_beats.py

The ECG domain reads the records (notch, baseline removal, band-pass), cuts a window around every
annotated R peak with 4 RR-interval channels, and splits train / validation / test *by patient*.
Only DS1 records are used (record 100 and the other DS2 records are kept for independent scoring).
"""

import os

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import classification_report, f1_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from tscl import ContrastiveEncoder
from tscl.data import load_dataset

STEPS = int(os.environ.get("TSCL_EXAMPLE_STEPS", "300"))
# Ten DS1 patients (TSCL_EXAMPLE_RECORDS narrows it, e.g. in the test suite).
DS1_SUBSET = os.environ.get(
    "TSCL_EXAMPLE_RECORDS", "101,106,109,118,201,207,209,215,220,223"
).split(",")

beats = load_dataset("mitdb", domain="ecg", records=DS1_SUBSET)
print(
    "windows (N, T, C):",
    beats.X_train.shape,
    "patients:",
    sorted(set(beats.ids_train["subject"])),
)
model = ContrastiveEncoder(n_iters=STEPS, random_state=0).fit(beats.X_train)

probe = make_pipeline(
    StandardScaler(), LogisticRegression(class_weight="balanced", max_iter=2000)
)
probe.fit(model.transform(beats.X_train), beats.y_train)
# Choose nothing on the test patients: the validation patients are there for that.
val_f1 = f1_score(
    beats.y_val, probe.predict(model.transform(beats.X_val)), average="macro"
)
predicted = probe.predict(model.transform(beats.X_test))
present = np.unique(np.concatenate([beats.y_test, predicted]))
print(
    f"validation macro-F1 {val_f1:.3f}; test patients {sorted(set(beats.ids_test['subject']))}:"
)
print(
    classification_report(
        beats.y_test,
        predicted,
        labels=present,
        target_names=[beats.class_names[i] for i in present],
        zero_division=0,
    )
)
