"""Resampling: rate ratios, a sine's frequency, gap re-masking, annotations, MIT-BIH."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from tscl.data.records import Annotations, Series
from tscl.data.resample import rate_ratio, resample, resample_array
from tscl.errors import DataError


def test_rate_ratio_is_reduced_fraction() -> None:
    assert rate_ratio(360, 250) == (25, 36)
    assert rate_ratio(1000, 360) == (9, 25)
    assert rate_ratio(100, 200) == (2, 1)
    with pytest.raises(DataError, match="positive"):
        rate_ratio(0, 100)


def test_sine_keeps_its_frequency() -> None:
    fs, fs_new, hz = 360.0, 250.0, 5.0
    t = np.arange(3600) / fs
    x = np.stack([np.sin(2 * np.pi * hz * t), np.cos(2 * np.pi * hz * t)])  # (2, 3600)
    y = resample_array(x, fs, fs_new)
    assert y.shape == (2, 2500)  # 3600 * 25 / 36
    assert y.dtype == np.float32
    t_new = np.arange(2500) / fs_new
    expected = np.stack(
        [np.sin(2 * np.pi * hz * t_new), np.cos(2 * np.pi * hz * t_new)]
    )
    # away from the edges the filtered result matches the analytic signal
    assert np.abs(y[:, 100:-100] - expected[:, 100:-100]).max() < 1e-3


def test_length_rounds_up_and_leading_axes_kept() -> None:
    x = np.zeros((3, 2, 10), dtype=np.float32)
    assert resample_array(x, 3, 2).shape == (3, 2, 7)  # ceil(10 * 2 / 3)
    same = resample_array(x[0], 100, 100)
    assert same.shape == (2, 10) and same is not x[0]


def test_gaps_are_remasked_in_new_time_base() -> None:
    x = np.ones(12, dtype=np.float32)
    x[4:6] = np.nan  # gap at original samples 4 and 5
    y = resample_array(x, fs=2, fs_new=3)  # up 3, down 2: new j sits at old 2j/3
    # j=6 -> 4.0 and j=7 -> 4.67 and j=8 -> 5.33 touch the gap; j=5 -> 3.33 (3, 4) also
    # touches sample 4; j=9 -> 6.0 does not.
    assert np.flatnonzero(np.isnan(y)).tolist() == [5, 6, 7, 8]
    observed = ~np.isnan(y)
    # filled gaps keep the constant; each polyphase branch has a DC gain within 1e-3
    assert np.allclose(y[observed], 1.0, atol=2e-3)


def test_all_nan_channel_stays_nan() -> None:
    x = np.stack([np.full(8, np.nan), np.arange(8.0)]).astype(np.float32)
    y = resample_array(x, fs=4, fs_new=2)
    assert np.isnan(y[0]).all() and not np.isnan(y[1]).any()


def test_series_metadata_moves_to_new_base() -> None:
    series = Series(
        values=np.zeros((1, 40), dtype=np.float32),
        fs=4.0,
        timestamps=np.datetime64("2024-01-01T00:00:00", "ns")
        + np.arange(40) * np.timedelta64(250, "ms"),
        step_labels=np.repeat(["a", "b"], 20),
        annotations=Annotations(
            sample=[0, 7, 39], label=["p", "q", "r"], duration=[4, 0, 0]
        ),
        recording="r",
    )
    out = resample(series, 2.0)
    assert out.fs == 2.0 and out.values.shape == (1, 20)
    assert out.annotations.sample.tolist() == [0, 4, 20 - 1]  # 7 / 2 = 3.5 rounds up
    assert out.annotations.duration.tolist() == [2, 0, 0]
    assert out.step_labels.tolist() == ["a"] * 10 + ["b"] * 10
    assert out.timestamps[1] - out.timestamps[0] == np.timedelta64(500, "ms")
    assert out.meta["resampled_from"] == 4.0
    with pytest.raises(DataError, match="fs=None"):
        resample(Series(values=np.zeros((1, 4))), 2.0)


def test_mitdb_100_r_peaks_survive(data_dir: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import wfdb

        path = str(data_dir / "ecg" / "wfdb" / "mitdb" / "100")
        record = wfdb.rdrecord(path, sampto=36000)  # the first 100 s
        annotation = wfdb.rdann(path, "atr", sampto=36000)
    series = Series(
        values=record.p_signal.T,
        fs=record.fs,
        annotations=Annotations(sample=annotation.sample, label=annotation.symbol),
    )
    out = resample(series, 250)
    assert out.values.shape == (2, 25000)  # 36000 * 25 / 36
    beats = annotation.symbol == np.array("N")
    old_peaks = series.values[0, annotation.sample[np.asarray(beats)]]
    new_peaks = out.values[0, out.annotations.sample[np.asarray(beats)]]
    # the R peak lands within 1.4 ms of a new sample, so the amplitude barely changes
    assert np.median(np.abs(new_peaks - old_peaks)) < 0.05  # mV
    assert np.isfinite(out.values).all()
