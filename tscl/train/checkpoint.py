"""Atomic checkpoints holding the full training state, so a killed run resumes exactly.

A checkpoint is written to a temporary file in the same folder, synced and
renamed over the old one (``os.replace``), so a process killed mid-write
leaves the previous checkpoint whole. It holds only tensors and plain values
(the NumPy RNG state is stored as a tensor) and is read with
``weights_only=True``: a file carrying other objects is refused unread.
"""

from __future__ import annotations

import os
import random
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import torch

from tscl.errors import TsclError
from tscl.saved_state import load_tensors

CHECKPOINT_KEYS = {"method", "optimizers", "schedulers", "source", "rng", "step"}


def capture_rng_state(generator: torch.Generator) -> dict[str, Any]:
    """Every random state a training step reads: torch (CPU, CUDA), NumPy, Python, the trainer's generator."""
    return {
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        "numpy": _numpy_state(),
        "python": random.getstate(),
        "generator": generator.get_state(),
    }


def _numpy_state() -> dict[str, Any]:
    """NumPy's global MT19937 state with its key as a tensor (loadable with weights_only)."""
    state = np.random.get_state(legacy=False)
    assert isinstance(state, dict)
    return {
        "key": torch.from_numpy(state["state"]["key"].astype(np.int64)),
        "pos": int(state["state"]["pos"]),
        "has_gauss": int(state["has_gauss"]),
        "gauss": float(state["gauss"]),
    }


def _set_numpy_state(state: dict[str, Any]) -> None:
    np.random.set_state(
        {
            "bit_generator": "MT19937",
            "state": {
                "key": state["key"].numpy().astype(np.uint32),
                "pos": state["pos"],
            },
            "has_gauss": state["has_gauss"],
            "gauss": state["gauss"],
        }
    )


def restore_rng_state(state: dict[str, Any], generator: torch.Generator) -> None:
    """Inverse of ``capture_rng_state``."""
    torch.set_rng_state(state["torch"])
    if state["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
    _set_numpy_state(state["numpy"])
    random.setstate(state["python"])
    generator.set_state(state["generator"])


def save_checkpoint(path: str | Path, state: dict[str, Any]) -> Path:
    """Writes ``state`` to ``path`` atomically: a crash mid-write never leaves a torn file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "wb") as file:
            torch.save(state, file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return path


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    """Reads a checkpoint written by ``save_checkpoint`` (onto the CPU, tensors and plain data only).

    Raises:
        UnsafeFileError: the file holds objects that loading could run.
        TsclError: missing, torn or not a tscl checkpoint.
    """
    path = Path(path)
    state = load_tensors(path, "tscl checkpoint")
    if not isinstance(state, dict) or not set(state) >= CHECKPOINT_KEYS:
        raise TsclError(f"{path}: not a tscl checkpoint (missing training state)")
    return state
