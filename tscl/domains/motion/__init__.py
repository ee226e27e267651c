"""Motion (wearable IMU): accelerometer / gyroscope triplets, gravity split, magnitudes, 4 s windows.

The default data set is the smartwatch physiotherapy set (seglearn_watch, 7
exercises, 10 subjects) under its reference protocol: 4 s windows (200
samples at 50 Hz) with 50 % overlap labelled by their recording, split by
subject. UEA motion archives (BasicMotions, Epilepsy, RacketSports,
UWaveGestureLibrary) load with their official split. ``Rotation3D``
(``augment: [{name: rotation}]``) is in ``augment.py``. Heavy imports happen
inside the functions.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from tscl.domains.domain import Domain

if TYPE_CHECKING:
    from collections.abc import Mapping

    import pandas as pd

    from tscl.config import RunConfig
    from tscl.data.training import DataSet, TrainingData


def load_motion(config: RunConfig) -> TrainingData:
    """See ``tscl.domains.motion.load.load_motion``."""
    from tscl.domains.motion.load import load_motion as load

    return load(config)


def embed_motion_input(
    preprocessing: Mapping[str, Any], config: RunConfig, path: Path
) -> tuple[DataSet, pd.DataFrame]:
    """See ``tscl.domains.motion.embed.embed_motion_input``."""
    from tscl.domains.motion.embed import embed_motion_input as embed

    return embed(preprocessing, config, path)


MOTION = Domain(
    name="motion",
    description="wearable IMU: accelerometer/gyroscope windows split by subject (smartwatch exercises)",
    default_dataset="seglearn_watch",
    formats=("npz", "ts", "csv"),
    load=load_motion,
    defaults={
        "method": "ts2vec",
        "dataset": "seglearn_watch",
        "encoder": {
            "name": "dilated_conv",
            "params": {"hidden_dims": 64, "output_dims": 320, "depth": 10},
        },
        "augment": [],
        "data": {
            "split": "group",
            "val_fraction": 0.2,
            "test_fraction": 0.2,
            "options": {
                "magnitude": True,
                "gravity": False,
                "window_seconds": 4.0,
                "overlap": 0.5,
            },
        },
        "train": {"max_steps": 600, "batch_size": 16},
        "eval": {"protocol": "holdout"},
    },
    embed_input=embed_motion_input,
    tasks=("exercise",),
)
