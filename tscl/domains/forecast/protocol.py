"""The TS2Vec univariate/multivariate forecasting recipe, without look-ahead.

Inputs are the target column(s) plus TS2Vec's 7 calendar covariates, each
standardised with statistics of the training split only. The encoder is
pretrained on the training split only. Features for each split are causal
sliding-window embeddings: the feature at step t is computed from steps
t - padding .. t and nothing later, and each split is encoded separately
(its windows may reach back into earlier data, never forward), so no value
after a split point enters any feature of that split.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from tscl.data.normalize import ChannelScaler
from tscl.data.records import Series
from tscl.errors import ConfigError, DataError
from tscl.eval.forecast import (
    causal_sliding_embed,
    ridge_forecast_protocol,
    time_features,
)
from tscl.eval.forecast_baselines import seasonal_period
from tscl.eval.forecast_select import select_ridge_forecast
from tscl.train.device import resolve_device

NUM_COVARIATES = 7


@dataclass
class ForecastData:
    """Model inputs (C, T) = [covariates; targets] and the split borders, all scaled on train."""

    x: np.ndarray  # (7 + targets, T) float32
    borders: tuple[int, int, int]  # ends of train, val, test
    target_names: list[str]
    scaler: dict[str, Any] | None = None  # ChannelScaler.to_dict() of the training rows
    period: int = 1  # the seasonal naive forecast's season, in steps
    channel_independent: bool = False  # encode each target alone beside the covariates
    anchored: bool = False  # encode each window's targets relative to their last value

    @property
    def num_targets(self) -> int:
        return len(self.target_names)

    def split(self, name: str) -> slice:
        train_end, val_end, test_end = self.borders
        return {
            "train": slice(0, train_end),
            "val": slice(train_end, val_end),
            "test": slice(val_end, test_end),
        }[name]

    def targets(self, name: str) -> np.ndarray:
        """The target columns of one split, (T_s, C_t)."""
        return self.x[NUM_COVARIATES:, self.split(name)].T

    def all_targets(self) -> np.ndarray:
        """The target columns of every row, (T, C_t)."""
        return self.x[NUM_COVARIATES:].T


def prepare_forecast(
    series: Series, *, targets: list[str], borders: tuple[int, int, int]
) -> ForecastData:
    """Selects target channels, adds calendar covariates, scales both on the training split."""
    if series.timestamps is None:
        raise DataError(
            series.recording or "series", "forecasting needs timestamps (a date column)"
        )
    missing = [name for name in targets if name not in series.channels]
    if missing:
        raise DataError(
            series.recording or "series",
            f"no column(s) {missing}; columns are {list(series.channels)}",
        )
    train_end, val_end, test_end = borders
    if not 0 < train_end < val_end < test_end <= len(series):
        raise DataError(
            series.recording or "series",
            f"split borders {borders} do not fit {len(series)} rows",
        )
    rows = [series.channels.index(name) for name in targets]
    values = series.values[rows]  # (targets, T)
    covariates = time_features(pd.DatetimeIndex(series.timestamps)).T.astype(
        np.float32
    )  # (T, 7) -> (7, T)
    x = np.concatenate([covariates, values])[:, :test_end]  # (7 + targets, T)
    scaler = ChannelScaler().fit(x[None, :, :train_end])  # training rows only
    x = scaler.transform(x[None])[0].astype(np.float32)
    stamps = pd.DatetimeIndex(series.timestamps[:train_end])
    step = float(np.median(np.diff(stamps) / pd.Timedelta(seconds=1)))
    return ForecastData(
        x=x,
        borders=(train_end, val_end, test_end),
        target_names=list(targets),
        scaler=scaler.to_dict(),
        period=seasonal_period(step),
    )


def channel_view(data: ForecastData, index: int) -> ForecastData:
    """The covariates beside target ``index`` alone, as a univariate ``ForecastData``."""
    rows = [*range(NUM_COVARIATES), NUM_COVARIATES + index]
    return replace(
        data,
        x=data.x[rows],
        target_names=[data.target_names[index]],
        channel_independent=False,
    )


def anchor_windows(
    batch: torch.Tensor, covariates: int = NUM_COVARIATES
) -> torch.Tensor:
    """Windows (B, C, L) whose target rows (after ``covariates``) are taken relative to their last step.

    The encoder then sees a window's shape, not its level, so a test period at a
    level the training rows never reached reads like any other (as RevIN does
    for end-to-end forecasters, here on the frozen encoder's input). Covariates
    are left as they are; NaN padding stays NaN.
    """
    out = batch.clone()
    out[:, covariates:] -= out[:, covariates:, -1:]
    return out


def lag_split_features(data: ForecastData, lags: int) -> dict[str, np.ndarray]:
    """The targets' last ``lags`` values at each step of each split, (T_s, C_t * lags).

    Row t holds steps t - lags + 1 .. t (channel-major), zero before the
    series starts; nothing after t enters it.
    """
    if lags < 1:
        raise DataError("lags", f"expected >= 1 raw lags, got {lags}")
    values = data.all_targets()  # (T, C_t)
    padded = np.concatenate(
        [np.zeros((lags - 1, values.shape[1]), values.dtype), values]
    )
    # (T, C_t, lags): window t ends at row t of the series
    windows = np.lib.stride_tricks.sliding_window_view(padded, lags, axis=0)
    features = {}
    for name in ("train", "val", "test"):
        part = windows[data.split(name)]
        features[name] = part.reshape(len(part), -1)  # (T_s, C_t, L) -> (T_s, C_t * L)
    return features


def causal_split_features(
    encode_fn: Callable[[torch.Tensor], torch.Tensor],
    data: ForecastData,
    *,
    padding: int = 200,
    batch_size: int = 256,
    splits: Sequence[str] = ("train", "val", "test"),
) -> dict[str, np.ndarray]:
    """Features (T_s, D) for each of ``splits`` from causal windows, encoded split by split.

    ``encode_fn`` maps windows (B, C, padding + 1) -> (B, D, padding + 1), as
    for :func:`tscl.eval.forecast.causal_sliding_embed`; a split's windows
    reach back ``padding`` steps into earlier rows, never past its end.
    """
    features = {}
    for name in splits:
        part = data.split(name)
        context = max(0, part.start - padding)  # past steps only
        # (C, context + T_s): nothing after the split's end
        window = data.x[:, context : part.stop]
        out = causal_sliding_embed(
            encode_fn, window, padding=padding, batch_size=batch_size
        )
        features[name] = out[part.start - context :]  # (T_s, D)
    return features


def split_features(
    encoder: nn.Module,
    data: ForecastData,
    *,
    padding: int = 200,
    batch_size: int = 256,
    device: str = "auto",
) -> dict[str, np.ndarray]:
    """Causal sliding-window embeddings (T_s, D) of each split (:func:`causal_split_features`).

    Channel-independent data: each target is encoded alone beside the
    covariates, and the per-target embeddings are concatenated, (T_s, C_t * D).
    Anchored data: each window's targets are encoded relative to their last
    value (:func:`anchor_windows`).
    """
    if data.channel_independent and data.num_targets > 1:
        parts = [
            split_features(
                encoder,
                channel_view(data, index),
                padding=padding,
                batch_size=batch_size,
                device=device,
            )
            for index in range(data.num_targets)
        ]
        return {
            name: np.concatenate([p[name] for p in parts], axis=1) for name in parts[0]
        }
    target = resolve_device(device)
    encoder = encoder.to(target).eval()
    last_only = "window" in inspect.signature(encoder.forward).parameters

    def encode_fn(batch: torch.Tensor) -> torch.Tensor:
        if data.anchored:
            batch = anchor_windows(batch)
        if last_only:  # only the feature step: the same values, less work
            starts = torch.full((len(batch),), batch.shape[-1] - 1)
            return encoder(batch.to(target), window=(starts, 1))  # (B, D, 1)
        return encoder(batch.to(target))

    features = causal_split_features(
        encode_fn, data, padding=padding, batch_size=batch_size
    )
    encoder.cpu()
    return features


def forecast_evaluate(
    encoder: nn.Module,
    data: ForecastData,
    horizons: list[int],
    *,
    padding: int = 200,
    seed: int = 0,
    device: str = "auto",
    keep_predictions: bool = False,
    lags: Sequence[int] | None = None,
    relative: Sequence[bool] | None = None,
    embedding_weights: Sequence[float] = (1.0,),
) -> dict[int, dict[str, Any]]:
    """Ridge on causal features; alpha chosen on validation, test scored once; MSE/MAE per horizon.

    Without ``lags`` and ``relative`` this is TS2Vec's protocol (the embedding
    alone). Given, ``lags`` (raw target lags beside the embedding, 0 = the
    embedding alone), ``embedding_weights`` (factors on the embedding beside
    lags) and ``relative`` target forms are candidates chosen on validation per
    horizon (:func:`tscl.eval.forecast_select.select_ridge_forecast`); their
    results also name the chosen "features" and hold the ridge "head", which
    acts on the unweighted embedding beside the lags.
    With ``keep_predictions`` each horizon also holds "test_pred" and
    "test_true", (n, H, C_t) arrays of the test windows.
    """
    features = split_features(encoder, data, padding=padding, device=device)
    targets = {name: data.targets(name) for name in ("train", "val", "test")}
    if lags is None and relative is None:
        return ridge_forecast_protocol(
            features,
            targets,
            horizons,
            drop=padding,
            seed=seed,
            keep_predictions=keep_predictions,
        )
    results = select_ridge_forecast(
        embedding_feature_sets(features, data, lags or (0,), embedding_weights),
        targets,
        horizons,
        relative=relative or (False,),
        drop=padding,
        seed=seed,
        keep_predictions=keep_predictions,
    )
    width = features["train"].shape[1]
    for result in results.values():
        unweight_head(result["head"], embedding_weight(result["features"]), width)
    return results


def feature_set_name(lags: int, weight: float = 1.0) -> str:
    """The candidate's name: "embedding", "embedding+<lags> lags" or "embedding x<w>+<lags> lags"."""
    if lags == 0:
        return "embedding"
    scaled = "embedding" if weight == 1 else f"embedding x{weight:g}"
    return f"{scaled}+{lags} lags"


def embedding_weight(name: str) -> float:
    """The factor on the embedding in a :func:`feature_set_name` (1 when unweighted)."""
    head = name.split("+")[0]
    return float(head.split(" x")[1]) if " x" in head else 1.0


def unweight_head(head: dict[str, np.ndarray], weight: float, width: int) -> None:
    """Folds the embedding's factor into a ridge head, so it acts on the raw embedding.

    ``head["weights"]`` (D, K) was fitted on [weight * z, lags]; scaling its
    first ``width`` rows by ``weight`` gives the same forecast from [z, lags]
    (the bias, fitted on centred inputs, is unchanged).
    """
    if weight != 1:
        head["weights"][:width] *= np.float32(weight)


def embedding_feature_sets(
    features: dict[str, np.ndarray],
    data: ForecastData,
    lags: Sequence[int],
    weights: Sequence[float] = (1.0,),
) -> dict[str, dict[str, np.ndarray]]:
    """Candidates: the embedding (lags 0) and, for each count of raw lags, each weight x embedding beside them.

    A weight w < 1 penalises the embedding 1 / w^2 times as hard as the lags in
    the ridge, so validation can keep a little of an embedding that would
    otherwise drown what the lags forecast well.
    """
    if not weights or min(weights) <= 0:
        raise ConfigError(
            f"eval.embedding_weights: expected positive factors, got {list(weights)}"
        )
    sets = {}
    for count in dict.fromkeys(int(n) for n in lags):
        if count == 0:
            sets[feature_set_name(0)] = features
            continue
        raw = lag_split_features(data, count)
        for weight in dict.fromkeys(float(w) for w in weights):
            sets[feature_set_name(count, weight)] = {
                name: np.concatenate([weight * features[name], raw[name]], axis=1)
                for name in features
            }
    return sets
