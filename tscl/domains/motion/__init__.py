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

from tscl.domains.domain import Domain, lazy, ts2vec_subject_recipe

load_motion = lazy("tscl.domains.motion.load:load_motion")
embed_motion_input = lazy("tscl.domains.motion.embed:embed_motion_input")

MOTION = Domain(
    name="motion",
    description="wearable IMU: accelerometer/gyroscope windows split by subject (smartwatch exercises)",
    default_dataset="seglearn_watch",
    formats=("npz", "ts", "csv"),
    load=load_motion,
    defaults=ts2vec_subject_recipe(
        {"magnitude": True, "gravity": False, "window_seconds": 4.0, "overlap": 0.5},
        batch_size=16,
    ),
    embed_input=embed_motion_input,
    tasks=("exercise",),
)
