"""A pretraining run folder's MLflow run: recorded beside the checkpoint, continued on resume.

``mlflow_run.json`` in the run folder names the run (id and tracking URI). The
folder is held by one process at a time (``tscl.train.run_folder``), so a
recorded run still RUNNING when a process takes the folder over was left by a
process that died: it is tagged ``tscl.process_died``, and ended KILLED unless
this process resumes it (then the same run goes on, its metric steps
continuing).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from tscl.errors import TsclError

RECORD_NAME = "mlflow_run.json"
DIED_TAG = "tscl.process_died"
RESUMED_TAG = "tscl.resumed_from_step"
RESUME_CHANGE_TAG = "tscl.resume.changed."


def read_record(run_dir: Path) -> dict[str, Any] | None:
    """The recorded run of ``run_dir`` ({"run_id", "tracking_uri"}), None if there is none."""
    path = run_dir / RECORD_NAME
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        return {
            "run_id": str(record["run_id"]),
            "tracking_uri": str(record["tracking_uri"]),
        }
    except (ValueError, KeyError, TypeError) as err:
        raise TsclError(
            f"{path}: not a tscl run record ({type(err).__name__})"
        ) from err


def write_record(run_dir: Path, run_id: str, uri: str) -> None:
    """Records the folder's run atomically."""
    run_dir.mkdir(parents=True, exist_ok=True)
    temp = run_dir / f".{RECORD_NAME}.tmp"
    temp.write_text(
        json.dumps({"run_id": run_id, "tracking_uri": uri}), encoding="utf-8"
    )
    temp.replace(run_dir / RECORD_NAME)


def settle_recorded_run(
    client: MlflowClient, run_dir: Path, uri: str, *, resume: bool
) -> str | None:
    """Marks a dead process's run; returns the run id to continue when ``resume``.

    Raises:
        TsclError: resuming a run the record names but the store does not hold.
    """
    record = read_record(run_dir)
    if record is None or record["tracking_uri"] != uri:
        return None  # never tracked here, or in another store: a new run
    run_id = record["run_id"]
    try:
        run = client.get_run(run_id)
    except MlflowException as err:
        if resume:
            raise TsclError(
                f"{run_dir / RECORD_NAME}: run {run_id} is not in {uri}; "
                "resume with the tracking store it was recorded in"
            ) from err
        return None
    if run.info.status == "RUNNING":  # we hold the folder: its process is gone
        client.set_tag(run_id, DIED_TAG, time.strftime("%Y-%m-%dT%H:%M:%S%z"))
        if not resume:
            client.set_terminated(run_id, "KILLED")
    return run_id if resume else None


def last_logged_step(client: MlflowClient, run_id: str, key: str = "loss") -> int:
    """The highest step of ``key`` the run holds (0 for none): a resume logs only later steps."""
    history = client.get_metric_history(run_id, key)
    return max((metric.step for metric in history), default=0)


def resume_tags(step: int, changes: dict[str, tuple[Any, Any]]) -> dict[str, str]:
    """Run tags recording a resume: the step it starts from and each changed setting."""
    tags = {RESUMED_TAG: str(step)}
    for key, (before, after) in changes.items():
        tags[f"{RESUME_CHANGE_TAG}{key}"] = f"{before} -> {after} from step {step}"
    return tags
