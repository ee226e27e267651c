"""Encoder-free forecasting references: last value and seasonal naive, on the protocol's test windows.

A split's samples are the steps t = start .. stop - H - 1 of the full series
(the same t as :func:`tscl.eval.forecast.horizon_samples` pairs with targets
t+1 .. t+H inside the split); each forecast reads rows up to t only.
"""

from __future__ import annotations

import numpy as np

from tscl.errors import ConfigError, DataError


def future_windows(
    targets: np.ndarray, start: int, stop: int, horizon: int
) -> np.ndarray:
    """Targets t+1 .. t+H for every sample t of the split [start, stop): (n, H, C)."""
    if horizon < 1 or stop - start - horizon < 1:
        raise DataError(
            "split", f"horizon {horizon} leaves no sample in rows {start}..{stop}"
        )
    windows = np.lib.stride_tricks.sliding_window_view(
        targets[start + 1 : stop], horizon, axis=0
    )  # (n, C, H)
    return windows.transpose(0, 2, 1)  # (n, C, H) -> (n, H, C)


def last_value_forecast(
    targets: np.ndarray, start: int, stop: int, horizon: int
) -> np.ndarray:
    """Every future step forecast as the value at t: (n, H, C)."""
    last = targets[start : stop - horizon]  # (n, C)
    return np.repeat(last[:, None, :], horizon, axis=1)


def seasonal_naive_forecast(
    targets: np.ndarray, start: int, stop: int, horizon: int, period: int
) -> np.ndarray:
    """Step t+k forecast as the value one season earlier, t+k - period*ceil(k/period): (n, H, C)."""
    if period < 1:
        raise ConfigError(f"seasonal period: expected >= 1, got {period}")
    if start - period + 1 < 0:
        raise DataError(
            "split", f"seasonal period {period} needs {period - 1} rows before {start}"
        )
    steps = np.arange(1, horizon + 1)
    back = steps - period * np.ceil(steps / period).astype(np.int64)  # (H,) in (-p, 0]
    t = np.arange(start, stop - horizon)  # (n,)
    return targets[t[:, None] + back[None, :]]  # (n, H, C)


def seasonal_period(step_seconds: float | None) -> int:
    """A series' season in steps: a day below daily sampling, a week when daily, a year when weekly."""
    if step_seconds is None or not np.isfinite(step_seconds) or step_seconds <= 0:
        return 1
    day = 86_400.0
    if step_seconds < day:
        return max(1, round(day / step_seconds))
    if step_seconds < 7 * day:
        return 7
    return 52


def forecast_errors(pred: np.ndarray, true: np.ndarray) -> dict[str, float]:
    """MSE and MAE over every step and channel of (n, H, C) windows."""
    error = np.asarray(pred, np.float64) - np.asarray(true, np.float64)
    return {"mse": float(np.mean(error**2)), "mae": float(np.mean(np.abs(error)))}
