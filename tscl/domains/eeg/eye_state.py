"""The UCI EEG Eye State table as epochs: one subject, one 117 s Emotiv recording.

The 14 columns are raw device values (µV with a DC offset of about 4,000) and
four rows hold extreme outliers (up to 715,897). Before MNE filters the
table, samples further than ``OUTLIER_UV`` from their channel's median are set
to that median, so that the FIR filter does not spread a spike over seconds.
There is a single subject: ``load_eeg`` splits its windows by contiguous time
blocks (not shuffled windows).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tscl.data.catalog import Card
from tscl.data.loaders import load_csv_series
from tscl.domains.eeg.epochs import eye_state_epochs
from tscl.domains.eeg.options import EegOptions
from tscl.domains.eeg.preprocess import apply_settings, raw_from_array
from tscl.domains.eeg.recordings import EpochTable
from tscl.errors import DataError

OUTLIER_UV = 1000.0  # the signal itself stays within ~±300 µV of the median


def replace_outliers(
    values: np.ndarray, limit: float = OUTLIER_UV
) -> tuple[np.ndarray, int]:
    """(C, T) values with samples beyond ``limit`` of the channel median set to it.

    Returns:
        The cleaned (C, T) float64 copy and the number of samples replaced.
    """
    values = np.asarray(values, dtype=np.float64)
    median = np.nanmedian(values, axis=1, keepdims=True)  # (C, 1)
    outlying = np.abs(values - median) > limit
    return np.where(outlying, median, values), int(outlying.sum())


def eye_state_table(
    card: Card, directory: Path, options: EegOptions
) -> tuple[EpochTable, int]:
    """Windows of the eye-state recording with majority labels, and the outliers replaced.

    Raises:
        DataError: the table has no per-sample eye state or no sampling rate.
    """
    series = load_csv_series(card, directory)
    if series.step_labels is None or series.fs is None:
        raise DataError(
            card.name, "expected a per-sample eye state and a sampling rate"
        )
    values, replaced = replace_outliers(series.values)
    raw = raw_from_array(values, series.fs, list(series.channels))
    raw = apply_settings(raw, options.settings, source=card.name)
    labels = np.asarray(series.step_labels).astype(np.int64).astype(str)
    epochs = eye_state_epochs(raw, labels, options.epoch_seconds)
    n = len(epochs.x)
    subject = series.subject or "roesler2013"
    recording = series.recording or "eeg_eye_state"
    table = EpochTable(
        x=epochs.x,
        labels=epochs.labels,
        subjects=[subject] * n,
        recordings=[recording] * n,
        starts=epochs.starts,
        fs=float(series.fs),
        channels=list(raw.ch_names),
        files={f.path: f.sha256 for f in card.files},
    )
    return table, replaced
