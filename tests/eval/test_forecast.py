"""Forecasting protocol: causal features, per-split samples, ridge, real ETTh1."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.linear_model import Ridge

from tscl.encoders import DilatedConvEncoder
from tscl.errors import ConfigError, DataError
from tscl.eval.forecast import (
    RidgePath,
    causal_sliding_embed,
    horizon_samples,
    ridge_forecast_protocol,
    time_features,
)


def lag_features(num_lags: int):  # noqa: ANN201 - returns an encode_fn
    """A causal "encoder": the last ``num_lags`` values, (B, 1, L) -> (B, num_lags, 1)."""

    def encode(windows: torch.Tensor) -> torch.Tensor:
        return torch.nan_to_num(windows[:, 0, -num_lags:], nan=0.0).unsqueeze(-1)

    return encode


def naive_mse(series: np.ndarray, horizon: int) -> float:
    """MSE of repeating the last value for H steps, over one split's samples."""
    count = len(series) - horizon
    future = np.stack([series[1 + i : 1 + i + count] for i in range(horizon)], axis=1)
    return float(np.mean((future - series[:count, None]) ** 2))


def test_time_features_hand_values() -> None:
    index = pd.DatetimeIndex(
        ["2016-07-01 00:15", "2021-01-01 13:59", "2016-12-31 23:00"]
    )
    # 2016-07-01 is a Friday, day 183 of a leap year, ISO week 26;
    # 2021-01-01 is a Friday in ISO week 53 (of 2020); 2016-12-31 is a Saturday.
    expected = [
        [15, 0, 4, 1, 183, 7, 26],
        [59, 13, 4, 1, 1, 1, 53],
        [0, 23, 5, 31, 366, 12, 52],
    ]
    np.testing.assert_array_equal(time_features(index), expected)
    with pytest.raises(DataError, match="DatetimeIndex"):
        time_features(pd.Index([1, 2]))  # type: ignore[arg-type]


def test_identity_encoder_gives_the_series_back() -> None:
    x = np.arange(20, dtype=np.float32).reshape(2, 10)
    features = causal_sliding_embed(lambda w: w, x, padding=3, batch_size=4)
    np.testing.assert_array_equal(features, x.T)


def test_sliding_features_never_see_the_future() -> None:
    torch.manual_seed(0)
    encoder = DilatedConvEncoder(
        2, hidden_dims=8, output_dims=6, depth=3
    ).eval()  # not causal
    x = torch.randn(2, 60)
    changed = x.clone()
    changed[:, 31:] += 3.0
    base = causal_sliding_embed(encoder, x, padding=10, batch_size=16)
    after = causal_sliding_embed(encoder, changed, padding=10, batch_size=7)
    assert base.shape == (60, 6) and np.isfinite(base).all()
    np.testing.assert_allclose(base[:31], after[:31], rtol=1e-5, atol=1e-6)
    assert not np.allclose(base[31:], after[31:])
    # The window is padding + 1 steps: changing x[:, :10] leaves features t >= 20 alone.
    early = x.clone()
    early[:, :10] -= 2.0
    np.testing.assert_allclose(
        base[20:],
        causal_sliding_embed(encoder, early, padding=10)[20:],
        rtol=1e-5,
        atol=1e-6,
    )


def test_horizon_samples_hand_values() -> None:
    targets = np.stack([np.arange(6.0), 100 + np.arange(6.0)], axis=1)  # (6, 2)
    features = 10 * np.arange(6.0)[:, None]
    x, y = horizon_samples(features, targets, horizon=2, drop=1)
    np.testing.assert_array_equal(x[:, 0], [10, 20, 30])
    np.testing.assert_array_equal(
        y, [[2, 102, 3, 103], [3, 103, 4, 104], [4, 104, 5, 105]]
    )


def test_ridge_path_matches_scikit_learn() -> None:
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(80, 6)) + 3.0, rng.normal(size=(80, 4))
    x_new = rng.normal(size=(10, 6))
    path = RidgePath(x, y)
    for alpha in (0.1, 5.0, 1000.0):
        reference = Ridge(alpha=alpha).fit(x, y)
        np.testing.assert_allclose(
            path.coefficients(alpha), reference.coef_.T, atol=1e-10
        )
        np.testing.assert_allclose(
            path.predict(x_new, alpha), reference.predict(x_new), atol=1e-10
        )


def ar2_splits() -> dict[str, np.ndarray]:
    """AR(2) x_t = 1.5 x_{t-1} - 0.75 x_{t-2} + e_t, unit noise, split 60/20/20."""
    rng = np.random.default_rng(1)
    x = np.zeros(3200)
    noise = rng.normal(size=3200)
    for t in range(2, 3200):
        x[t] = 1.5 * x[t - 1] - 0.75 * x[t - 2] + noise[t]
    x = x[200:]  # burn-in
    return {"train": x[:1800], "val": x[1800:2400], "test": x[2400:]}


def test_ridge_on_lags_beats_last_value_on_an_ar_process() -> None:
    splits = ar2_splits()
    features = {
        s: causal_sliding_embed(lag_features(4), v[None], padding=4)
        for s, v in splits.items()
    }
    targets = {s: v[:, None] for s, v in splits.items()}
    result = ridge_forecast_protocol(features, targets, [1, 5, 20], drop=4)
    for horizon, scores in result.items():
        assert scores["mse"] < naive_mse(splits["test"], horizon), horizon
        assert scores["alpha"] in (
            0.1,
            0.2,
            0.5,
            1,
            2,
            5,
            10,
            20,
            50,
            100,
            200,
            500,
            1000,
        )
    # One step ahead the best possible MSE is the noise variance, 1.
    assert result[1]["mse"] < 1.15


def test_alpha_is_chosen_without_the_test_split() -> None:
    splits = ar2_splits()
    features = {
        s: causal_sliding_embed(lag_features(3), v[None], padding=3)
        for s, v in splits.items()
    }
    targets = {s: v[:, None] for s, v in splits.items()}
    honest = ridge_forecast_protocol(features, targets, [3])
    targets["test"] = targets["test"] * 2.0
    altered = ridge_forecast_protocol(features, targets, [3])
    assert honest[3]["alpha"] == altered[3]["alpha"]
    assert honest[3]["mse"] != altered[3]["mse"]


def test_etth1_ot_ridge_on_lags(data_dir: Path) -> None:
    frame = pd.read_csv(data_dir / "forecasting" / "ETT-small" / "ETTh1.csv")
    ot = frame["OT"].to_numpy()
    bounds = {
        "train": slice(0, 8640),
        "val": slice(8640, 11520),
        "test": slice(11520, 14400),
    }
    train = ot[bounds["train"]]
    scaled = (ot - train.mean()) / train.std()  # train statistics only
    splits = {s: scaled[b] for s, b in bounds.items()}
    features = {
        s: causal_sliding_embed(lag_features(48), v[None], padding=48)
        for s, v in splits.items()
    }
    targets = {s: v[:, None] for s, v in splits.items()}
    result = ridge_forecast_protocol(features, targets, [24, 48], drop=48)
    # Measured MSE .0302 / .0459; last value gives .0343 / .0502.
    assert result[24]["mse"] < 0.033 and result[48]["mse"] < 0.049
    for horizon in (24, 48):
        assert result[horizon]["mse"] < naive_mse(splits["test"], horizon)


def test_bad_inputs_raise() -> None:
    good = {s: np.zeros((20, 2)) for s in ("train", "val", "test")}
    with pytest.raises(DataError, match="missing"):
        ridge_forecast_protocol(
            {"train": good["train"], "test": good["test"]}, good, [2]
        )
    with pytest.raises(DataError, match="one length"):
        ridge_forecast_protocol({**good, "val": np.zeros((19, 2))}, good, [2])
    with pytest.raises(DataError, match="train"):
        ridge_forecast_protocol(good, good, [2], drop=17)
    with pytest.raises(ConfigError, match="alphas"):
        ridge_forecast_protocol(good, good, [2], alphas=(0.0, 1.0))
    with pytest.raises(DataError, match=r"\(C, T\)"):
        causal_sliding_embed(lambda w: w, np.zeros(5))
