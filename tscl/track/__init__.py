"""Experiment tracking with MLflow: runs, the encoder as a model with a card, the registry.

This package is the only place that imports MLflow. Telemetry is switched off
here, before any submodule imports it, because MLflow's telemetry tries to
reach an outside host. MLflow's artifact download / upload bars are off unless
the user asks for them (they fill a log with carriage returns at every model log).
"""

from __future__ import annotations

import os

os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")

from tscl.track.mlflow import RunTracker  # noqa: E402
from tscl.track.model import LoadedEncoder  # noqa: E402
from tscl.track.registry import (  # noqa: E402
    load_encoder,
    register,
    register_best,
    set_alias,
)
from tscl.track.resend import resend_unsent  # noqa: E402
from tscl.track.spool import TrackingWarning  # noqa: E402
from tscl.track.target import (  # noqa: E402
    TrackingTarget,
    check_reachable,
    resolve_target,
)

__all__ = [
    "LoadedEncoder",
    "RunTracker",
    "TrackingTarget",
    "TrackingWarning",
    "check_reachable",
    "load_encoder",
    "register",
    "register_best",
    "resend_unsent",
    "resolve_target",
    "set_alias",
]
