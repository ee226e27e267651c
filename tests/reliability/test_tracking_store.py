"""Issue 14, acceptance 4: tracking-store faults give one line within seconds; a new store takes two runs at once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient
from reliability_helpers import cli_env, one_line_error

from tscl.errors import TsclError
from tscl.track import store
from tscl.track.store import prepare_store

# Timed inside the child, after its imports: how long tscl takes to give up on the store.
# Root ignores file modes, so a root child drops to nobody once its imports are done
# (the interpreter lives in root's private home).
TIMED_PRETRAIN = """
import os, sys, time
import mlflow, tscl.track.run_record, tscl.track.store, tscl.train.resume
import tscl.train.run_folder
from tscl.cli import main
from tscl.config import load_config
from tscl.train.build import check_config
from tscl.train.run import load_data
check_config(load_config("tiny"))  # the probes and registries imported
load_data(load_config("tiny"))  # the data readers imported, the cache filled
if os.geteuid() == 0:
    os.setgid(65534)
    os.setuid(65534)
start = time.perf_counter()
code = main(sys.argv[1:])
print(f"seconds={time.perf_counter() - start:.2f}", file=sys.stderr)
sys.exit(code)
"""


@pytest.fixture()
def shared_workspace() -> Iterator[Path]:
    """A folder another user can work in (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="tscl-store-"))
    folder.chmod(0o777)
    yield folder
    for path in sorted(folder.rglob("*"), reverse=True):
        path.chmod(0o777)
    subprocess.run(["rm", "-rf", str(folder)], check=False)


@pytest.mark.slow
def test_an_unwritable_store_folder_fails_in_one_line_within_seconds(
    shared_workspace: Path, data_dir: Path
) -> None:
    locked = shared_workspace / "store"
    locked.mkdir()
    locked.chmod(0o555)  # no one but root may write here
    uri = f"sqlite:///{locked / 'mlflow.db'}"
    done = subprocess.run(
        [sys.executable, "-c", TIMED_PRETRAIN, "pretrain", "--config", "tiny"]
        + [f"tracking.uri={uri}", "--run-dir", "run"],
        cwd=shared_workspace,
        env=cli_env(shared_workspace, data_dir),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    *errors, timing = done.stderr.strip().splitlines()
    line = one_line_error("\n".join(errors))
    assert done.returncode == 2
    assert uri in line and "cannot write" in line
    assert float(timing.removeprefix("seconds=")) < 10
    assert not (shared_workspace / "run").exists()  # nothing partial
    assert list(locked.iterdir()) == []


def test_a_locked_store_fails_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    prepare_store(uri)
    holder = sqlite3.connect(tmp_path / "mlflow.db")
    holder.execute("BEGIN EXCLUSIVE")  # another process mid-write, for too long
    monkeypatch.setattr(store, "WRITE_TIMEOUT_S", 0.5)
    started = time.perf_counter()
    with pytest.raises(TsclError, match="database is locked") as info:
        prepare_store(uri)
    assert time.perf_counter() - started < 5 and "\n" not in str(info.value)
    holder.rollback()
    prepare_store(uri)  # free again


def test_a_new_store_gets_its_schema_once(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'new' / 'mlflow.db'}"
    prepare_store(uri)
    prepare_store(uri)  # idempotent
    assert [e.name for e in MlflowClient(uri).search_experiments()] == ["Default"]


@pytest.mark.slow
def test_two_pretrainings_started_together_on_a_new_store_both_finish(
    tmp_path: Path, data_dir: Path
) -> None:
    uri = f"sqlite:///{tmp_path / 'store' / 'mlflow.db'}"
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "tscl", "pretrain", "--config", "tiny"]
            + ["train.max_steps=5", f"tracking.uri={uri}", "--run-dir", name],
            cwd=tmp_path,
            env=cli_env(tmp_path, data_dir),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name in ("a", "b")
    ]
    outputs = [child.communicate(timeout=600)[0] for child in children]
    for child, output in zip(children, outputs, strict=True):
        assert child.returncode == 0, output[-3000:]
    client = MlflowClient(uri)
    runs = client.search_runs([client.get_experiment_by_name("tscl").experiment_id])
    assert sorted(r.info.run_name for r in runs) == ["a", "b"]
    for run in runs:
        assert run.info.status == "FINISHED"
        assert len(client.get_metric_history(run.info.run_id, "loss")) >= 1
        assert "tscl.model_uri" in run.data.tags
