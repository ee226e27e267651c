"""The encoder-free references every forecasting table prints: last value, seasonal naive, raw-lag ridge.

All three are scored on the same scaled test windows as the encoder's ridge
(:mod:`tscl.domains.forecast.protocol`): sample t of the test split forecasts
t+1 .. t+H from rows up to t only. The raw-lag ridge is the encoder's
protocol without the embedding: lag counts and target forms (values, or the
change from the last value) chosen on validation, test scored once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tscl.domains.forecast.protocol import ForecastData, lag_split_features
from tscl.eval.forecast_baselines import (
    forecast_errors,
    future_windows,
    last_value_forecast,
    seasonal_naive_forecast,
)
from tscl.eval.forecast_select import select_ridge_forecast

BASELINES = ("last value", "seasonal naive", "raw-lag ridge")


def naive_forecasts(
    data: ForecastData, horizons: Sequence[int], split: str = "test"
) -> dict[str, dict[int, dict[str, float]]]:
    """Last value and seasonal naive (season ``data.period``) MSE / MAE per horizon on ``split``."""
    targets = data.all_targets()  # (T, C_t)
    part = data.split(split)
    scores: dict[str, dict[int, dict[str, float]]] = {
        "last value": {},
        "seasonal naive": {},
    }
    for horizon in map(int, horizons):
        true = future_windows(targets, part.start, part.stop, horizon)
        last = last_value_forecast(targets, part.start, part.stop, horizon)
        season = seasonal_naive_forecast(
            targets, part.start, part.stop, horizon, data.period
        )
        scores["last value"][horizon] = forecast_errors(last, true)
        scores["seasonal naive"][horizon] = forecast_errors(season, true)
    return scores


def lag_ridge_forecasts(
    data: ForecastData,
    horizons: Sequence[int],
    *,
    lags: Sequence[int] = (201,),
    relative: Sequence[bool] = (False, True),
    padding: int = 200,
    seed: int = 0,
) -> dict[int, dict[str, Any]]:
    """Ridge on raw target lags (counts and target forms chosen on validation), test scored once.

    The first ``padding`` training samples are dropped, as for the encoder's
    ridge, so both are fitted and scored on the same samples.
    """
    sets = {f"{n} lags": lag_split_features(data, int(n)) for n in lags if n > 0}
    targets = {name: data.targets(name) for name in ("train", "val", "test")}
    return select_ridge_forecast(
        sets, targets, horizons, relative=relative, drop=padding, seed=seed
    )


def encoder_free_forecasts(
    data: ForecastData,
    horizons: Sequence[int],
    *,
    lags: Sequence[int] = (201,),
    relative: Sequence[bool] = (False, True),
    padding: int = 200,
    seed: int = 0,
) -> dict[str, dict[int, dict[str, Any]]]:
    """The three references (:data:`BASELINES`) per horizon: {name: {H: {"mse", "mae", ...}}}."""
    scores: dict[str, dict[int, dict[str, Any]]] = dict(naive_forecasts(data, horizons))
    scores["raw-lag ridge"] = lag_ridge_forecasts(
        data, horizons, lags=lags, relative=relative, padding=padding, seed=seed
    )
    return scores
