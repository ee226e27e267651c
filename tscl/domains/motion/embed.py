"""``tscl embed`` input for motion models: a new file gets the training preprocessing and windows."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from tscl.config import RunConfig
from tscl.domains.motion.options import parse_options
from tscl.domains.motion.pipeline import apply_spec
from tscl.domains.motion.read import read_path
from tscl.domains.motion.windows import signal_set
from tscl.errors import DataError


def embed_motion_input(
    preprocessing: Mapping[str, Any], config: RunConfig, path: Path
) -> tuple[Any, pd.DataFrame]:
    """A ``.npz`` / ``.csv`` / ``*_TRAIN.ts`` file -> (SignalSet (N, C', L), id table).

    The channels, gravity split, magnitudes and windows recorded in
    ``preprocessing`` are replayed; the channel scaler is not applied here
    (the encoder bundle applies ``preprocessing["scaler"]``). The table has one
    row per window: ``recording``, ``start`` (sample) and ``label`` (None when
    the file has no labels).

    Raises:
        DataError: if the file is unreadable or its channels differ from training.
    """
    if "input_channels" not in preprocessing:
        raise DataError(path, "the model's preprocessing is not a motion one")
    data = read_path(Path(path), parse_options(config.data.options))
    recordings = (
        data.recordings
        if data.archive is None
        else [*data.archive[0], *data.archive[1]]
    )
    windows = apply_spec(recordings, preprocessing)
    labels = None if windows.y is None else [str(v) for v in windows.y]
    table = pd.DataFrame(
        {
            "recording": windows.recording,
            "start": windows.start,
            "label": labels if labels is not None else [None] * len(windows),
        }
    )
    known = [str(c) for c in preprocessing.get("class_names", [])] or sorted(
        set(labels or [])
    )
    return signal_set(windows, known if labels else [], str(path)), table
