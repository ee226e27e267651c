"""Every command the README shows runs as written (training capped at two steps), in a fresh folder.

The README's own files (``my_records/``, ``new.ts``, ``load.csv``...) are copies of shared data made
here, and ``runs/<run>`` is the run folder an earlier command wrote.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from tscl.cli import main, parse_args

ROOT = Path(__file__).resolve().parents[2]
CAPS = ["train.max_steps=2", "train.progress=false"]
# Shown in the README but exercised elsewhere, each for a reason.
NOT_RUN_HERE = {
    "tscl sweep": "a sweep's trials are covered by tests/test_sweep.py (real local Ray)",
    "tscl predict --model models:/ecg-encoder": "the beat classifier make experiment "
    "registers: tests/domains/ecg/test_ecg_beat_classifier.py runs the same path",
    "tscl embed --model models:/ecg-encoder": "the same registered model (above)",
}


def readme_commands() -> list[str]:
    """The ``tscl ...`` lines of the README's bash blocks, comments removed."""
    text = (ROOT / "README.md").read_text()
    lines = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            command = line.split("  #")[0].split(" # ")[0].strip()
            if command.startswith("tscl "):
                lines.append(command)
    return lines


def user_files(data_dir: Path, folder: Path) -> None:
    """The files the README's own-data commands name, copied from the shared data."""
    mitdb = data_dir / "ecg" / "wfdb" / "mitdb"
    (folder / "my_records").mkdir()
    for record in ("101", "106", "118", "119", "203", "208"):  # DS1 records only
        for ext in ("hea", "dat", "atr"):
            shutil.copy(mitdb / f"{record}.{ext}", folder / "my_records")
    for subject in ("S001", "S002", "S003", "S004", "S005"):
        (folder / "my_eeg" / subject).mkdir(parents=True)
        for run in ("R01", "R02"):
            source = data_dir / "eeg" / "eegmmidb" / subject / f"{subject}{run}.edf"
            shutil.copy(source, folder / "my_eeg" / subject)
    ucr = data_dir / "ucr" / "ECG200"
    shutil.copy(ucr / "ECG200_TRAIN.ts", folder / "Mine_TRAIN.ts")
    shutil.copy(ucr / "ECG200_TEST.ts", folder / "Mine_TEST.ts")
    shutil.copy(ucr / "ECG200_TEST.ts", folder / "new.ts")
    shutil.copy(
        data_dir / "forecasting" / "ETT-small" / "ETTh2.csv", folder / "load.csv"
    )
    shutil.copytree(
        data_dir / "event_sequences" / "bpi2011_hospital_log", folder / "log"
    )
    # plant.csv: a user's series with its own column names (ETTh1's hours, renamed)
    ett = pd.read_csv(data_dir / "forecasting" / "ETT-small" / "ETTh1.csv")
    ett.rename(columns={"date": "timestamp", "OT": "temp"})[
        ["timestamp", "temp"]
    ].to_csv(folder / "plant.csv", index=False)


def latest_run_id(store: str) -> str:
    """The id of the newest run in the tracking store (the README's ``RUN``)."""
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=store)
    experiments = [e.experiment_id for e in client.search_experiments()]
    runs = client.search_runs(experiments, order_by=["attributes.start_time DESC"])
    return runs[0].info.run_id


def test_the_readme_shows_commands() -> None:
    commands = readme_commands()
    assert any(c.startswith("tscl pretrain") for c in commands)
    assert any(c.startswith("tscl embed") for c in commands)


def test_make_experiment_takes_overrides_in_args() -> None:
    made = subprocess.run(
        ["make", "-n", "experiment", "ARGS=train.seed=1 train.max_steps=2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(x for x in made.splitlines() if " pretrain " in x)
    argv = shlex.split(line)
    args = parse_args(argv[argv.index("pretrain") :])
    assert args.evaluate and args.overrides[-2:] == [
        "train.seed=1",
        "train.max_steps=2",
    ]


@pytest.mark.slow
def test_every_readme_command_runs(
    data_dir: Path, cli_workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_files(data_dir, cli_workspace)
    store = f"sqlite:///{cli_workspace / 'mlflow.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", store)
    failed = []
    for command in readme_commands():
        if any(command.startswith(prefix) for prefix in NOT_RUN_HERE):
            continue
        argv = shlex.split(command.replace(" [--resume]", ""))[1:]
        if "runs/<run>" in command:
            run = sorted((cli_workspace / "runs").iterdir())[0]
            argv = [str(run) if a == "runs/<run>" else a for a in argv]
        if "RUN" in argv:
            argv = [latest_run_id(store) if a == "RUN" else a for a in argv]
        if argv[0] == "pretrain":
            argv += CAPS
        if argv[:2] == ["data", "fetch"]:
            argv = [str(data_dir) if a == "../shared/data" else a for a in argv]
        if main(argv) != 0:
            failed.append(command)
    assert not failed, f"README commands that failed: {failed}"
