"""The forecast domain's inputs without look-ahead: split borders, lag and embedding features, end-to-end windows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from tscl.data.records import Series
from tscl.domains.forecast.baselines import naive_forecasts
from tscl.domains.forecast.direct import (
    direct_split_forecasts,
    score_direct,
    train_end_to_end,
    validation_mse,
)
from tscl.domains.forecast.end_to_end import EndToEndForecaster
from tscl.domains.forecast.load import _user_series
from tscl.domains.forecast.protocol import (
    NUM_COVARIATES,
    anchor_windows,
    embedding_feature_sets,
    embedding_weight,
    lag_split_features,
    prepare_forecast,
    split_features,
    unweight_head,
)
from tscl.encoders.dilated_conv import DilatedConvEncoder
from tscl.errors import ConfigError, DataError
from tscl.eval.forecast_select import select_ridge_forecast
from tscl.methods.autotcl import AutoTCL


def _series(values: np.ndarray) -> Series:
    stamps = pd.date_range("2020-01-01", periods=values.shape[1], freq="h")
    return Series(
        values=values.astype(np.float32),
        timestamps=stamps.to_numpy(),
        channels=tuple(f"c{i}" for i in range(len(values))),
    )


BORDERS = (300, 400, 500)


def _data(values: np.ndarray):  # noqa: ANN202
    return prepare_forecast(_series(values), targets=["c1"], borders=BORDERS)


def test_a_csv_without_a_card_splits_60_20_20_by_rows_or_ett_months(
    tmp_path: Path,
) -> None:
    path = tmp_path / "load.csv"
    stamps = pd.date_range("2020-01-01", periods=12_000, freq="h")
    pd.DataFrame({"when": stamps, "y": np.arange(12_000.0)}).to_csv(path, index=False)
    _, borders = _user_series(path, {"date": "when"})
    assert borders == (7200, 9600, 12_000)
    with pytest.raises(DataError, match="needs 14400 rows"):
        _user_series(path, {"date": "when", "split": "ett"})
    quarter = pd.date_range("2020-01-01", periods=60_000, freq="15min")
    pd.DataFrame({"when": quarter, "y": np.zeros(60_000)}).to_csv(path, index=False)
    _, borders = _user_series(path, {"date": "when", "split": "ett"})
    assert borders == (34560, 46080, 57600)


def test_features_do_not_look_past_each_splits_end() -> None:
    values = np.random.default_rng(0).normal(size=(2, 500))
    altered = values.copy()
    altered[:, 400:] += 50.0  # only the test rows change
    data, changed = _data(values), _data(altered)
    torch.manual_seed(0)
    encoder = DilatedConvEncoder(
        NUM_COVARIATES + 1, hidden_dims=8, output_dims=8, depth=2
    )
    for features in (
        lambda d: lag_split_features(d, 24),
        lambda d: split_features(encoder, d, padding=30, device="cpu"),
    ):
        before, after = features(data), features(changed)
        for split in ("train", "val"):
            np.testing.assert_array_equal(before[split], after[split])
        assert not np.allclose(before["test"], after["test"])
    model = EndToEndForecaster(encoder, num_targets=1, horizon=5, lookback=31)
    before = direct_split_forecasts(model, data)
    after = direct_split_forecasts(model, changed)
    for split in ("train", "val"):
        np.testing.assert_array_equal(before[split], after[split])


def test_anchored_windows_read_the_shape_not_the_level() -> None:
    batch = torch.randn(3, NUM_COVARIATES + 2, 6)
    batch[0, NUM_COVARIATES:, :2] = float("nan")  # padding before the series starts
    out = anchor_windows(batch)
    torch.testing.assert_close(out[:, :NUM_COVARIATES], batch[:, :NUM_COVARIATES])
    assert (out[:, NUM_COVARIATES:, -1] == 0).all()
    assert torch.isnan(out[0, NUM_COVARIATES:, :2]).all()
    shifted = batch.clone()
    shifted[:, NUM_COVARIATES:] += 5.0
    torch.testing.assert_close(anchor_windows(shifted), out, equal_nan=True)
    rng = np.random.default_rng(2)
    data = _data(rng.normal(size=(2, 600)).cumsum(axis=1))
    data.anchored = True
    encoder = DilatedConvEncoder(data.x.shape[0], hidden_dims=8, output_dims=4, depth=1)
    before = split_features(encoder, data, padding=20, device="cpu")
    data.x[NUM_COVARIATES:] += 3.0  # every target at another level
    after = split_features(encoder, data, padding=20, device="cpu")
    np.testing.assert_allclose(after["test"], before["test"], atol=1e-5)


def test_lag_features_hold_the_last_values() -> None:
    values = np.arange(1000, dtype=float).reshape(2, 500)
    data = _data(values)
    lags = lag_split_features(data, 3)
    scaled = data.targets("val")[:, 0]
    np.testing.assert_allclose(lags["val"][5], scaled[3:6])
    assert lags["train"][0].tolist()[:2] == [0.0, 0.0]  # before the series starts


def test_weighted_embedding_candidates_and_their_heads_act_on_the_raw_embedding() -> (
    None
):
    rng = np.random.default_rng(3)
    data = _data(rng.normal(size=(2, 600)).cumsum(axis=1))
    splits = ("train", "val", "test")
    embedding = {s: rng.normal(size=(len(data.targets(s)), 4)) for s in splits}
    sets = embedding_feature_sets(embedding, data, (0, 5), (0.1, 1.0))
    assert list(sets) == ["embedding", "embedding x0.1+5 lags", "embedding+5 lags"]
    weighted = sets["embedding x0.1+5 lags"]["val"]
    np.testing.assert_allclose(weighted[:, :4], 0.1 * embedding["val"])
    np.testing.assert_allclose(weighted[:, 4:], lag_split_features(data, 5)["val"])
    assert [embedding_weight(n) for n in sets] == [1.0, 0.1, 1.0]
    only = {"embedding x0.1+5 lags": sets["embedding x0.1+5 lags"]}
    targets = {s: data.targets(s) for s in splits}
    result = select_ridge_forecast(
        only, targets, [3], relative=(False,), keep_predictions=True
    )[3]
    head = result["head"]
    unweight_head(head, embedding_weight(result["features"]), 4)
    raw = np.concatenate([embedding["test"], lag_split_features(data, 5)["test"]], 1)
    replayed = raw[: len(raw) - 3] @ head["weights"] + head["bias"]  # (n, 3)
    np.testing.assert_allclose(replayed, result["test_pred"][:, :, 0], atol=1e-4)
    with pytest.raises(ConfigError, match="embedding_weights"):
        embedding_feature_sets(embedding, data, (5,), (0.0,))


def test_naive_forecasts_on_scaled_test_windows() -> None:
    values = np.random.default_rng(1).normal(size=(2, 500))
    data = _data(values)
    scores = naive_forecasts(data, [4])
    test = data.all_targets()[400:500, 0]
    true = np.stack([test[1 + k : 97 + k] for k in range(4)], axis=1)
    expected = np.mean((true - test[:96, None]) ** 2)
    assert scores["last value"][4]["mse"] == pytest.approx(expected)
    assert data.period == 24


def test_end_to_end_training_lowers_the_validation_error() -> None:
    t = np.arange(500)
    values = np.stack([np.sin(t / 5.0), np.sin(t / 3.0) + 0.1 * np.cos(t / 7.0)])
    data = _data(values)
    torch.manual_seed(0)
    encoder = DilatedConvEncoder(
        NUM_COVARIATES + 1, hidden_dims=8, output_dims=8, depth=2
    )
    model = EndToEndForecaster(
        encoder, num_targets=1, horizon=6, lookback=32, windows_per_row=8
    )
    untrained = score_direct(direct_split_forecasts(model, data), data, [6])
    train_end_to_end(model, data, steps=25, seed=0, lr=3e-3, val_steps=[10, 20])
    trained = score_direct(direct_split_forecasts(model, data), data, [6])
    assert trained[6]["val_mse"] < 0.5 * untrained[6]["val_mse"]
    assert model.chosen_steps in (10, 20, 25)  # the validation-best weights are kept
    assert validation_mse(model, data) == pytest.approx(trained[6]["val_mse"], rel=1e-5)


def test_end_to_end_composes_with_learned_views_and_keeps_windows_inside_rows() -> None:
    encoder = DilatedConvEncoder(
        NUM_COVARIATES + 1, hidden_dims=8, output_dims=8, depth=2
    )
    model = EndToEndForecaster(
        encoder,
        num_targets=1,
        horizon=6,
        lookback=32,
        contrastive=AutoTCL(encoder),
        weight=0.1,
    )
    groups = model.parameter_groups()
    assert set(groups) == {"augment", "encoder"}
    head = {id(p) for p in model.head.parameters()}
    assert head <= {id(p) for p in groups["encoder"]}
    assert model.step_groups(0) == ["augment", "encoder"]
    rows = torch.full((1, 8, 50), float("nan"))
    rows[:, :, 5:45] = torch.randn(1, 8, 40)
    generator = torch.Generator().manual_seed(0)
    windows = model.windows(rows, generator)
    assert not torch.isnan(windows).any() and windows.shape == (16, 8, 38)
    for group in ("augment", "encoder"):
        terms = model(rows, generator, group=group)
        assert torch.isfinite(terms["loss"])
    assert "mse" in model(rows, generator, group="encoder")


def test_channel_independent_forecasts_each_target_alone_with_one_head() -> None:
    torch.manual_seed(0)
    encoder = DilatedConvEncoder(
        NUM_COVARIATES + 1, hidden_dims=8, output_dims=8, depth=2
    ).eval()
    model = EndToEndForecaster(
        encoder, num_targets=3, horizon=4, lookback=16, channel_independent=True
    ).eval()
    x = torch.randn(2, NUM_COVARIATES + 3, 16)
    with torch.no_grad():
        out = model.forecast(x)  # (B, H, C_t)
        alone = model._forecast(torch.cat([x[:, :NUM_COVARIATES], x[:, 8:9]], 1), 1)
    assert out.shape == (2, 4, 3)
    torch.testing.assert_close(out[:, :, 1:2], alone)
