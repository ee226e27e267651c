"""Change a signal's sampling rate with a polyphase filter, keeping gaps as gaps.

The rate ratio ``fs_new / fs`` is approximated by a fraction ``up / down``
(``fractions.Fraction.limit_denominator``) and applied with
``scipy.signal.resample_poly``, which low-pass filters before decimating.

Gaps (NaN): the filter cannot take NaN, so each channel's gaps are first
filled by linear interpolation between the observed neighbours (the nearest
observed value at the edges), the filled signal is resampled, and then every
new sample whose time lies in a gap is set back to NaN. A new sample at
original position ``p = j * down / up`` counts as in a gap when either original
sample around it (``floor(p)`` or ``ceil(p)``) was NaN, so gaps never shrink.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import numpy as np
from scipy.signal import resample_poly

from tscl.data.records import Annotations, Series
from tscl.errors import DataError

MAX_DENOMINATOR = 1000


def rate_ratio(
    fs: float, fs_new: float, max_denominator: int = MAX_DENOMINATOR
) -> tuple[int, int]:
    """(up, down) with ``up / down`` the closest fraction to ``fs_new / fs``."""
    if not (fs > 0 and fs_new > 0):
        raise DataError(
            "resample", f"sampling rates must be positive, got {fs} -> {fs_new}"
        )
    ratio = Fraction(fs_new / fs).limit_denominator(max_denominator)
    if ratio == 0:
        raise DataError("resample", f"ratio {fs_new}/{fs} is too small to resample")
    return ratio.numerator, ratio.denominator


def resample_array(x: np.ndarray, fs: float, fs_new: float) -> np.ndarray:
    """Resamples along the last axis; NaN gaps are filled, filtered, re-masked.

    Args:
        x: (..., T) signal, NaN where not observed.
        fs: its sampling rate in Hz.
        fs_new: the wanted rate in Hz.

    Returns:
        (..., ceil(T * up / down)) float32 array, with ``up / down`` from
        ``rate_ratio(fs, fs_new)``.
    """
    up, down = rate_ratio(fs, fs_new)
    x = np.asarray(x, dtype=np.float32)
    if up == down:
        return x.copy()
    length = x.shape[-1]
    if length == 0:
        raise DataError("resample", "cannot resample an empty signal (T = 0)")
    rows = x.reshape(-1, length)  # (..., T) -> (M, T)
    gaps = np.isnan(rows)
    filled = (
        np.stack([_fill_gaps(row, gap) for row, gap in zip(rows, gaps, strict=True)])
        if gaps.any()
        else rows
    )
    out = resample_poly(filled, up, down, axis=-1, padtype="line").astype(np.float32)
    if gaps.any():
        out[_new_gap_mask(gaps, up=up, down=down, new_length=out.shape[-1])] = np.nan
    return out.reshape(*x.shape[:-1], out.shape[-1])  # (M, T') -> (..., T')


def _fill_gaps(row: np.ndarray, gap: np.ndarray) -> np.ndarray:
    """(T,) row with NaNs replaced by linear interpolation (all-NaN -> zeros)."""
    if gap.all():
        return np.zeros_like(row)
    positions = np.arange(len(row))
    filled = row.copy()
    filled[gap] = np.interp(positions[gap], positions[~gap], row[~gap])
    return filled


def _new_gap_mask(
    gaps: np.ndarray, *, up: int, down: int, new_length: int
) -> np.ndarray:
    """(M, T) old gaps -> (M, T') new gaps: a new sample is a gap if either neighbour was."""
    scaled = np.arange(new_length, dtype=np.int64) * down  # position * up, exact
    low = np.minimum(scaled // up, gaps.shape[-1] - 1)
    high = np.minimum(low + (scaled % up != 0), gaps.shape[-1] - 1)
    return gaps[:, low] | gaps[:, high]


def resample(series: Series, fs_new: float) -> Series:
    """A copy of ``series`` at ``fs_new`` Hz (see the module docstring for gaps).

    Annotation onsets and durations, step labels (nearest original sample) and
    timestamps (``t0 + j / fs``) move to the new time base. The new ``fs`` is
    the exact rate used, ``fs * up / down``, and ``meta["resampled_from"]``
    keeps the original rate.

    Raises:
        DataError: if the series has no sampling rate.
    """
    source = series.recording or "series"
    if series.fs is None:
        raise DataError(
            source, "resample needs a sampling rate, the series has fs=None"
        )
    up, down = rate_ratio(series.fs, fs_new)
    values = resample_array(series.values, series.fs, fs_new)  # (C, T) -> (C, T')
    new_length = values.shape[-1]
    new_fs = series.fs * up / down
    # position of each new sample on the old sample axis, (T',)
    positions = np.arange(new_length, dtype=np.float64) * down / up
    nearest = np.minimum(np.rint(positions).astype(np.int64), len(series) - 1)
    return replace(
        series,
        values=values,
        fs=new_fs,
        timestamps=_new_timestamps(series.timestamps, positions, fs=series.fs),
        step_labels=None
        if series.step_labels is None
        else np.asarray(series.step_labels)[nearest],
        annotations=_rescale_annotations(
            series.annotations, up=up, down=down, new_length=new_length
        ),
        meta={**series.meta, "resampled_from": series.fs},
    )


def _new_timestamps(
    timestamps: np.ndarray | None, positions: np.ndarray, *, fs: float
) -> np.ndarray | None:
    if timestamps is None or len(timestamps) == 0:
        return timestamps
    timestamps = np.asarray(timestamps)
    if np.issubdtype(timestamps.dtype, np.datetime64):
        offsets = np.rint(positions / fs * 1e9).astype("timedelta64[ns]")
        return timestamps[0].astype("datetime64[ns]") + offsets
    return timestamps[0] + positions / fs


def _rescale_annotations(
    annotations: Annotations | None, *, up: int, down: int, new_length: int
) -> Annotations | None:
    if annotations is None:
        return None
    # round(sample * up / down) in exact integer arithmetic (halves round up)
    sample = (annotations.sample * up + down // 2) // down
    return Annotations(
        sample=np.clip(sample, 0, max(new_length - 1, 0)),
        label=annotations.label.copy(),
        duration=np.asarray(annotations.duration) * up / down,
    )
