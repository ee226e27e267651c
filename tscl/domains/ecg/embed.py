"""``embed_ecg_input``: a new WFDB record prepared as the training beats were."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tscl.data.read_wfdb import read_wfdb
from tscl.data.training import SignalSet
from tscl.domains.ecg.beats import BeatSettings, record_beats
from tscl.domains.ecg.loader import signal_set
from tscl.domains.ecg.records import record_path
from tscl.errors import DataError

if TYPE_CHECKING:
    from tscl.config import RunConfig


def embed_ecg_input(
    preprocessing: Mapping[str, Any], config: RunConfig, path: Path
) -> tuple[SignalSet, pd.DataFrame]:
    """Beat windows of one WFDB record with the training run's cleaning (unscaled: the bundle scales).

    Beats are the annotated ones, or detected R peaks when the record has no
    ``.atr`` (then unlabelled).

    Args:
        preprocessing: ``TrainingData.preprocessing`` of the training run.
        config: the training run's config (unused: the settings travel in
            ``preprocessing``).
        path: the record, with or without a ``.hea`` / ``.dat`` / ``.atr`` suffix.

    Returns:
        SignalSet x (N, C, L) with y (AAMI codes or None) and subject /
        recording ids, and a DataFrame with one row per beat: ``recording``,
        ``sample`` (R-peak sample) and ``label`` (AAMI letter or None).
    """
    del config
    if "beats" not in preprocessing:
        raise DataError(path, "the encoder's preprocessing holds no ECG beat settings")
    record = read_wfdb(record_path(Path(path)))
    expected = float(preprocessing.get("fs") or record.fs or 0)
    if record.fs != expected:
        raise DataError(
            path, f"record sampled at {record.fs} Hz, the encoder at {expected} Hz"
        )
    beats = record_beats(record, BeatSettings.from_dict(dict(preprocessing["beats"])))
    # unscaled: the encoder bundle applies preprocessing["scaler"] (scaling here too
    # would standardise twice)
    signals = signal_set(beats, np.arange(len(beats)), None)
    frame = pd.DataFrame(
        {
            "recording": beats.recording,
            "sample": beats.peak.astype(np.int64),
            "label": [str(label) if label else None for label in beats.labels],
        }
    )
    return signals, frame
