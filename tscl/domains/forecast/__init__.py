"""The forecast domain: a CSV series with a date column, TS2Vec's causal ridge protocol."""

from __future__ import annotations

from tscl.domains.domain import Domain, lazy
from tscl.domains.forecast.load import load_forecast

FORECAST = Domain(
    name="forecast",
    description="forecasting series (CSV with a date column): causal embeddings + ridge per horizon",
    default_dataset="ETTh1",
    formats=("csv",),
    load=load_forecast,
    defaults={"method": "ts2vec", "dataset": "ETTh1", "eval": {"protocol": "forecast"}},
    tasks=("forecast",),
    evaluators={"forecast": lazy("tscl.domains.forecast.evaluate:evaluate_forecast")},
)
