"""ECG preprocessing: lead selection, powerline notch, baseline removal, band-pass.

Every filter is zero-phase (run forward and backward), so R peaks stay where
the annotations put them. NaN gaps are filled with 0 for filtering and put
back afterwards. ``clean`` applies the chain leads -> notch -> baseline ->
band-pass that training and ``tscl embed`` share.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import median_filter
from scipy.signal import butter, filtfilt, iirnotch, sosfiltfilt

from tscl.data.records import Series
from tscl.errors import DataError

BASELINE_METHODS = ("none", "highpass", "median")
MEDIAN_WINDOWS_S = (0.2, 0.6)  # QRS/P then T waves (de Chazal et al. 2004)


@dataclass(frozen=True)
class CleanSettings:
    """What ``clean`` does to a record.

    Attributes:
        leads: lead names to keep, in this order (e.g. ("MLII", "V1")).
        notch_hz: powerline frequency to notch out (50 or 60), None for none.
        notch_quality: quality factor of the notch (bandwidth = f / Q).
        baseline: "none", "highpass" (Butterworth at ``baseline_hz``) or
            "median" (200 ms then 600 ms median filters, subtracted).
        baseline_hz: cut-off of the "highpass" baseline removal.
        low_hz, high_hz: band-pass edges; ``low_hz`` None skips the band-pass.
    """

    leads: tuple[str, ...] = ("MLII",)
    notch_hz: float | None = None
    notch_quality: float = 30.0
    baseline: str = "none"
    baseline_hz: float = 0.5
    low_hz: float | None = 0.5
    high_hz: float = 40.0


def _source(series: Series) -> str:
    return series.recording or "series"


def _require_fs(series: Series, what: str) -> float:
    if series.fs is None:
        raise DataError(_source(series), f"{what} needs a sampling rate")
    return float(series.fs)


def _filtered(series: Series, values: np.ndarray) -> Series:
    """``series`` with filtered float64 (C, T) values, NaN gaps put back."""
    values[np.isnan(series.values)] = np.nan
    return dataclasses.replace(series, values=values.astype(np.float32))


def _filled(series: Series) -> np.ndarray:
    """(C, T) float64 values with NaN gaps set to 0 (filters cannot take NaN)."""
    return np.nan_to_num(series.values.astype(np.float64))


def select_leads(series: Series, leads: tuple[str, ...] | list[str]) -> Series:
    """Keeps the named leads in the given order: (C, T) -> (len(leads), T).

    MIT-BIH stores MLII first except in record 114, so leads go by name.
    """
    missing = [lead for lead in leads if lead not in series.channels]
    if missing or not leads:
        raise DataError(
            _source(series),
            f"no lead(s) {missing or list(leads)}; leads are {list(series.channels)}",
        )
    rows = [series.channels.index(lead) for lead in leads]
    return dataclasses.replace(
        series,
        values=series.values[rows],
        channels=tuple(leads),
        units=tuple(series.units[row] for row in rows),
    )


def select_lead(series: Series, lead: str) -> Series:
    """Keeps one named lead: (C, T) -> (1, T)."""
    return select_leads(series, (lead,))


def notch(series: Series, freq_hz: float = 60.0, quality: float = 30.0) -> Series:
    """Zero-phase IIR notch at ``freq_hz`` (powerline: 50 Hz Europe, 60 Hz Americas)."""
    fs = _require_fs(series, "the notch filter")
    if not 0 < freq_hz < fs / 2 or quality <= 0:
        raise DataError(
            _source(series),
            f"notch at {freq_hz} Hz (Q={quality}) does not fit fs={fs}",
        )
    b, a = iirnotch(freq_hz, quality, fs=fs)
    return _filtered(series, filtfilt(b, a, _filled(series), axis=-1))


def remove_baseline(
    series: Series, method: str = "median", cutoff_hz: float = 0.5
) -> Series:
    """Removes baseline wander: a zero-phase high-pass, or two median filters.

    "median" estimates the baseline with a 200 ms then a 600 ms median filter
    and subtracts it; "highpass" is a 3rd-order Butterworth at ``cutoff_hz``;
    "none" returns the series unchanged.
    """
    if method not in BASELINE_METHODS:
        raise DataError(
            _source(series),
            f"baseline must be one of {BASELINE_METHODS}, got {method!r}",
        )
    if method == "none":
        return series
    fs = _require_fs(series, "baseline removal")
    values = _filled(series)
    if method == "highpass":
        if not 0 < cutoff_hz < fs / 2:
            raise DataError(_source(series), f"cut-off {cutoff_hz} Hz vs fs={fs}")
        sos = butter(3, cutoff_hz, btype="highpass", fs=fs, output="sos")
        return _filtered(series, sosfiltfilt(sos, values, axis=-1))
    baseline = values
    for seconds in MEDIAN_WINDOWS_S:
        width = int(round(seconds * fs)) | 1  # odd width: centred median
        baseline = median_filter(baseline, size=(1, width), mode="nearest")
    return _filtered(series, values - baseline)


def bandpass(
    series: Series, low_hz: float = 0.5, high_hz: float = 40.0, order: int = 3
) -> Series:
    """Zero-phase Butterworth band-pass (removes baseline wander and high-frequency noise)."""
    fs = _require_fs(series, "band-pass filtering")
    if not 0 < low_hz < high_hz < fs / 2:
        raise DataError(
            _source(series), f"band {low_hz}-{high_hz} Hz does not fit fs={fs}"
        )
    sos = butter(order, [low_hz, high_hz], btype="bandpass", fs=fs, output="sos")
    return _filtered(series, sosfiltfilt(sos, _filled(series), axis=-1))


def clean(series: Series, settings: CleanSettings = CleanSettings()) -> Series:
    """Leads -> notch -> baseline removal -> band-pass: (C, T) -> (len(leads), T)."""
    out = select_leads(series, settings.leads)
    if settings.notch_hz is not None:
        out = notch(out, settings.notch_hz, settings.notch_quality)
    out = remove_baseline(out, settings.baseline, settings.baseline_hz)
    if settings.low_hz is not None:
        out = bandpass(out, settings.low_hz, settings.high_hz)
    return out
