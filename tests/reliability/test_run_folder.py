"""A run folder belongs to one live process; a run left RUNNING by a dead one is marked."""

from __future__ import annotations

from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient

from tscl.config import load_config
from tscl.errors import TsclError
from tscl.track import RunTracker
from tscl.track.run_record import DIED_TAG, read_record, write_record
from tscl.train.run_folder import hold_run_folder


def test_a_held_run_folder_is_refused_in_one_line(tmp_path: Path) -> None:
    def take(folder: Path) -> None:
        with hold_run_folder(folder):
            pass

    with hold_run_folder(tmp_path / "run"):
        info = pytest.raises(TsclError, take, tmp_path / "run")
    assert "in use by another tscl process" in str(info.value)
    assert "\n" not in str(info.value)
    take(tmp_path / "run")  # free once released


@pytest.fixture(scope="module")
def store_uri(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One SQLite store with the tscl experiment (creating a store takes seconds)."""
    root = tmp_path_factory.mktemp("store")
    uri = f"sqlite:///{root / 'mlflow.db'}"
    with RunTracker(
        load_config("tiny", [f"tracking.uri={uri}"]), run_dir=root / "first"
    ):
        pass
    return uri


@pytest.mark.parametrize("resume", [False, True])
def test_a_dead_processs_run_is_marked_when_its_folder_is_taken_over(
    tmp_path: Path, store_uri: str, resume: bool
) -> None:
    uri = store_uri
    config = load_config("tiny", [f"tracking.uri={uri}"])
    run_dir = tmp_path / "run"
    client = MlflowClient(uri)
    # A RUNNING run recorded in the folder, its process gone:
    experiment = client.get_experiment_by_name("tscl").experiment_id
    stale = client.create_run(experiment).info.run_id
    write_record(run_dir, stale, uri)
    with (
        hold_run_folder(run_dir),
        RunTracker(config, run_dir=run_dir, record=True, resume=resume) as tracker,
    ):
        assert (tracker.run_id == stale) is resume
    run = client.get_run(stale)
    assert DIED_TAG in run.data.tags
    assert run.info.status == ("FINISHED" if resume else "KILLED")
    assert read_record(run_dir)["run_id"] == tracker.run_id  # type: ignore[index]
