"""The forecast domain's evaluation (``eval.protocol=forecast``): ridge per horizon beside the baselines.

Supplied to the trainer through ``FORECAST.evaluators``, so ``tscl.train``
knows no forecasting: it calls what the domain registered for the protocol.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tscl.bundle import EncoderBundle
from tscl.data.training import TrainingData
from tscl.domains.forecast.baselines import encoder_free_forecasts
from tscl.domains.forecast.predict import attach_heads
from tscl.domains.forecast.protocol import forecast_evaluate
from tscl.errors import ConfigError


def evaluate_forecast(
    bundle: EncoderBundle, data: TrainingData, *, seed: int = 0
) -> dict[str, Any]:
    """Ridge on the causal embedding (and raw lags, chosen on validation) at ``eval.horizons``.

    Metrics: ``mse_h{H}``, ``mae_h{H}``, ``val_mse_h{H}`` per horizon and
    ``mse`` / ``mae`` / ``val_mse`` averaged over the horizons, beside the
    encoder-free references on the same scaled test windows
    (``baseline_last_mse_h{H}``, ``baseline_seasonal_mse_h{H}``,
    ``baseline_lags_mse_h{H}`` and their MAE). The chosen ridges become the
    bundle's forecasting heads (``tscl predict``). "forecast_examples" ({H:
    (context, truth, prediction)} of the last test window, first target) is
    for plots and "forecast_params" (split borders, chosen inputs) for params.
    """
    series = data.forecast
    if series is None:
        raise ConfigError(
            "eval.protocol 'forecast' needs a forecasting data set "
            "(a CSV series with a row split, e.g. dataset=ETTh1)"
        )
    settings = bundle.config.eval
    horizons = list(settings.horizons)
    scores = forecast_evaluate(
        bundle.encoder,
        series,
        horizons,
        seed=seed,
        device=bundle.config.train.device,
        keep_predictions=True,
        lags=list(settings.lags),
        relative=list(settings.relative),
        embedding_weights=list(settings.embedding_weights),
    )
    references = encoder_free_forecasts(
        series, horizons, lags=[n for n in settings.lags if n > 0] or [201], seed=seed
    )
    metrics: dict[str, Any] = {}
    for name in ("mse", "mae", "val_mse"):
        for horizon in horizons:
            metrics[f"{name}_h{horizon}"] = scores[horizon][name]
        metrics[name] = float(np.mean([scores[h][name] for h in horizons]))
    for short, name in (
        ("last", "last value"),
        ("seasonal", "seasonal naive"),
        ("lags", "raw-lag ridge"),
    ):
        for horizon in horizons:
            for error in ("mse", "mae"):
                value = references[name][horizon][error]
                metrics[f"baseline_{short}_{error}_h{horizon}"] = value
    params = attach_heads(bundle, series, scores)
    metrics["forecast_params"] = {**params, **_split_params(series)}
    metrics["forecast_examples"] = _forecast_examples(series, scores, horizons)
    return metrics


def _split_params(series: Any) -> dict[str, int]:
    train_end, val_end, test_end = series.borders
    return {
        "split.train_end": train_end,
        "split.val_end": val_end,
        "split.test_end": test_end,
    }


def _forecast_examples(
    series: Any, scores: dict[int, dict[str, Any]], horizons: list[int]
) -> dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    target = series.targets("test")[:, 0]  # the first target, (T_test,)
    examples = {}
    for horizon in horizons:
        start = len(scores[horizon]["test_pred"]) - 1  # the last test window
        context = target[max(0, start - 2 * horizon) : start + 1]
        examples[horizon] = (
            context,
            scores[horizon]["test_true"][start, :, 0],
            scores[horizon]["test_pred"][start, :, 0],
        )
    return examples
