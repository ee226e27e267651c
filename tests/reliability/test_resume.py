"""Issue 14, acceptance 2 (and 1 for resume): honest resume of a killed pretraining.

A real ``tscl pretrain`` process is killed with SIGKILL at a random step and
resumed: the final weights equal an uninterrupted run's bit for bit (CPU, one
thread, same seed), in the same MLflow run with each step logged once. A
checkpoint torn mid-write is never picked up; a resume may change only
runtime settings, and those it records.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from mlflow.tracking import MlflowClient
from reliability_helpers import cli_env, one_line_error, plant

from tscl.cli import main
from tscl.config import load_config, to_yaml
from tscl.errors import ConfigError, TsclError
from tscl.track.run_record import DIED_TAG, RECORD_NAME, RESUMED_TAG, read_record
from tscl.train.checkpoint import load_checkpoint, save_checkpoint
from tscl.train.resume import check_resume

STEPS = 40
TINY = [
    "--config",
    "tiny",
    f"train.max_steps={STEPS}",
    "train.checkpoint_every=1",
    "train.log_every=1",
    "train.num_threads=1",
    "train.device=cpu",
]


def fake_checkpoint(path: Path, overrides: list[str], step: int = 5) -> Path:
    """A checkpoint holding a run config (what ``check_resume`` reads)."""
    config = load_config("tiny", overrides)
    state = {"method": {}, "optimizers": {}, "schedulers": {}, "source": {}}
    state.update(rng={}, step=step, config=to_yaml(config))
    return save_checkpoint(path, state)


def test_resume_refuses_model_and_data_changes_naming_the_keys(tmp_path: Path) -> None:
    path = fake_checkpoint(tmp_path / "checkpoint.pt", [])
    changed = load_config("tiny", ["encoder.params.depth=5", "dataset=GunPoint"])
    with pytest.raises(ConfigError, match="dataset, encoder.params.depth") as info:
        check_resume(path, changed)
    assert "\n" not in str(info.value)


def test_resume_refuses_an_lr_change_rather_than_record_it_unused(
    tmp_path: Path,
) -> None:
    path = fake_checkpoint(tmp_path / "checkpoint.pt", [])
    with pytest.raises(ConfigError, match=r"train.lr \(0.001 -> 0.05\)"):
        check_resume(path, load_config("tiny", ["train.lr=0.05"]))


def test_resume_applies_and_reports_runtime_changes(tmp_path: Path) -> None:
    path = fake_checkpoint(tmp_path / "checkpoint.pt", [], step=7)
    step, changes = check_resume(
        path, load_config("tiny", ["train.max_steps=60", "train.log_every=3"])
    )
    assert step == 7
    assert changes == {"train.log_every": (10, 3), "train.max_steps": (20, 60)}


def test_a_write_killed_midway_leaves_the_previous_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = fake_checkpoint(tmp_path / "checkpoint.pt", [], step=3)

    def torn_save(state: object, file: object) -> None:
        file.write(b"PK\x03\x04 half a zip")  # type: ignore[attr-defined]
        raise KeyboardInterrupt  # the process is stopped mid-write

    monkeypatch.setattr(torch, "save", torn_save)
    with pytest.raises(KeyboardInterrupt):
        fake_checkpoint(path, [], step=4)
    monkeypatch.undo()
    assert load_checkpoint(path)["step"] == 3
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint.pt"]


def test_a_truncated_checkpoint_is_refused_in_one_line(tmp_path: Path) -> None:
    path = fake_checkpoint(tmp_path / "checkpoint.pt", [])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(TsclError, match="not a readable tscl checkpoint") as info:
        load_checkpoint(path)
    assert "\n" not in str(info.value)


def test_resume_from_a_planted_checkpoint_runs_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    marker = tmp_path / "marker"
    run_dir = tmp_path / "run"
    plant(run_dir / "checkpoint.pt", marker, {"step": 3, "config": ""})
    for extra in ([], ["--config", "tiny"]):
        code = main(["pretrain", "--run-dir", str(run_dir), "--resume", *extra])
        line = one_line_error(capsys.readouterr().err)
        assert code == 2 and "refused" in line and "checkpoint.pt" in line
        assert "posix.system" in line
    assert not marker.exists()
    assert sorted(p.name for p in run_dir.iterdir()) == ["checkpoint.pt"]


def start(workspace: Path, data_dir: Path, name: str) -> subprocess.Popen[str]:
    store = f"tracking.uri=sqlite:///{workspace / name / 'mlflow.db'}"
    return subprocess.Popen(
        [sys.executable, "-m", "tscl", "pretrain", *TINY, store, "--run-dir", name],
        cwd=workspace,
        env=cli_env(workspace, data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def checkpoint_step(path: Path) -> int:
    try:
        return int(load_checkpoint(path)["step"])
    except TsclError:
        return 0


def loss_history(workspace: Path, name: str) -> tuple[str, dict[int, list[float]]]:
    client = MlflowClient(f"sqlite:///{workspace / name / 'mlflow.db'}")
    (run,) = client.search_runs([client.get_experiment_by_name("tscl").experiment_id])
    steps: dict[int, list[float]] = {}
    for metric in client.get_metric_history(run.info.run_id, "loss"):
        steps.setdefault(metric.step, []).append(metric.value)
    assert run.info.status == "FINISHED"
    return run.info.run_id, steps


@pytest.mark.slow
def test_sigkilled_pretraining_resumes_bit_identically_in_the_same_run(
    tmp_path: Path, data_dir: Path
) -> None:
    kill_at = random.randint(3, STEPS - 10)
    straight = start(tmp_path, data_dir, "straight")
    killed = start(tmp_path, data_dir, "killed")
    checkpoint = tmp_path / "killed" / "checkpoint.pt"
    deadline = time.monotonic() + 400
    while checkpoint_step(checkpoint) < kill_at and time.monotonic() < deadline:
        assert killed.poll() is None, killed.stdout.read() if killed.stdout else ""
        time.sleep(0.02)
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait()
    stopped_at = load_checkpoint(checkpoint)["step"]
    assert killed.returncode == -signal.SIGKILL and stopped_at < STEPS, kill_at
    assert not (tmp_path / "killed" / "encoder.pt").exists()
    first_id = read_record(tmp_path / "killed")["run_id"]  # type: ignore[index]

    resumed = subprocess.run(
        [sys.executable, "-m", "tscl", "pretrain", "--run-dir", "killed", "--resume"],
        cwd=tmp_path,
        env=cli_env(tmp_path, data_dir),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert straight.wait(timeout=600) == 0, straight.stdout.read()  # type: ignore[union-attr]

    a = torch.load(tmp_path / "straight" / "encoder.pt", weights_only=True)
    b = torch.load(tmp_path / "killed" / "encoder.pt", weights_only=True)
    assert a["encoder"].keys() == b["encoder"].keys()
    for key, value in a["encoder"].items():
        assert torch.equal(value, b["encoder"][key]), (key, kill_at)
    run_id, resumed_steps = loss_history(tmp_path, "killed")
    _, straight_steps = loss_history(tmp_path, "straight")
    assert run_id == first_id  # the same MLflow run, continued
    assert sorted(resumed_steps) == list(range(1, STEPS + 1))  # each step once
    assert resumed_steps == straight_steps  # the same losses at every step
    client = MlflowClient(f"sqlite:///{tmp_path / 'killed' / 'mlflow.db'}")
    tags = client.get_run(run_id).data.tags
    assert DIED_TAG in tags and int(tags[RESUMED_TAG]) == stopped_at
    assert (tmp_path / "killed" / RECORD_NAME).is_file()
