"""The scripts in examples/ run as a user runs them (iterations capped by TSCL_EXAMPLE_STEPS)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run_example(name: str, workspace: Path, **env: str) -> str:
    environment = {
        **os.environ,
        "TSCL_EXAMPLE_STEPS": "3",
        "PYTHONPATH": str(EXAMPLES.parent),
        "PYTHONWARNINGS": "ignore",
        **env,
    }
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        cwd=workspace,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_every_example_has_a_test() -> None:
    tested = {
        "ucr_classification.py",
        "ecg_beats.py",
        "forecasting.py",
        "registered_model.py",
    }
    assert {p.name for p in EXAMPLES.glob("*.py")} == tested


def test_ucr_classification(cli_workspace: Path) -> None:
    out = run_example("ucr_classification.py", cli_workspace)
    assert "embedding + logistic probe: accuracy" in out and "1-NN on raw series" in out


@pytest.mark.slow
def test_ecg_beats(cli_workspace: Path) -> None:
    out = run_example("ecg_beats.py", cli_workspace, TSCL_EXAMPLE_RECORDS="101,106,109")
    assert "validation macro-F1" in out and "macro avg" in out


@pytest.mark.slow
def test_forecasting(cli_workspace: Path) -> None:
    out = run_example("forecasting.py", cli_workspace)
    assert "embedding + ridge test MSE" in out and "last value        test MSE" in out


@pytest.mark.slow
def test_registered_model(cli_workspace: Path) -> None:
    out = run_example("registered_model.py", cli_workspace)
    assert "embeddings of 5 test series: (5, 320)" in out
    assert (cli_workspace / "examples-mlflow.db").is_file()
