"""Helpers of the reliability tests: a planted payload, one-line errors, a CLI child's environment."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

REPO = Path(__file__).resolve().parents[2]


class Payload:
    """Unpickling this runs ``touch <marker>``: what a hostile saved file would carry."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, (f"touch {self.marker}",))


def plant(path: Path, marker: Path, state: dict[str, Any] | None = None) -> Path:
    """Writes a torch file at ``path`` whose unpickling would create ``marker``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({**(state or {}), "payload": Payload(marker)}, path)
    assert not marker.exists()
    return path


def one_line_error(err: str) -> str:
    """The single ``tscl: error:`` line of a failed command's stderr."""
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("tscl: error: "), err[-3000:]
    return lines[0]


def cli_env(workspace: Path, data_dir: Path) -> dict[str, str]:
    """Environment of a ``python -m tscl`` child: this tree, the data mirror, one thread."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_TRACKING")}
    env.update(
        PYTHONPATH=str(REPO),
        TSCL_DATA_MIRROR=str(data_dir),
        TSCL_CACHE_DIR=str(workspace / "cache"),
        MLFLOW_DISABLE_TELEMETRY="true",
        MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR="false",
        OMP_NUM_THREADS="1",
        HOME=str(workspace),
    )
    return env
