"""The sweep's MLflow runs: a parent run per sweep, a child run per trial, reopened on resume.

``RunTracker`` creates runs; ``OpenRun`` reopens an existing one (a resumed
sweep's parent, a resumed trial's child) and ends it with a chosen status.
Child runs carry the Tune trial id as the tag ``tscl.trial_id``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from tscl.track import resolve_target
from tscl.track.logger import RunLogger
from tscl.track.registry import connect
from tscl.track.spool import SPOOL_NAME, Spool

TRIAL_TAG = "tscl.trial_id"
SWEEP_TAG = "tscl.sweep"
PARENT_TAG = "mlflow.parentRunId"
STOPPED_EARLY_TAG = "tscl.sweep.stopped_early"
# Tune trial status -> the status of a child run its trial left RUNNING.
CHILD_STATUS = {"TERMINATED": "FINISHED", "ERROR": "FAILED"}


class OpenRun(RunLogger):
    """An existing MLflow run, set RUNNING again for logging and ended on exit.

    The run ends with ``status`` (default FINISHED), FAILED when the block
    raises (KILLED for Ctrl+C); the exception propagates. Records MLflow does
    not accept go to ``spool_dir/unsent_mlflow_records.jsonl``.
    """

    def __init__(self, uri: str, run_id: str, spool_dir: Path) -> None:
        super().__init__()
        self.uri, self.existing_id, self.spool_dir = uri, run_id, spool_dir
        self.status = "FINISHED"

    def __enter__(self) -> OpenRun:
        self.target = resolve_target(self.uri)
        self.client = connect(self.uri)
        self.spool = Spool(self.spool_dir / SPOOL_NAME)
        self.run_id = self.existing_id
        self.client.update_run(self.run_id, status="RUNNING")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.flush()
        status = self.status if exc_type is None else "FAILED"
        if exc_type is KeyboardInterrupt:
            status = "KILLED"
        self.client.set_terminated(self.existing_id, status)


def child_runs(client: Any, parent_run_id: str) -> dict[str, Any]:
    """The parent's child runs (MLflow ``Run`` objects) by Tune trial id."""
    experiment = client.get_run(parent_run_id).info.experiment_id
    found: dict[str, Any] = {}
    token = None
    while True:
        page = client.search_runs(
            [experiment],
            filter_string=f"tags.`{PARENT_TAG}` = '{parent_run_id}'",
            max_results=1000,
            page_token=token,
        )
        for run in page:
            if TRIAL_TAG in run.data.tags:
                found[run.data.tags[TRIAL_TAG]] = run
        token = page.token
        if not token:
            return found


def close_children(
    client: Any,
    parent_run_id: str,
    statuses: Mapping[str, str],
    stopped_early: set[str] | frozenset[str] = frozenset(),
) -> None:
    """Sets the end status of child runs left RUNNING or KILLED from their trials' Tune status.

    A trial that Tune stopped (ASHA) ends its run KILLED, and a trial whose
    process was ended may leave it RUNNING: the run ends FINISHED for a
    TERMINATED trial, FAILED for an ERROR, and KILLED for a trial left
    unfinished by an interrupted sweep (until it resumes). Trials the scheduler
    stopped early (``stopped_early``) end FINISHED with the tag
    ``tscl.sweep.stopped_early=true``: KILLED means killed.
    """
    finished = {trial for trial, status in statuses.items() if status == "TERMINATED"}
    runs = _settled_children(client, parent_run_id, finished)
    for trial_id, run in runs.items():
        wanted = CHILD_STATUS.get(statuses.get(trial_id, ""), "KILLED")
        if run.info.status in ("RUNNING", "KILLED") and run.info.status != wanted:
            client.set_terminated(run.info.run_id, wanted)
        if trial_id in stopped_early:
            client.set_tag(run.info.run_id, STOPPED_EARLY_TAG, "true")


def _settled_children(
    client: Any, parent_run_id: str, trials: set[str], timeout: float = 30.0
) -> dict[str, Any]:
    """Child runs, after waiting (up to ``timeout`` s) for ``trials`` to write their own end status.

    A trial stopped by ASHA ends its run KILLED from its own process, which may
    still be shutting down when ``Tuner.fit`` returns; setting the final status
    before that write lands would let the late KILLED win.
    """
    deadline = time.monotonic() + timeout
    runs = child_runs(client, parent_run_id)
    while (
        any(r.info.status == "RUNNING" for t, r in runs.items() if t in trials)
        and time.monotonic() < deadline
    ):
        time.sleep(0.5)
        runs = child_runs(client, parent_run_id)
    return runs
