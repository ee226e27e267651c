"""Runs registered suites: one JSON result and one MLflow run per suite, then RESULTS.md.

Each result file ``benchmarks/results/suites/<suite>.json`` is written as "running"
before the suite starts and rewritten when it ends, so a suite that was killed,
failed or skipped says so in RESULTS.md instead of showing an earlier run's
figures. A suite that keeps a ledger of finished runs (hours of them, resumed
across sittings) can be tabulated from it alone (``logged_only``); with runs
still missing its record is "partial" and RESULTS.md says how many.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import time
import traceback
from pathlib import Path
from typing import Any

import torch

from benchmarks.common import (
    RESULTS_DIR,
    SuiteSkipped,
    git_commit,
    machine_info,
)
from benchmarks.registry import SUITES, Suite

TRACKING_URI = f"sqlite:///{RESULTS_DIR / 'mlflow.db'}"


SUITE_RESULTS = RESULTS_DIR / "suites"


def result_path(name: str) -> Path:
    """The runner's record of a suite (the suites' own CLIs write beside it, in results/)."""
    return SUITE_RESULTS / f"{name}.json"


def _write(name: str, result: dict[str, Any]) -> Path:
    SUITE_RESULTS.mkdir(parents=True, exist_ok=True)
    path = result_path(name)
    temp = path.with_suffix(".json.tmp")
    temp.write_text(json.dumps(result, indent=2, default=float) + "\n")
    temp.replace(path)
    return path


def _call(suite: Suite, settings: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(status, payload): the suite's own payload, or why it did not finish."""
    try:
        run = importlib.import_module(suite.module).run
        return "finished", dict(run(**settings))
    except SuiteSkipped as reason:
        return "skipped", {"reason": str(reason)}
    except Exception as err:
        return "failed", {
            "reason": f"{type(err).__name__}: {err}".splitlines()[0][:300],
            "traceback": traceback.format_exc(),
        }


def cpu_seconds() -> float:
    """CPU seconds used so far by this process (all threads) and its finished children.

    Unlike wall time it hardly depends on what else loads the machine, so
    ``cpu_s / threads`` estimates a suite's wall time on an idle machine.
    """
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def use_threads(threads: int) -> None:
    """Torch threads for the suites and the processes they start (OMP_NUM_THREADS)."""
    torch.set_num_threads(threads)
    os.environ["OMP_NUM_THREADS"] = str(threads)


def logged_settings(name: str, mode: str) -> dict[str, Any]:
    """``mode``'s settings with ``logged_only``: the suite tabulates its ledger and runs nothing.

    Only suites that keep a ledger of finished runs take ``logged_only``.
    """
    suite = SUITES[name]
    run = importlib.import_module(suite.module).run
    if "logged_only" not in inspect.signature(run).parameters:
        raise ValueError(
            f"suite {name!r} keeps no run ledger: --logged applies to "
            f"{', '.join(ledger_suites()) or 'none'}"
        )
    return {**suite.settings(mode), "logged_only": True}


def ledger_suites() -> list[str]:
    """The suites whose ``run`` can tabulate a ledger without running (``logged_only``)."""
    names = []
    for name, suite in SUITES.items():
        try:
            run = importlib.import_module(suite.module).run
        except ImportError:
            continue
        if "logged_only" in inspect.signature(run).parameters:
            names.append(name)
    return names


def run_suite(
    name: str,
    mode: str,
    *,
    tracking_uri: str = TRACKING_URI,
    logged_only: bool = False,
) -> dict[str, Any]:
    """Runs one registered suite in ``mode``; writes and returns its result record.

    ``logged_only``: the suite only tabulates the runs its ledger holds; with
    runs missing (its payload's ``units``) the record's status is "partial".
    """
    suite = SUITES[name]
    settings = logged_settings(name, mode) if logged_only else suite.settings(mode)
    record: dict[str, Any] = {
        "suite": name,
        "title": suite.title,
        "mode": mode,
        "settings": settings,
        "status": "running",
        "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "commit": git_commit(),
        "machine": machine_info(),
    }
    _write(name, record)
    began, cpu = time.perf_counter(), cpu_seconds()
    try:
        status, payload = _call(suite, settings)
    except BaseException:  # interrupted: leave a record that says so
        _write(name, {**record, "status": "interrupted"})
        raise
    record.update(payload)
    units = payload.get("units") or {}
    if status == "finished" and units.get("measured", 0) < units.get("expected", 0):
        status = "partial"
    record.update(
        status=status,
        wall_s=time.perf_counter() - began,
        cpu_s=cpu_seconds() - cpu,
    )
    record["machine"]["load_average_1min_after"] = machine_info()["load_average_1min"]
    path = _write(name, record)
    record["mlflow_run_id"] = _track(record, path, tracking_uri)
    _write(name, record)
    return record


def _track(record: dict[str, Any], path: Path, tracking_uri: str) -> str | None:
    """Logs the suite as an MLflow run; a tracking failure is reported, not fatal."""
    from tscl.track.benchmark import log_benchmark_run

    try:
        return log_benchmark_run(
            uri=tracking_uri,
            suite=record["suite"],
            status=record["status"],
            params={"mode": record["mode"], **record["settings"]},
            metrics={
                "wall_s": record["wall_s"],
                "cpu_s": record["cpu_s"],
                **record.get("metrics", {}),
            },
            tags={
                "tscl.bench.status": record["status"],
                "tscl.git.commit": record["commit"],
                "tscl.machine.cpu": record["machine"]["cpu"],
                "tscl.machine.gpu": str(record["machine"]["gpu"]),
            },
            result_file=path,
        )
    except Exception as err:
        print(f"  MLflow logging failed for {record['suite']}: {err}", flush=True)
        return None


def load_results() -> dict[str, dict[str, Any]]:
    """The latest result record of every registered suite that has one."""
    found = {}
    for name in SUITES:
        path = result_path(name)
        if path.is_file():
            found[name] = json.loads(path.read_text())
    return found
