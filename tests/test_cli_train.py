"""The pretrain -> evaluate -> register -> embed path through the real CLI, MLflow and data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tscl.cli import main


@pytest.fixture()
def workspace(cli_workspace: Path) -> Path:
    return cli_workspace


def test_pretrain_evaluate_register_embed(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = workspace / "runs" / "r1"
    uri = f"sqlite:///{workspace}/mlflow.db"
    code = main(
        [
            "pretrain",
            "--config",
            "ts2vec",
            "dataset=ECG200",
            "train.max_steps=15",
            "train.progress=false",
            "train.log_every=1",
            f"tracking.uri={uri}",
            "--run-dir",
            str(run_dir),
            "--evaluate",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "test accuracy:" in out and "svm protocol" in out
    assert (run_dir / "encoder.pt").is_file() and (run_dir / "checkpoint.pt").is_file()

    # the leave-patients-out protocol pretrains per fold: only `tscl pretrain` runs it
    assert (
        main(
            [
                "evaluate",
                "--run",
                str(run_dir),
                "eval.protocol=patient_cv",
                f"tracking.uri={uri}",
            ]
        )  # fmt: skip
        == 2
    )
    assert "tscl pretrain" in capsys.readouterr().err
    assert main(["evaluate", "--run", str(run_dir), f"tracking.uri={uri}"]) == 0
    accuracy = [
        line for line in capsys.readouterr().out.splitlines() if "test accuracy" in line
    ]
    assert len(accuracy) == 1 and 0.5 < float(accuracy[0].split()[-1]) <= 1.0

    import mlflow

    mlflow.set_tracking_uri(uri)
    runs = mlflow.search_runs(experiment_names=["tscl"], output_format="list")
    pretrain_run = next(r for r in runs if r.data.tags.get("tscl.kind") != "evaluate")
    assert pretrain_run.info.status == "FINISHED"
    assert pretrain_run.data.params["train.max_steps"] == "15"
    assert (
        "test_accuracy" in pretrain_run.data.metrics
        and "cv_score" in pretrain_run.data.metrics
    )
    history = mlflow.tracking.MlflowClient(uri).get_metric_history(
        pretrain_run.info.run_id, "loss"
    )
    assert [m.step for m in history] == list(range(1, 16))
    client = mlflow.tracking.MlflowClient(uri)
    artifacts = {a.path for a in client.list_artifacts(pretrain_run.info.run_id)}
    artifacts |= {
        a.path for a in client.list_artifacts(pretrain_run.info.run_id, "figures")
    }
    assert {"config.yaml", "model_card.md", "data_files.json"} <= artifacts
    assert {"figures/loss_curves.png", "figures/embedding_map.png"} <= artifacts
    assert (
        pretrain_run.data.tags["tscl.data.files"] == "2"
    )  # ECG200 train + test, hashed

    assert (
        main(
            [
                "register",
                "--best",
                "cv_score",
                "--name",
                "ecg200-encoder",
                "--tracking-uri",
                uri,
            ]
        )
        == 0
    )
    output = workspace / "emb.parquet"
    series = Path(workspace / "cache" / "ECG200" / "ECG200_TEST.ts")
    # A fresh process loads the champion and embeds new series, with the recorded preprocessing.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tscl",
            "embed",
            "--model",
            "models:/ecg200-encoder@champion",
            "--input",
            str(series),
            "--output",
            str(output),
            "--tracking-uri",
            uri,
        ],
        capture_output=True,
        text=True,
        cwd=workspace,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr  # ECG200 series keep the input contract
    table = pd.read_parquet(output)
    assert len(table) == 100 and len(table["embedding"][0]) == 320

    # Series longer than ECG200's 96 samples: embedded, with one line on stderr.
    longer = workspace / "longer.npy"
    np.save(longer, np.zeros((2, 200), dtype=np.float32))
    capsys.readouterr()
    argv = ["embed", "--model", "models:/ecg200-encoder@champion", "--input"]
    argv += [str(longer), "--output", str(output), "--tracking-uri", uri]
    assert main(argv) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert [line for line in err if line.startswith("warning:")] == [
        f"warning: {longer}: series of 200 samples, not 96 samples as the encoder "
        "was trained on; its embeddings of this input were never validated"
    ]


def test_bad_key_fails_before_training(workspace: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tscl",
            "pretrain",
            "dataset=ECG200",
            "train.max_step=5",
        ],
        capture_output=True,
        text=True,
        cwd=workspace,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "train.max_step" in result.stderr
    assert not (workspace / "runs").exists()


def test_unreachable_tracking_server_fails_before_training(workspace: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tscl",
            "pretrain",
            "--config",
            "tiny",
            "dataset=ECG200",
            "tracking.uri=http://127.0.0.1:9",
        ],
        capture_output=True,
        text=True,
        cwd=workspace,
        timeout=120,
    )
    assert result.returncode == 2 and "unreachable" in result.stderr
    assert not list(workspace.glob("runs/*/checkpoint.pt"))
