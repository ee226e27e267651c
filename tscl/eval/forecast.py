"""TS2Vec's forecasting protocol, without leakage across splits.

Features come from a causal sliding window (feature t sees x up to t only);
a ridge regression maps the feature at t to the targets at t+1 .. t+H. Samples
are built inside each split, so no target window crosses a split boundary,
alpha is chosen on the validation split, and the test split is scored once.
Yue et al. 2022 (https://arxiv.org/abs/2106.10466), section 4.2.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import Tensor

from tscl.errors import ConfigError, DataError

SPLITS = ("train", "val", "test")
DEFAULT_ALPHAS = (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
MAX_SAMPLES = 100_000


def time_features(index: pd.DatetimeIndex) -> np.ndarray:
    """TS2Vec's calendar covariates. Returns (T, 7) float64.

    Columns: minute, hour, day of week (Monday 0), day of month, day of year,
    month, ISO week of year, as raw integers; standardise them with training
    statistics before use.
    """
    if not isinstance(index, pd.DatetimeIndex):
        raise DataError(
            "index", f"expected a pandas DatetimeIndex, got {type(index).__name__}"
        )
    columns = [
        index.minute,
        index.hour,
        index.day_of_week,
        index.day,
        index.day_of_year,
        index.month,
        index.isocalendar().week,
    ]
    return np.stack([np.asarray(c, dtype=np.float64) for c in columns], axis=1)


@torch.no_grad()
def causal_sliding_embed(
    encode_fn: Callable[[Tensor], Tensor],
    x: np.ndarray | Tensor,
    *,
    padding: int = 200,
    batch_size: int = 256,
) -> np.ndarray:
    """Per-step features where feature t sees only x[:, t - padding : t + 1].

    Window t is the ``padding + 1`` steps ending at t, NaN-padded on the left
    before the series starts (the encoders read NaN steps as missing);
    ``encode_fn`` maps windows (B, C, L) -> (B, D, L) and its last step is the
    feature. ``encode_fn`` is responsible for eval mode and devices.

    Args:
        encode_fn: window encoder, (B, C, L) -> (B, D, L), L = padding + 1.
        x: one series, (C, T).
        padding: past steps each window holds besides t.
        batch_size: windows per ``encode_fn`` call.

    Returns:
        Features, (T, D) float32.
    """
    series = torch.as_tensor(np.asarray(x) if not isinstance(x, Tensor) else x).float()
    if series.dim() != 2 or series.shape[1] == 0:
        raise DataError(
            "x", f"expected one series (C, T) with T > 0, got {tuple(series.shape)}"
        )
    if padding < 0 or batch_size < 1:
        raise ConfigError(
            f"padding >= 0 and batch_size >= 1 expected, got {padding}, {batch_size}"
        )
    channels, length = series.shape
    pad = torch.full((channels, padding), float("nan"))
    padded = torch.cat([pad, series.cpu()], dim=1)  # (C, padding + T)
    windows = padded.unfold(1, padding + 1, 1)  # view (C, T, L)
    parts = []
    for start in range(0, length, batch_size):
        batch = windows[:, start : start + batch_size].permute(
            1, 0, 2
        )  # (C, b, L) -> (b, C, L)
        out = encode_fn(batch.contiguous())  # (b, D, L)
        parts.append(out[:, :, -1].float().cpu())  # (b, D)
    return torch.cat(parts).numpy()


def horizon_samples(
    features: np.ndarray, targets: np.ndarray, horizon: int, drop: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs feature t with targets t+1 .. t+H, all within one split.

    Args:
        features: (T, D).
        targets: (T, C).
        horizon: H.
        drop: leading samples to discard.

    Returns:
        X (T - H - drop, D) and Y (T - H - drop, H * C), Y ordered step-major.
    """
    length = len(features)
    # (T - H, H, C): window t holds targets[t + 1 : t + 1 + H].
    windows = np.lib.stride_tricks.sliding_window_view(targets[1:], horizon, axis=0)
    windows = windows[: length - horizon].transpose(0, 2, 1)  # (n, C, H) -> (n, H, C)
    labels = windows.reshape(len(windows), -1)  # (n, H, C) -> (n, H * C)
    return features[drop : length - horizon], labels[drop:]


def check_forecast_splits(
    features_by_split: dict[str, np.ndarray], targets_by_split: dict[str, np.ndarray]
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Each split needs finite features (T_s, D) and targets (T_s, C), D and C shared.

    Returns:
        The three splits' features and targets as float64 arrays.
    """
    for name, table in (
        ("features_by_split", features_by_split),
        ("targets_by_split", targets_by_split),
    ):
        missing = [s for s in SPLITS if s not in table]
        if missing:
            raise DataError(name, f"expected splits {SPLITS}, missing {missing}")
    widths = set()
    features_by_split = {
        s: np.asarray(features_by_split[s], dtype=np.float64) for s in SPLITS
    }
    targets_by_split = {
        s: np.asarray(targets_by_split[s], dtype=np.float64) for s in SPLITS
    }
    for split in SPLITS:
        features, targets = features_by_split[split], targets_by_split[split]
        if features.ndim != 2 or targets.ndim != 2 or len(features) != len(targets):
            raise DataError(
                split,
                f"expected features (T, D) and targets (T, C) of one length, "
                f"got {features.shape} and {targets.shape}",
            )
        if not (np.isfinite(features).all() and np.isfinite(targets).all()):
            raise DataError(split, "features or targets hold NaN or infinite values")
        widths.add((features.shape[1], targets.shape[1]))
    if len(widths) > 1:
        raise DataError(
            "features_by_split", f"splits differ in (D, C): {sorted(widths)}"
        )
    return features_by_split, targets_by_split


def subsample(
    x: np.ndarray, y: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """At most MAX_SAMPLES random rows of (x (n, D), y (n, K)), as TS2Vec does."""
    if len(x) <= MAX_SAMPLES:
        return x, y
    rows = rng.choice(len(x), size=MAX_SAMPLES, replace=False)
    return x[rows], y[rows]


class RidgePath:
    """Ridge regression with intercept, solved for many alphas at once.

    Minimises ||y - x w - b||^2 + alpha ||w||^2 (scikit-learn's ``Ridge``
    objective) from one eigendecomposition of the centred Gram matrix, so
    trying another alpha costs one (D, D) x (D, K) product.

    Args:
        x: inputs, (n, D).
        y: targets, (n, K).
    """

    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        self.x_mean, self.y_mean = x.mean(axis=0), y.mean(axis=0)
        centred = x - self.x_mean  # (n, D)
        self.eigenvalues, self.eigenvectors = np.linalg.eigh(centred.T @ centred)
        # Centred columns sum to zero, so centred^T y equals centred^T (y - mean).
        self.rotated = self.eigenvectors.T @ (centred.T @ y)  # (D, K)

    def coefficients(self, alpha: float) -> np.ndarray:
        """Weights w, (D, K)."""
        shrink = 1.0 / (np.clip(self.eigenvalues, 0.0, None) + alpha)  # (D,)
        return self.eigenvectors @ (self.rotated * shrink[:, None])

    def predict(self, x: np.ndarray, alpha: float) -> np.ndarray:
        """Predictions (m, K) for inputs (m, D)."""
        return (x - self.x_mean) @ self.coefficients(alpha) + self.y_mean


def select_alpha(
    path: RidgePath, val: tuple[np.ndarray, np.ndarray], alphas: Sequence[float]
) -> float:
    """The alpha with the lowest RMSE + MAE on val (TS2Vec's rule); first on ties."""
    scores = []
    for alpha in alphas:
        error = path.predict(val[0], alpha) - val[1]
        scores.append(np.sqrt(np.mean(error**2)) + np.mean(np.abs(error)))
    return float(alphas[int(np.argmin(scores))])


def split_samples(
    features_by_split: dict[str, np.ndarray],
    targets_by_split: dict[str, np.ndarray],
    horizon: int,
    drop: int,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """:func:`horizon_samples` of every split; ``drop`` applies to "train" only."""
    samples = {}
    for split in SPLITS:
        skip = drop if split == "train" else 0
        length = len(features_by_split[split])
        if horizon < 1 or length - horizon - skip < 2:
            raise DataError(
                split,
                f"horizon {horizon} (drop {skip}) leaves fewer than 2 samples "
                f"of {length} steps",
            )
        samples[split] = horizon_samples(
            features_by_split[split], targets_by_split[split], horizon, skip
        )
    return samples


def ridge_forecast_protocol(
    features_by_split: dict[str, np.ndarray],
    targets_by_split: dict[str, np.ndarray],
    horizons: Sequence[int],
    *,
    alphas: Sequence[float] = DEFAULT_ALPHAS,
    drop: int = 0,
    seed: int = 0,
    keep_predictions: bool = False,
) -> dict[int, dict[str, Any]]:
    """Ridge forecasts from per-step features, scored once on the test split.

    For each horizon H, split s gives samples (feature t -> targets t+1 .. t+H
    flattened) for t < T_s - H, never across a split boundary. Alpha is chosen
    on "val" by RMSE + MAE (as TS2Vec), the ridge is fitted on "train", and
    MSE and MAE over all test targets are returned. Splits over 100,000
    samples are subsampled (seeded), as in TS2Vec.

    Args:
        features_by_split: "train", "val", "test" -> features (T_s, D).
        targets_by_split: the same splits -> targets (T_s, C), already scaled
            as the scores should be (e.g. standardised with train statistics).
        horizons: forecast lengths H.
        alphas: ridge penalties to choose from.
        drop: leading train samples to discard (TS2Vec drops ``padding``
            steps, whose windows reach before the series starts).
        seed: subsampling.
        keep_predictions: also return the test predictions and targets.

    Returns:
        {H: {"mse", "mae", "alpha", "val_mse"}}: test MSE/MAE, the chosen
        alpha and the validation MSE it had; with ``keep_predictions`` also
        "test_pred" and "test_true", (n, H, C) arrays.
    """
    features_by_split, targets_by_split = check_forecast_splits(
        features_by_split, targets_by_split
    )
    if not alphas or min(alphas) <= 0:
        raise ConfigError(f"alphas: expected positive penalties, got {tuple(alphas)}")
    rng = np.random.default_rng(seed)
    results: dict[int, dict[str, float]] = {}
    for horizon in horizons:
        samples = split_samples(features_by_split, targets_by_split, int(horizon), drop)
        path = RidgePath(*subsample(*samples["train"], rng))
        val = subsample(*samples["val"], rng)
        alpha = select_alpha(path, val, alphas)
        val_error = path.predict(val[0], alpha) - val[1]
        pred = path.predict(samples["test"][0], alpha)  # (n, H * C)
        error = pred - samples["test"][1]
        results[int(horizon)] = {
            "mse": float(np.mean(error**2)),
            "mae": float(np.mean(np.abs(error))),
            "alpha": alpha,
            "val_mse": float(np.mean(val_error**2)),
        }
        if keep_predictions:
            shape = (len(pred), int(horizon), -1)  # step-major columns -> (n, H, C)
            results[int(horizon)]["test_pred"] = pred.reshape(shape)
            results[int(horizon)]["test_true"] = samples["test"][1].reshape(shape)
    return results
