"""Ridge forecasts with the inputs chosen on validation: feature sets, raw lags, last-value offset.

Each candidate is a feature set (the embedding, the embedding beside the raw
lags of the targets, the lags alone...) and a target form: the values
themselves, or their change from the last observed value (the forecast is
then ``last value + ridge``, so a heavy penalty falls back to the last-value
forecast). For every horizon, every candidate's ridge is fitted on train with
its alpha chosen on val; the candidate with the lowest validation RMSE + MAE
is the one scored on test, once.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from tscl.errors import ConfigError
from tscl.eval.forecast import (
    DEFAULT_ALPHAS,
    SPLITS,
    RidgePath,
    check_forecast_splits,
    select_alpha,
    split_samples,
    subsample,
)

FeatureSets = Mapping[str, Mapping[str, np.ndarray]]  # name -> split -> (T_s, D)


def last_values(targets: np.ndarray, horizon: int, skip: int) -> np.ndarray:
    """The value at t for every sample of :func:`horizon_samples`, tiled step-major: (n, H * C)."""
    base = targets[skip : len(targets) - horizon]  # (n, C)
    return np.tile(base, (1, horizon))  # (n, C) -> (n, H * C), column h * C + c


def _same_inputs(base: RidgePath, x: np.ndarray, y: np.ndarray) -> RidgePath:
    """``RidgePath(x, y)`` for the inputs ``base`` was fitted on, without a new eigendecomposition."""
    path = copy.copy(base)
    path.y_mean = y.mean(axis=0)
    path.rotated = base.eigenvectors.T @ ((x - base.x_mean).T @ y)  # (D, K)
    return path


def _val_score(error: np.ndarray) -> float:
    return float(np.sqrt(np.mean(error**2)) + np.mean(np.abs(error)))


def _fit_candidate(
    samples: dict[str, tuple[np.ndarray, np.ndarray]],
    offsets: dict[str, np.ndarray],
    alphas: Sequence[float],
    seed: int,
    base: RidgePath | None = None,
) -> dict[str, Any]:
    """Ridge on train (targets minus ``offsets``), alpha on val; nothing of test is read.

    ``base``: a ridge fitted on the same training inputs, whose
    eigendecomposition is reused (another target form costs one product).
    """
    rng = np.random.default_rng(seed)  # every candidate subsamples the same rows
    x_train, y_train = samples["train"]
    x_train, y_train = subsample(x_train, y_train - offsets["train"], rng)
    path = _same_inputs(base, x_train, y_train) if base else RidgePath(x_train, y_train)
    x_val, y_val = samples["val"]
    x_val, y_val = subsample(x_val, y_val - offsets["val"], rng)
    alpha = select_alpha(path, (x_val, y_val), alphas)
    error = path.predict(x_val, alpha) - y_val
    return {
        "path": path,
        "alpha": alpha,
        "val_score": _val_score(error),
        "val_mse": float(np.mean(error**2)),
    }


def select_ridge_forecast(
    feature_sets: FeatureSets,
    targets_by_split: Mapping[str, np.ndarray],
    horizons: Sequence[int],
    *,
    relative: Sequence[bool] = (False, True),
    alphas: Sequence[float] = DEFAULT_ALPHAS,
    drop: int = 0,
    seed: int = 0,
    keep_predictions: bool = False,
) -> dict[int, dict[str, Any]]:
    """Per horizon, the validation-best of ``feature_sets`` x ``relative``, scored once on test.

    Args:
        feature_sets: candidate name -> "train", "val", "test" -> (T_s, D).
        targets_by_split: the splits' scaled targets (T_s, C).
        relative: target forms to try (True: change from the last value).
        drop: leading train samples to discard (windows reaching before the series).

    Returns:
        {H: {"mse", "mae", "alpha", "val_mse", "features", "relative"}} (with
        ``keep_predictions`` also "test_pred" / "test_true" (n, H, C)), and
        "head": the chosen ridge as {"weights" (D, H * C), "bias" (H * C,)}
        acting on raw features (y = x W + b, plus the last value if relative).
    """
    if not feature_sets or not relative:
        raise ConfigError(
            "select_ridge_forecast: expected feature sets and target forms"
        )
    if not alphas or min(alphas) <= 0:
        raise ConfigError(f"alphas: expected positive penalties, got {tuple(alphas)}")
    checked = {}
    for name, features in feature_sets.items():
        checked[name], targets = check_forecast_splits(
            dict(features), dict(targets_by_split)
        )
    results: dict[int, dict[str, Any]] = {}
    for horizon in map(int, horizons):
        best: dict[str, Any] | None = None
        for name, features in checked.items():
            samples = split_samples(features, targets, horizon, drop)
            base = None
            for form in relative:
                offsets = {
                    s: last_values(targets[s], horizon, drop if s == "train" else 0)
                    if form
                    else np.zeros((1, 1))
                    for s in SPLITS
                }
                fitted = _fit_candidate(samples, offsets, alphas, seed, base)
                base = fitted["path"]
                if best is None or fitted["val_score"] < best["val_score"]:
                    best = {
                        **fitted,
                        "features": name,
                        "relative": bool(form),
                        "samples": samples,
                        "offsets": offsets,
                    }
        assert best is not None
        results[horizon] = _score_test(best, horizon, keep_predictions)
    return results


def _score_test(best: dict[str, Any], horizon: int, keep: bool) -> dict[str, Any]:
    path: RidgePath = best["path"]
    x_test, y_test = best["samples"]["test"]
    pred = path.predict(x_test, best["alpha"]) + best["offsets"]["test"]  # (n, H * C)
    error = pred - y_test
    weights = path.coefficients(best["alpha"])  # (D, K)
    result: dict[str, Any] = {
        "mse": float(np.mean(error**2)),
        "mae": float(np.mean(np.abs(error))),
        "alpha": best["alpha"],
        "val_mse": best["val_mse"],
        "features": best["features"],
        "relative": best["relative"],
        "head": {
            "weights": weights.astype(np.float32),
            "bias": (path.y_mean - path.x_mean @ weights).astype(np.float32),
        },
    }
    if keep:
        shape = (len(pred), horizon, -1)  # step-major columns -> (n, H, C)
        result["test_pred"] = pred.reshape(shape)
        result["test_true"] = y_test.reshape(shape)
    return result
