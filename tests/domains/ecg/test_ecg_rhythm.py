"""RR features and neighbouring-beat windows against hand-computed values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tscl.data.aami import aami_class
from tscl.data.read_wfdb import read_wfdb
from tscl.domains.ecg.rhythm import (
    neighbour_fit,
    neighbour_windows,
    rr_channels,
    rr_features,
    rr_intervals,
    rr_irregularity,
)


def test_rr_irregularity_by_hand() -> None:
    # pre-RR: 100 100 100 200 100 100 (the first beat's is its post-RR)
    peaks = np.array([0, 100, 200, 400, 500, 600])
    log_pre = np.log([100, 100, 100, 200, 100, 100])
    # half=1: windows of 3 log pre-RR, edges repeated; median |successive difference|
    padded = np.concatenate([log_pre[:1], log_pre, log_pre[-1:]])
    expected = [
        np.median(np.abs(np.diff(padded[k : k + 3]))) for k in range(len(peaks))
    ]
    got = rr_irregularity(peaks, half=1)
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert got[3] == pytest.approx(np.log(2)) and got[0] == 0
    regular = rr_irregularity(np.arange(0, 3000, 300))
    assert np.all(regular == 0) and regular.dtype == np.float32
    assert np.isnan(rr_irregularity(np.array([5]))).all()


def test_rr_features_tiny_hand_example() -> None:
    # intervals 100, 200, 100 -> mean RR 400 / 3
    features = rr_features(np.array([0, 100, 300, 400]), fs=1.0, average_s=1e6)
    unit = 400 / 3
    np.testing.assert_allclose(
        features[:, 0], np.array([100, 100, 200, 100]) / unit, rtol=1e-6
    )
    np.testing.assert_allclose(
        features[:, 1], np.array([100, 200, 100, 100]) / unit, rtol=1e-6
    )
    # local: running mean of pre-RR (fewer than 10 beats so far)
    local = np.array([100, 100, 400 / 3, 500 / 4]) / unit
    np.testing.assert_allclose(features[:, 2], local, rtol=1e-6)
    np.testing.assert_allclose(features[:, 3], np.full(4, 500 / 4) / unit, rtol=1e-6)
    assert features.dtype == np.float32 and features.shape == (4, 4)


def test_rr_features_against_hand_computation_on_record_101(mitdb: Path) -> None:
    """The first 6 minutes of record 101: every feature recomputed beat by beat."""
    series = read_wfdb(mitdb / "101", sampto=6 * 60 * 360)
    assert series.annotations is not None
    peaks = np.array(
        [
            sample
            for sample, label in zip(
                series.annotations.sample, series.annotations.label, strict=True
            )
            if aami_class(label) is not None
        ]
    )
    features = rr_features(peaks, fs=360.0)
    count = len(peaks)
    intervals = [int(peaks[i + 1] - peaks[i]) for i in range(count - 1)]
    mean_rr = sum(intervals) / len(intervals)
    pre = [intervals[0]] + intervals
    post = intervals + [intervals[-1]]
    for i in range(count):
        local = pre[max(0, i - 9) : i + 1]
        window = [pre[j] for j in range(count) if abs(peaks[j] - peaks[i]) <= 150 * 360]
        expected = [
            pre[i] / mean_rr,
            post[i] / mean_rr,
            sum(local) / len(local) / mean_rr,
            sum(window) / len(window) / mean_rr,
        ]
        np.testing.assert_allclose(features[i], expected, rtol=1e-5)
    # beat 3 of record 101 by its raw samples
    assert features[3, 0] == np.float32((peaks[3] - peaks[2]) / mean_rr)
    # 6 minutes > the 5-minute window: the first and last beats average different beats
    assert peaks[-1] - peaks[0] > 300 * 360
    assert features[0, 3] != features[-1, 3]


def test_rr_of_fewer_than_two_beats_is_nan() -> None:
    assert np.isnan(rr_features(np.array([5]), fs=360.0)).all()
    assert rr_features(np.zeros(0, dtype=np.int64), fs=360.0).shape == (0, 4)


def test_rr_intervals_and_channels() -> None:
    pre, post = rr_intervals(np.array([10, 30, 70]))
    np.testing.assert_array_equal(pre, [20, 20, 40])
    np.testing.assert_array_equal(post, [20, 40, 40])
    channels = rr_channels(np.array([[1.0, 2.0, 3.0, 4.0]]), length=5)
    assert channels.shape == (1, 4, 5)
    np.testing.assert_array_equal(channels[0, 2], np.full(5, 3.0))


def test_neighbour_windows_line_up_three_beats() -> None:
    values = np.arange(2 * 100, dtype=np.float32).reshape(2, 100)  # (C, T)
    peaks = np.array([5, 30, 50, 70, 97])
    fits = neighbour_fit(peaks, 100, before=3, after=4, neighbours=1)
    # beat 0 has no previous beat, beat 4's window runs out, beat 3's next is beat 4
    np.testing.assert_array_equal(fits, [False, True, True, False, False])
    x = neighbour_windows(values, peaks, np.array([1, 2]), before=3, after=4)
    assert x.shape == (2, 2, 21)
    np.testing.assert_array_equal(x[0, 0, :7], np.arange(2, 9))  # beat 0 at 5
    np.testing.assert_array_equal(x[0, 0, 7:14], np.arange(27, 34))  # beat 1 at 30
    np.testing.assert_array_equal(x[1, 1, 14:], 100 + np.arange(67, 74))  # beat 3
    single = neighbour_windows(
        values, peaks, np.array([2]), before=3, after=4, neighbours=0
    )
    np.testing.assert_array_equal(single[0, 0], np.arange(47, 54))
