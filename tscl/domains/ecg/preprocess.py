"""ECG preprocessing: lead selection and zero-phase band-pass filtering."""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy.signal import butter, sosfiltfilt

from tscl.data.records import Series
from tscl.errors import DataError


def select_lead(series: Series, lead: str) -> Series:
    """Keeps one named lead (MIT-BIH stores MLII first except in record 114)."""
    if lead not in series.channels:
        raise DataError(
            series.recording or "series",
            f"no lead '{lead}'; leads are {list(series.channels)}",
        )
    row = series.channels.index(lead)
    return dataclasses.replace(
        series,
        values=series.values[row : row + 1],
        channels=(lead,),
        units=(series.units[row],),
    )


def bandpass(
    series: Series, low_hz: float = 0.5, high_hz: float = 40.0, order: int = 3
) -> Series:
    """Zero-phase Butterworth band-pass (removes baseline wander and high-frequency noise)."""
    if series.fs is None:
        raise DataError(
            series.recording or "series", "band-pass filtering needs a sampling rate"
        )
    if not 0 < low_hz < high_hz < series.fs / 2:
        raise DataError(
            series.recording or "series",
            f"band {low_hz}-{high_hz} Hz does not fit fs={series.fs}",
        )
    sos = butter(order, [low_hz, high_hz], btype="bandpass", fs=series.fs, output="sos")
    filtered = sosfiltfilt(
        sos, np.nan_to_num(series.values.astype(np.float64)), axis=-1
    )
    filtered[np.isnan(series.values)] = np.nan
    return dataclasses.replace(series, values=filtered.astype(np.float32))
