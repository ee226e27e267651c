"""Off a terminal (nohup, CI): a pretraining prints a progress line at least every 30 s; bad input anywhere is one line."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tscl.cli import main


@pytest.mark.parametrize(
    "argv",
    [
        ["pretrain", "--evaluate", "method=bogus"],
        ["pretrain", "dataset=ECG200", "--evaluate", "train.batch_size=0"],
        ["pretrain", "--config", "ts2vec", "--evaluate", "encoder=bogus"],
    ],
)
def test_a_bad_name_or_value_after_a_flag_is_one_line_and_leaves_nothing(
    argv: list[str], cli_workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {p.name for p in cli_workspace.iterdir()}
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("tscl: error:")
    assert {p.name for p in cli_workspace.iterdir()} == before  # no runs/, no mlflow.db


@pytest.mark.slow
def test_pretraining_under_nohup_prints_a_line_at_least_every_30_s(
    cli_workspace: Path,
) -> None:
    command = [
        sys.executable,
        "-m",
        "tscl",
        "pretrain",
        "dataset=ECG200",
        "train.max_steps=150",
        "tracking.enabled=false",
    ]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        command,
        cwd=cli_workspace,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    stamps, lines = [], []
    for line in process.stdout:  # not a terminal: plain lines, as under nohup
        stamps.append(time.monotonic())
        lines.append(line.rstrip())
    assert process.wait() == 0, "\n".join(lines[-20:])
    progress = [i for i, line in enumerate(lines) if line.startswith("pretrain step ")]
    assert any(line.startswith("pretraining on cpu:") for line in lines)
    assert progress and lines[progress[-1]].startswith("pretrain step 150/150")
    first = next(i for i, line in enumerate(lines) if line.startswith("pretraining on"))
    gaps = [b - a for a, b in zip(stamps[first:], stamps[first + 1 :], strict=False)]
    assert max(gaps) <= 30.0, max(gaps)
