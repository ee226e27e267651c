"""The ECG beat classifier end to end: patient CV run, figures, registry, tscl predict on record 100.

Real MIT-BIH DS1 records train (a few of them, a few steps: this checks the
path, not the score); record 100 (DS2) is only predicted, as it is and as a
copy without its ``.atr`` (beats detected).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from tscl.cli import main

RECORDS = "data.options.records=[118,119,209,220]"  # S and V beats, 4 patients


@pytest.fixture()
def workspace(cli_workspace: Path) -> Path:
    return cli_workspace


@pytest.mark.slow  # 5 trainings and XQRS on record 100: about 2 minutes on 2 quiet cores
def test_patient_cv_run_registers_a_classifier_that_predicts_beats(
    workspace: Path, mitdb: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    uri = f"sqlite:///{workspace}/mlflow.db"
    run_dir = workspace / "runs" / "ecg"
    code = main(
        [
            "pretrain",
            "--config",
            "ecg",
            RECORDS,
            "eval.folds=2",
            "eval.label_fractions=[0.1,1.0]",
            "eval.label_seeds=[0]",
            "train.max_steps=3",
            "train.progress=false",
            "encoder.params.hidden_dims=8",
            "encoder.params.depth=2",
            f"tracking.uri={uri}",
            "--run-dir",
            str(run_dir),
            "--evaluate",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "leave-patients-out CV" in out and "10% labels" in out
    assert "S Se" in out and "macro-F1 NSV" in out

    import mlflow

    client = mlflow.tracking.MlflowClient(uri)
    (run,) = client.search_runs([client.get_experiment_by_name("tscl").experiment_id])
    metrics = run.data.metrics
    for name in ("cv_macro_f1_10", "cv_macro_f1_nsv_10", "cv_sensitivity_S_10",
                 "cv_ppv_S_10", "cv_accuracy_100", "val_macro_f1"):  # fmt: skip
        assert name in metrics, name
    assert metrics["val_macro_f1"] == metrics["cv_macro_f1_10"]
    figures = {a.path for a in client.list_artifacts(run.info.run_id, "figures")}
    assert {"figures/confusion_matrix.png", "figures/predicted_strip.png"} <= figures

    assert main(["register", "--run-id", run.info.run_id, "--name", "ecg-beats",
                 "--tracking-uri", uri]) == 0  # fmt: skip
    capsys.readouterr()
    annotated = workspace / "pred100.csv"
    assert main(["predict", "--model", "models:/ecg-beats@champion", "--input",
                 str(mitdb / "100"), "--output", str(annotated), "--figure",
                 str(workspace / "strip.png"), "--tracking-uri", uri]) == 0  # fmt: skip
    table = pd.read_csv(annotated)
    assert {"sample", "label", "predicted", "p_N", "p_S", "p_V"} <= set(table.columns)
    assert len(table) > 2200 and set(table["predicted"]) <= {"N", "S", "V", "F", "Q"}
    probabilities = table.filter(like="p_").sum(axis=1)
    assert ((probabilities - 1).abs() < 1e-4).all()
    assert (workspace / "strip.png").stat().st_size > 10_000

    bare = workspace / "no_atr"
    bare.mkdir()
    for suffix in (".hea", ".dat"):
        shutil.copy(mitdb / f"100{suffix}", bare / f"100{suffix}")
    detected = workspace / "pred100_detected.parquet"
    assert main(["predict", "--model", "models:/ecg-beats@champion", "--input",
                 str(bare / "100"), "--output", str(detected), "--tracking-uri",
                 uri]) == 0  # fmt: skip
    found = pd.read_parquet(detected)
    assert abs(len(found) - len(table)) < 60 and found["label"].isna().all()
    assert "predicted" in found and found["p_N"].between(0, 1).all()


@pytest.mark.slow
def test_predict_refuses_a_model_without_a_classifier(
    workspace: Path, mitdb: Path
) -> None:
    uri = f"sqlite:///{workspace}/mlflow.db"
    assert main(["pretrain", "--config", "ecg", RECORDS, "eval.protocol=holdout",
                 "data.val_fraction=0.25", "data.test_fraction=0.25",
                 "train.max_steps=2", "train.progress=false",
                 "encoder.params.hidden_dims=8", "encoder.params.depth=2",
                 f"tracking.uri={uri}"]) == 0  # fmt: skip
    import mlflow

    client = mlflow.tracking.MlflowClient(uri)
    (run,) = client.search_runs([client.get_experiment_by_name("tscl").experiment_id])
    assert main(["register", "--run-id", run.info.run_id, "--name", "plain",
                 "--tracking-uri", uri]) == 0  # fmt: skip
    code = main(["predict", "--model", "models:/plain@champion", "--input",
                 str(mitdb / "100"), "--output", str(workspace / "p.csv"),
                 "--tracking-uri", uri])  # fmt: skip
    assert code != 0 and not (workspace / "p.csv").exists()
