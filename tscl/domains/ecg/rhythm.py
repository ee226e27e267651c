"""Per-beat rhythm context: RR-interval features and neighbouring-beat windows.

Beat morphology alone cannot tell a premature atrial beat from a normal one;
the RR intervals around it can (de Chazal et al. 2004). ``rr_features`` gives
four intervals per beat, each divided by the record's mean RR so that a
patient's own heart rate is the unit: 1.0 is "as usual for this record".
``rr_irregularity`` measures how irregular the rhythm is around a beat (an
isolated premature beat in a regular rhythm is likely supraventricular; the same
short RR inside atrial fibrillation is not). ``rr_channels`` turns features into
constant channels over a window, so an encoder
sees rhythm next to the waveform; ``neighbour_windows`` cuts the previous,
current and next beat side by side.
"""

from __future__ import annotations

import numpy as np

RR_FEATURES = ("pre_rr", "post_rr", "local_rr", "average_rr")
LOCAL_BEATS = 10  # local RR: mean of this many RR intervals up to the beat
AVERAGE_S = 300.0  # average RR: centred window of 5 minutes


def rr_intervals(peaks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pre- and post-RR of every beat, in samples.

    ``pre[i] = peaks[i] - peaks[i - 1]`` and ``post[i] = peaks[i + 1] - peaks[i]``;
    the first beat's pre-RR is its post-RR and the last beat's post-RR is its
    pre-RR (the nearest interval that exists).

    Args:
        peaks: (K,) sorted R-peak sample indices, K >= 2.

    Returns:
        pre, post: (K,) float64 each.
    """
    gaps = np.diff(np.asarray(peaks, dtype=np.float64))  # (K - 1,)
    pre = np.concatenate([gaps[:1], gaps])
    post = np.concatenate([gaps, gaps[-1:]])
    return pre, post


def rr_features(
    peaks: np.ndarray,
    fs: float,
    *,
    local_beats: int = LOCAL_BEATS,
    average_s: float = AVERAGE_S,
) -> np.ndarray:
    """Four RR features per beat, each divided by the record's mean RR.

    Columns (``RR_FEATURES``): pre-RR; post-RR; local RR = mean of the pre-RR
    of the ``local_beats`` beats ending with this one (fewer at the start);
    average RR = mean pre-RR of the beats whose R peak lies within
    ``average_s / 2`` seconds either side of this beat. The record's mean RR
    is the mean of ``diff(peaks)``.

    Args:
        peaks: (K,) sorted R-peak sample indices of every beat of one record.
        fs: sampling rate in Hz (for the averaging window).

    Returns:
        (K, 4) float32; all NaN when K < 2 (no interval to measure).
    """
    peaks = np.asarray(peaks, dtype=np.int64)
    if len(peaks) < 2:
        return np.full((len(peaks), len(RR_FEATURES)), np.nan, dtype=np.float32)
    pre, post = rr_intervals(peaks)
    running = np.concatenate([[0.0], np.cumsum(pre)])  # (K + 1,) prefix sums
    index = np.arange(len(peaks))
    first = np.maximum(index - local_beats + 1, 0)
    local = (running[index + 1] - running[first]) / (index + 1 - first)
    half = average_s * fs / 2
    low = np.searchsorted(peaks, peaks - half, side="left")
    high = np.searchsorted(peaks, peaks + half, side="right")
    average = (running[high] - running[low]) / (high - low)
    mean_rr = float(np.diff(peaks).mean())
    features = np.stack([pre, post, local, average], axis=1) / mean_rr  # (K, 4)
    return features.astype(np.float32)


def rr_irregularity(peaks: np.ndarray, *, half: int = 4) -> np.ndarray:
    """Local rhythm irregularity of every beat: the median absolute difference of
    successive log pre-RR intervals over the ``2 * half + 1`` beats centred on it.

    The record's ends repeat the first / last log pre-RR. Unitless (a ratio of
    intervals), so it needs no normalisation by the record's heart rate.

    Args:
        peaks: (K,) sorted R-peak samples of one record.

    Returns:
        (K,) float32; all NaN when K < 2.
    """
    peaks = np.asarray(peaks, dtype=np.int64)
    if len(peaks) < 2:
        return np.full(len(peaks), np.nan, dtype=np.float32)
    pre, _ = rr_intervals(peaks)
    padded = np.pad(np.log(pre), half, mode="edge")  # (K + 2 half,)
    window = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)
    return np.median(np.abs(np.diff(window, axis=1)), axis=1).astype(np.float32)


LOG_FLOOR = (
    1e-3  # log_rhythm clips below this (an irregularity of 0: identical intervals)
)


def log_rhythm(features: np.ndarray) -> np.ndarray:
    """Rhythm features (ratios of intervals, irregularity) on a log scale, floored at 1e-3.

    On a log scale "half the usual RR" and "twice the usual RR" are equally far
    from 1, and a linear probe can read premature-versus-local (log pre - log
    local) or compensatory pause (log post - log pre) as a difference of two
    features. (N, F) -> (N, F) float32.
    """
    return np.log(np.maximum(np.asarray(features, dtype=np.float64), LOG_FLOOR)).astype(
        np.float32
    )


def rr_channels(features: np.ndarray, length: int) -> np.ndarray:
    """(N, F) per-beat features -> (N, F, length) float32 constant channels."""
    features = np.asarray(features, dtype=np.float32)
    return np.repeat(features[:, :, None], length, axis=2)


def neighbour_windows(
    values: np.ndarray,
    peaks: np.ndarray,
    centre: np.ndarray,
    *,
    before: int,
    after: int,
    neighbours: int = 1,
) -> np.ndarray:
    """Each beat with its neighbours: windows of beats i - n .. i + n side by side.

    Each part is ``[peaks[j] - before, peaks[j] + after)``, aligned on its own
    R peak; parts are concatenated in time order.

    Args:
        values: (C, T) one record.
        peaks: (K,) sorted R-peak samples of the record.
        centre: (N,) positions in ``peaks`` of the beats to cut; every beat
            ``centre +- neighbours`` must exist and its window fit in T.
        neighbours: beats n on each side.

    Returns:
        (N, C, (2n + 1) * (before + after)) float32.
    """
    offsets = np.arange(-neighbours, neighbours + 1)  # (P,)
    beat = np.asarray(centre, dtype=np.int64)[:, None] + offsets[None, :]  # (N, P)
    steps = np.arange(-before, after, dtype=np.int64)  # (L,)
    # (N, P, 1) + (L,) -> (N, P, L) -> (N, P * L) sample grid
    grid = (peaks[beat][:, :, None] + steps).reshape(len(beat), -1)
    return np.ascontiguousarray(values[:, grid].transpose(1, 0, 2), dtype=np.float32)


def neighbour_fit(
    peaks: np.ndarray, length: int, *, before: int, after: int, neighbours: int
) -> np.ndarray:
    """(K,) bool: beats whose own and neighbours' windows all lie in [0, length)."""
    peaks = np.asarray(peaks, dtype=np.int64)
    inside = (peaks - before >= 0) & (peaks + after <= length)  # (K,)
    fits = inside.copy()
    for shift in range(1, neighbours + 1):
        fits[:shift] = False
        fits[len(fits) - shift :] = False
        fits[shift:] &= inside[:-shift]
        fits[:-shift] &= inside[shift:]
    return fits
