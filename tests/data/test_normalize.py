"""ChannelScaler: hand-computed statistics, NaN handling, pieces, storage, errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tscl.data.normalize import ChannelScaler
from tscl.errors import DataError


def _windows() -> np.ndarray:
    # channel 0 holds 1..8 (mean 4.5, population var 5.25), channel 1 is constant 3
    x = np.zeros((2, 2, 4), dtype=np.float32)  # (N, C, L)
    x[:, 0] = np.arange(1, 9).reshape(2, 4)
    x[:, 1] = 3.0
    return x


def test_fit_per_channel_over_windows_and_time() -> None:
    scaler = ChannelScaler().fit(_windows())
    assert scaler.mean.tolist() == [4.5, 3.0]
    assert scaler.std[0] == pytest.approx(np.sqrt(5.25))
    assert scaler.std[1] == 1.0  # constant channel: std 0 -> 1
    assert scaler.count.tolist() == [8, 8]
    out = scaler.transform(_windows())
    assert out.dtype == np.float32 and out.shape == (2, 2, 4)
    assert out[0, 0, 0] == pytest.approx((1 - 4.5) / np.sqrt(5.25))
    assert np.all(out[:, 1] == 0.0)


def test_nan_is_ignored_when_fitting_and_kept_when_transforming() -> None:
    x = np.array(
        [[[1.0, np.nan, 3.0], [2.0, 2.0, np.nan]]], dtype=np.float32
    )  # (1, 2, 3)
    scaler = ChannelScaler().fit(x)
    assert scaler.mean.tolist() == [2.0, 2.0]
    assert scaler.std[0] == pytest.approx(1.0)  # values 1, 3 around 2
    out = scaler.transform(x)
    assert np.isnan(out[0, 0, 1]) and np.isnan(out[0, 1, 2])
    assert out[0, 0].tolist()[::2] == [-1.0, 1.0]


def test_fit_on_records_of_different_lengths_equals_pooled_fit() -> None:
    rng = np.random.default_rng(0)
    records = [rng.normal(loc=i, scale=i + 1, size=(3, 50 + 17 * i)) for i in range(4)]
    pooled = np.concatenate(records, axis=1)  # (3, sum T)
    by_record = ChannelScaler().fit(records)
    np.testing.assert_allclose(by_record.mean, pooled.mean(axis=1), rtol=1e-10)
    np.testing.assert_allclose(by_record.std, pooled.std(axis=1), rtol=1e-10)
    piecewise = ChannelScaler()
    for record in records:
        piecewise.partial_fit(record)
    np.testing.assert_allclose(piecewise.std, by_record.std, rtol=1e-10)


def test_refit_forgets_previous_data() -> None:
    scaler = ChannelScaler().fit(_windows())
    scaler.fit(_windows() + 10)
    assert scaler.mean.tolist() == [14.5, 13.0]


def test_round_trip_through_json() -> None:
    scaler = ChannelScaler().fit(_windows())
    restored = ChannelScaler.from_dict(json.loads(json.dumps(scaler.to_dict())))
    np.testing.assert_array_equal(
        restored.transform(_windows()), scaler.transform(_windows())
    )
    np.testing.assert_allclose(
        restored.inverse_transform(scaler.transform(_windows())), _windows(), atol=1e-5
    )
    with pytest.raises(DataError, match="missing keys"):
        ChannelScaler.from_dict({"mean": [0.0]})
    with pytest.raises(DataError, match="positive"):
        ChannelScaler.from_dict({"mean": [0.0], "std": [0.0]})


def test_errors() -> None:
    scaler = ChannelScaler()
    with pytest.raises(DataError, match="not fitted"):
        scaler.transform(_windows())
    scaler.fit(_windows())
    with pytest.raises(DataError, match="fitted on 2 channels, got data with 3"):
        scaler.transform(np.zeros((4, 3, 5)))
    with pytest.raises(DataError, match=r"channels \[1\]"):
        ChannelScaler().fit(np.array([[[1.0, 2.0], [np.nan, np.nan]]])).transform(
            np.zeros((2, 2))
        )
