"""Shared helpers for the benchmark suites: data location, result files, summary statistics."""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO_ROOT / "benchmarks" / "results"


def data_dir() -> Path:
    """$TSCL_DATA_DIR, default ../shared/data beside the repository."""
    path = Path(os.environ.get("TSCL_DATA_DIR", REPO_ROOT.parent / "shared" / "data"))
    if not path.is_dir():
        raise SystemExit(f"benchmark data folder {path} is absent (set TSCL_DATA_DIR)")
    return path


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


class RunLog:
    """Finished runs as JSON lines in results/, so a killed benchmark resumes where it stopped.

    Args:
        name: the log is ``results/<name>_runs.jsonl``.
        keys: the row fields that identify a run (e.g. ``("name", "seed")``).
        fresh: ignore (but keep) what earlier invocations logged.
    """

    def __init__(self, name: str, keys: tuple[str, ...], *, fresh: bool = False):
        self.path = RESULTS_DIR / f"{name}_runs.jsonl"
        self.keys = keys
        self.rows: dict[tuple[Any, ...], dict[str, Any]] = {}
        if self.path.is_file() and not fresh:
            for line in self.path.read_text().splitlines():
                row = json.loads(line)
                self.rows[tuple(row[k] for k in keys)] = row

    def get(self, *key: Any) -> dict[str, Any] | None:
        return self.rows.get(tuple(key))

    def add(self, row: dict[str, Any]) -> None:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        with self.path.open("a") as file:
            file.write(json.dumps(row, default=float) + "\n")
        self.rows[tuple(row[k] for k in self.keys)] = row
