"""Hyperparameter sweeps: Ray Tune trials with ASHA, scored on validation data, tracked in MLflow.

``tscl sweep --space tune/<name>.yaml`` (``add_sweep_command``) or
``run_sweep(space_path, overrides)``. Every trial pretrains on the training
split and reports a probe's validation scores every ``eval_every`` steps with
its checkpoint; no trial reads the test split. One MLflow parent run per sweep
holds a child run per trial and, at the end, the best trial's config.

Modules: ``space`` (space files -> Tune domains and configs), ``selection``
(validation arrays and scores), ``trial`` (the trainable), ``runs`` (MLflow
parent/child runs), ``driver`` (``run_sweep``), ``command`` (the CLI).
This package and ``tscl.train.distributed`` are the only ones that import Ray,
always inside functions. Importing it stays light, for ``tscl --help``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tscl.sweep.command import add_sweep_command

if TYPE_CHECKING:
    from tscl.sweep.driver import SweepResult, run_sweep
    from tscl.sweep.space import SweepSpace, load_space

__all__ = ["SweepResult", "SweepSpace", "add_sweep_command", "load_space", "run_sweep"]

_LAZY = {
    "SweepResult": "tscl.sweep.driver",
    "run_sweep": "tscl.sweep.driver",
    "SweepSpace": "tscl.sweep.space",
    "load_space": "tscl.sweep.space",
}


def __getattr__(name: str) -> Any:
    """Loads ``run_sweep`` and friends on first use (they import torch and MLflow)."""
    if name not in _LAZY:
        raise AttributeError(f"module 'tscl.sweep' has no attribute '{name}'")
    import importlib

    return getattr(importlib.import_module(_LAZY[name]), name)
