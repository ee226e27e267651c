"""Shared helpers for the benchmark suites: data location, machine facts, result files, statistics."""

from __future__ import annotations

import functools
import json
import os
import platform
import subprocess
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import torch

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO_ROOT / "benchmarks" / "results"
# Run logs of suites longer than one sitting, committed so another checkout resumes them.
LEDGER_DIR = REPO_ROOT / "benchmarks" / "ledger"
LIBRARIES = ("torch", "numpy", "tsaug", "ts2vec", "mlflow", "scikit-learn", "tscl")


def data_dir() -> Path:
    """$TSCL_DATA_DIR, default ../shared/data beside the repository."""
    path = Path(os.environ.get("TSCL_DATA_DIR", REPO_ROOT.parent / "shared" / "data"))
    if not path.is_dir():
        raise SystemExit(f"benchmark data folder {path} is absent (set TSCL_DATA_DIR)")
    return path


class SuiteSkipped(Exception):
    """Raised by a suite's ``run`` when it cannot run here (no GPU, no data); the message says why."""


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo (``platform.processor()`` elsewhere)."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def library_versions(names: tuple[str, ...] = LIBRARIES) -> dict[str, str]:
    """Installed versions of the libraries the suites measure or compare against."""
    versions = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def machine_info() -> dict[str, Any]:
    """Where a suite ran: cores, CPU model, GPU, torch threads, library versions, load."""
    cuda = torch.cuda.is_available()
    return {
        "cores": os.cpu_count(),
        "cpu": cpu_model(),
        "gpu": torch.cuda.get_device_name(0) if cuda else None,
        "torch_threads": torch.get_num_threads(),
        "load_average_1min": os.getloadavg()[0],
        "libraries": library_versions(),
    }


def machine() -> dict[str, Any]:
    return {
        "cpu_threads": torch.get_num_threads(),
        "cuda": torch.cuda.is_available(),
        "device": torch.cuda.get_device_name(0)
        if torch.cuda.is_available()
        else platform.processor() or "cpu",
        "torch": torch.__version__,
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }


def mean_std(values: list[float]) -> tuple[float, float]:
    array = np.asarray(values, dtype=np.float64)
    return float(array.mean()), float(array.std(ddof=1)) if len(array) > 1 else 0.0


def write_results(name: str, payload: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(
        json.dumps({"machine": machine(), **payload}, indent=2, default=float)
    )
    return path


def git_commit() -> str:
    """The checkout's commit (``-dirty`` when tracked files other than the ledger's
    run logs changed), or "unknown"."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    try:
        commit = git("describe", "--always", "--abbrev=12")
        changed = git("status", "--porcelain", "--untracked-files=no", "--", ".",
                      ":!benchmarks/ledger")  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit}-dirty" if changed else commit


@functools.cache
def loaded_commit() -> str:
    """The code this process runs: the checkout as it was when its first ledger
    log opened (a row is stamped with it, not with whatever is checked out when
    the row lands hours later)."""
    return git_commit()


def measured_stamp() -> dict[str, Any]:
    """When, at which commit and on what machine a ledger row was measured."""
    return {
        "utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "commit": loaded_commit(),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
    }


class RunLog:
    """Finished runs as JSON lines, so a killed benchmark resumes where it stopped.

    Args:
        name: the log is ``results/<name>_runs.jsonl`` (``ledger/`` with ``ledger``).
        keys: the row fields that identify a run (e.g. ``("name", "seed")``).
        fresh: ignore (but keep) what earlier invocations logged.
        ledger: keep the log in ``benchmarks/ledger/``, which is committed, each
            row stamped with where and when it ran (``measured_stamp``): a suite
            longer than one sitting then resumes on a later checkout, and its
            report names the commits and dates its rows come from
            (``provenance``).
    """

    def __init__(
        self,
        name: str,
        keys: tuple[str, ...],
        *,
        fresh: bool = False,
        ledger: bool = False,
    ):
        self.path = (LEDGER_DIR if ledger else RESULTS_DIR) / f"{name}_runs.jsonl"
        self.ledger = ledger
        if ledger:
            loaded_commit()  # fixed now, at the suite's start
        self.keys = keys
        self.rows: dict[tuple[Any, ...], dict[str, Any]] = {}
        if self.path.is_file() and not fresh:
            for line in self.path.read_text().splitlines():
                row = json.loads(line)
                # a row logged before a key was added is kept under None (never matched)
                self.rows[tuple(row.get(k) for k in keys)] = row

    def get(self, *key: Any) -> dict[str, Any] | None:
        return self.rows.get(tuple(key))

    def get_or_run(
        self, key: tuple[Any, ...], compute: Callable[[], dict[str, Any]]
    ) -> tuple[dict[str, Any], bool]:
        """The row logged under ``key``, else ``compute()``'s row (with the key's fields) logged now.

        Returns the row and whether it was computed now (for a progress line).
        """
        row = self.get(*key)
        if row is not None:
            return row, False
        # the key's values win: they are what a later lookup asks for
        row = {**compute(), **dict(zip(self.keys, key, strict=True))}
        return self.add(row), True

    def add(self, row: dict[str, Any]) -> dict[str, Any]:
        """Appends ``row`` to the log; returns it as logged (stamped in a ledger)."""
        if self.ledger:
            row = {**row, "measured": measured_stamp()}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a") as file:
            file.write(json.dumps(row, default=float) + "\n")
        self.rows[tuple(row[k] for k in self.keys)] = row
        return row

    def provenance(self, rows: list[dict[str, Any]]) -> str:
        """One line naming the commits, dates and machines ``rows`` were measured on."""
        stamps = [r.get("measured") or {} for r in rows]
        groups: dict[tuple[str, str], list[str]] = {}
        for stamp in stamps:
            where = f"{stamp.get('cores', '?')} cores {stamp.get('cpu', '?')}"
            if stamp.get("gpu"):
                where += f" + {stamp['gpu']}"
            key = (str(stamp.get("commit", "unstamped")), where)
            groups.setdefault(key, []).append(str(stamp.get("utc", "?")))
        parts = [
            f"{len(days)} at {commit} on {where}, {min(days)} to {max(days)} UTC"
            for (commit, where), days in sorted(groups.items(), key=lambda g: min(g[1]))
        ]
        return f"{len(rows)} runs from {self.path.name}: " + "; ".join(parts)


def print_tables(payload: dict[str, Any]) -> None:
    """A suite's tables, checks and notes on stdout, as RESULTS.md shows them."""
    from benchmarks.report import table

    for spec in payload.get("tables", []):
        print("\n".join(table(spec)))
    for check, passed in payload.get("checks", {}).items():
        print(f"check: {check}: {'PASS' if passed else 'FAIL'}")
    for note in payload.get("notes", []):
        print(f"note: {note}")
