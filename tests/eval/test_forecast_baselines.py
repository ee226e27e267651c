"""Encoder-free forecasts and the validation-chosen ridge, against hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest

from tscl.errors import DataError
from tscl.eval.forecast_baselines import (
    forecast_errors,
    future_windows,
    last_value_forecast,
    seasonal_naive_forecast,
    seasonal_period,
)
from tscl.eval.forecast_select import last_values, select_ridge_forecast


def test_last_value_and_seasonal_naive_by_hand() -> None:
    targets = np.arange(10, dtype=float)[:, None]  # (T, 1): 0, 1, ..., 9
    true = future_windows(targets, 4, 10, 2)  # t = 4 .. 7
    assert true[:, :, 0].tolist() == [[5, 6], [6, 7], [7, 8], [8, 9]]
    last = last_value_forecast(targets, 4, 10, 2)
    assert last[:, :, 0].tolist() == [[4, 4], [5, 5], [6, 6], [7, 7]]
    # period 3: t+1 <- t-2, t+2 <- t-1, t+3 <- t, t+4 <- t-2 + 3 ... one season back
    season = seasonal_naive_forecast(targets, 4, 10, 4, period=3)
    assert season[0, :, 0].tolist() == [2, 3, 4, 2]
    assert forecast_errors(last, true) == {"mse": 2.5, "mae": 1.5}
    with pytest.raises(DataError, match="needs 4 rows"):
        seasonal_naive_forecast(targets, 3, 10, 2, period=5)


def test_seasonal_period_from_the_step() -> None:
    assert seasonal_period(3600) == 24
    assert seasonal_period(900) == 96
    assert seasonal_period(86_400) == 7
    assert seasonal_period(7 * 86_400) == 52
    assert seasonal_period(None) == 1


def test_last_values_tile_step_major() -> None:
    targets = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [4.0, 40.0]])
    assert last_values(targets, 2, 1).tolist() == [[2, 20, 2, 20]]


def _random_walk(length: int, seed: int) -> np.ndarray:
    return np.cumsum(np.random.default_rng(seed).normal(size=(length, 1)), axis=0)


def test_selection_reads_validation_only_and_prefers_informative_features() -> None:
    walk = _random_walk(900, 0)
    noise = np.random.default_rng(1).normal(size=(900, 4))
    splits = {"train": slice(0, 500), "val": slice(500, 700), "test": slice(700, 900)}
    targets = {s: walk[p] for s, p in splits.items()}
    sets = {
        "noise": {s: noise[p] for s, p in splits.items()},
        "value": {s: walk[p] for s, p in splits.items()},
    }
    result = select_ridge_forecast(sets, targets, [1, 5])
    assert result[1]["features"] == "value" and result[5]["features"] == "value"
    # The last value of a random walk is its best forecast: the ridge is close to it.
    last = np.mean((walk[701:900] - walk[700:899]) ** 2)
    assert result[1]["mse"] == pytest.approx(last, rel=0.05)
    # Test targets never enter the choice.
    shifted = {**targets, "test": targets["test"] + 100.0}
    again = select_ridge_forecast(sets, shifted, [1, 5])
    for horizon in (1, 5):
        assert again[horizon]["features"] == result[horizon]["features"]
        assert again[horizon]["alpha"] == result[horizon]["alpha"]
        assert again[horizon]["val_mse"] == result[horizon]["val_mse"]
    weights, bias = result[5]["head"]["weights"], result[5]["head"]["bias"]
    assert weights.shape == (1, 5) and bias.shape == (5,)


def test_another_target_form_reuses_the_decomposition_exactly() -> None:
    from tscl.eval.forecast import RidgePath
    from tscl.eval.forecast_select import _same_inputs

    rng = np.random.default_rng(0)
    x, y_a, y_b = (rng.normal(size=(200, k)) for k in (5, 3, 3))
    fresh = RidgePath(x, y_b + 2.0).predict(x[:5], 1.0)
    reused = _same_inputs(RidgePath(x, y_a), x, y_b + 2.0).predict(x[:5], 1.0)
    np.testing.assert_allclose(reused, fresh, atol=1e-10)
