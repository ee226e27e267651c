"""Per-channel standardisation fitted on training data only, NaN-aware.

``ChannelScaler`` learns one mean and one standard deviation per channel over
every observed (non-NaN) value of the training windows, i.e. over the (N, T)
axes, and maps ``x -> (x - mean) / std``. NaN stays NaN. It can be fitted in
pieces (``partial_fit``, for data that does not fit in memory) and stored with
a model through ``to_dict`` / ``from_dict``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from tscl.errors import DataError

_NAME = "ChannelScaler"


class ChannelScaler:
    """Standardises each channel with statistics from the training data.

    Attributes:
        mean: (C,) float64 per-channel mean, None before fitting.
        std: (C,) float64 per-channel population std (1 where it was 0), None
            before fitting.
        count: (C,) int64 observed values seen per channel.
    """

    def __init__(self) -> None:
        self.mean: np.ndarray | None = None
        self.std: np.ndarray | None = None
        self.count: np.ndarray | None = None
        self._sum_squares: np.ndarray | None = None  # (C,) sum of squared deviations

    @property
    def num_channels(self) -> int | None:
        return None if self.mean is None else len(self.mean)

    def fit(self, x: np.ndarray | Iterable[np.ndarray]) -> ChannelScaler:
        """Fits on (N, C, L) windows or an iterable of (C, T) records / (B, C, L) batches.

        Raises:
            DataError: if a channel has no observed value, or shapes disagree.
        """
        self.mean = self.std = self.count = self._sum_squares = None
        parts = [x] if isinstance(x, np.ndarray) else x
        for part in parts:
            self.partial_fit(part)
        if self.count is None:
            raise DataError(_NAME, "fit got no data")
        return self

    def partial_fit(self, x: np.ndarray) -> ChannelScaler:
        """Adds (C, T) or (B, C, L) data to the running statistics (Chan et al. merge)."""
        x = np.asarray(x, dtype=np.float64)
        if x.ndim not in (2, 3):
            raise DataError(
                _NAME, f"expected (C, T) or (N, C, L) data, got shape {x.shape}"
            )
        # (C, T) -> (1, C, T); then (N, C, L) -> (C, N * L)
        flat = (
            (x[None] if x.ndim == 2 else x).transpose(1, 0, 2).reshape(x.shape[-2], -1)
        )
        self._check_channels(flat.shape[0])
        observed = ~np.isnan(flat)
        count = observed.sum(axis=1)
        mean = np.nansum(flat, axis=1) / np.maximum(count, 1)
        sum_squares = np.nansum((flat - mean[:, None]) ** 2, axis=1)
        if self.count is None:
            self.count, self.mean, self._sum_squares = count, mean, sum_squares
        else:
            total = self.count + count
            delta = mean - self.mean
            weight = np.divide(count, total, out=np.zeros_like(mean), where=total > 0)
            self.mean = self.mean + delta * weight
            self._sum_squares = (
                self._sum_squares + sum_squares + delta**2 * self.count * weight
            )
            self.count = total
        self._update_std()
        return self

    def _update_std(self) -> None:
        assert self.count is not None and self._sum_squares is not None
        variance = self._sum_squares / np.maximum(self.count, 1)
        std = np.sqrt(variance)
        # a constant channel would divide by zero: leave its scale alone
        self.std = np.where(std > 0, std, 1.0)

    def _check_channels(self, num_channels: int) -> None:
        if self.num_channels is not None and num_channels != self.num_channels:
            raise DataError(
                _NAME,
                f"fitted on {self.num_channels} channels, got data with {num_channels}",
            )

    def _checked_stats(self) -> tuple[np.ndarray, np.ndarray]:
        if self.mean is None or self.std is None or self.count is None:
            raise DataError(_NAME, "not fitted; call fit() on the training data first")
        empty = np.flatnonzero(self.count == 0)
        if len(empty):
            raise DataError(
                _NAME,
                f"channels {empty.tolist()} had no observed value in the fit data",
            )
        return self.mean, self.std

    def transform(self, x: np.ndarray) -> np.ndarray:
        """(..., C, T) -> (..., C, T) float32 standardised; NaN stays NaN.

        Raises:
            DataError: if not fitted or the channel count differs from the fit.
        """
        mean, std = self._checked_stats()
        x = np.asarray(x)
        if x.ndim < 2:
            raise DataError(_NAME, f"expected (..., C, T) data, got shape {x.shape}")
        self._check_channels(x.shape[-2])
        # (C,) -> (C, 1) broadcasts over time and any leading batch axes
        out = (x - mean[:, None]) / std[:, None]
        return out.astype(np.float32)

    def fit_transform(self, x: np.ndarray) -> np.ndarray:
        """``fit(x)`` then ``transform(x)`` for (N, C, L) or (C, T) arrays."""
        return self.fit(x).transform(x)

    def inverse_transform(self, x: np.ndarray) -> np.ndarray:
        """(..., C, T) standardised -> original units, float32."""
        mean, std = self._checked_stats()
        self._check_channels(np.asarray(x).shape[-2])
        return (np.asarray(x) * std[:, None] + mean[:, None]).astype(np.float32)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready state: {"mean": [...], "std": [...], "count": [...]}."""
        mean, std = self._checked_stats()
        assert self.count is not None
        return {
            "mean": mean.tolist(),
            "std": std.tolist(),
            "count": self.count.tolist(),
        }

    @classmethod
    def from_dict(cls, state: dict[str, Any]) -> ChannelScaler:
        """Rebuilds a fitted scaler from ``to_dict()`` output.

        Raises:
            DataError: if keys are missing, lengths differ or a std is not > 0.
        """
        missing = {"mean", "std"} - set(state)
        if missing:
            raise DataError(_NAME, f"state is missing keys {sorted(missing)}")
        mean = np.asarray(state["mean"], dtype=np.float64)
        std = np.asarray(state["std"], dtype=np.float64)
        count = np.asarray(state.get("count", np.ones(len(mean))), dtype=np.int64)
        if mean.ndim != 1 or mean.shape != std.shape or count.shape != mean.shape:
            raise DataError(
                _NAME, "state mean, std and count must be 1-D of one length"
            )
        if not (np.isfinite(std).all() and (std > 0).all() and np.isfinite(mean).all()):
            raise DataError(_NAME, "state needs finite means and positive finite stds")
        scaler = cls()
        scaler.mean, scaler.std, scaler.count = mean, std, count
        scaler._sum_squares = std**2 * count
        return scaler
