"""The forecasting benchmark's data sets, splits and published figures (../shared/ANCHORS.md).

ETT: Informer / TS2Vec splits, 12/4/4 months. Exchange rate and ILI carry no
date column: they get a synthetic daily / weekly calendar (as the
Autoformer-style copies do) and a 60/20/20 row split (tscl's default for a
CSV without a card).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from benchmarks.common import SuiteSkipped, data_dir
from tscl.data.read_csv import read_csv_series
from tscl.data.records import Series
from tscl.domains.forecast.protocol import ForecastData, prepare_forecast

HOURLY = [24, 48, 168, 336, 720]
QUARTER_HOURLY = [24, 48, 96, 288, 672]


@dataclass(frozen=True)
class ForecastSet:
    file: str
    horizons: list[int]
    borders: tuple[int, int, int] | None  # None: 60/20/20 by rows
    target: str = "OT"
    padding: int = 200
    calendar: str | None = (
        None  # synthetic calendar frequency when the file has no date
    )


SETS = {
    "ETTh1": ForecastSet("ETT-small/ETTh1.csv", HOURLY, (8640, 11520, 14400)),
    "ETTh2": ForecastSet("ETT-small/ETTh2.csv", HOURLY, (8640, 11520, 14400)),
    "ETTm1": ForecastSet("ETT-small/ETTm1.csv", QUARTER_HOURLY, (34560, 46080, 57600)),
    "exchange": ForecastSet(
        "exchange_rate/exchange_rate.txt.gz",
        [96, 192, 336, 720],
        None,
        "7",
        calendar="D",
    ),
    "ILI": ForecastSet(
        "illness/illness_nodate_noheader.csv", [24, 36, 48, 60], None, "6", 104, "W"
    ),
}

# MSE (MAE where published) at each horizon; AutoTCL's result tables in its
# repository, TS2Vec's paper, both via ../shared/ANCHORS.md.
PUBLISHED: dict[tuple[str, str], dict[str, list[float]]] = {
    ("ETTh1", "univariate"): {
        "TS2Vec published MSE": [0.039, 0.062, 0.134, 0.154, 0.163],
        "TS2Vec published MAE": [0.152, 0.191, 0.282, 0.310, 0.327],
        "AutoTCL published MSE": [0.037, 0.054, 0.078, 0.093, 0.120],
    },
    ("ETTh2", "univariate"): {
        "TS2Vec published MSE": [0.090, 0.124, 0.208, 0.213, 0.214],
        "TS2Vec published MAE": [0.229, 0.273, 0.360, 0.369, 0.374],
        "AutoTCL published MSE": [0.079, 0.117, 0.176, 0.193, 0.223],
    },
    ("ETTm1", "univariate"): {
        "TS2Vec published MSE": [0.015, 0.027, 0.044, 0.103, 0.156],
        "TS2Vec published MAE": [0.092, 0.126, 0.161, 0.246, 0.307],
        "AutoTCL published MSE": [0.016, 0.026, 0.036, 0.063, 0.090],
    },
    ("ETTh1", "multivariate"): {
        "TS2Vec published MSE": [0.599, 0.629, 0.755, 0.907, 1.048],
        "AutoTCL published MSE": [0.389, 0.447, 0.615, 0.802, 1.028],
    },
    ("ETTh2", "multivariate"): {
        "AutoTCL published MSE": [0.337, 0.572, 1.470, 1.685, 1.890],
    },
    ("ETTm1", "multivariate"): {
        "AutoTCL published MSE": [0.256, 0.339, 0.376, 0.464, 0.608],
    },
}


def _series(spec: ForecastSet) -> Series:
    path = data_dir() / "forecasting" / spec.file
    if not path.is_file():
        raise SuiteSkipped(f"{path} is absent (set TSCL_DATA_DIR)")
    if spec.calendar is None:
        return read_csv_series(path, time_column="date")
    frame = pd.read_csv(path, header=None)
    stamps = pd.date_range("2000-01-03", periods=len(frame), freq=spec.calendar)
    return Series(
        values=frame.to_numpy(np.float32).T,
        timestamps=stamps.to_numpy(),
        channels=tuple(str(c) for c in frame.columns),
        recording=path.name,
    )


def load_set(name: str, setting: str) -> ForecastData:
    """``setting`` "univariate" (the target column) or "multivariate" (every column)."""
    spec = SETS[name]
    series = _series(spec)
    length = len(series)
    borders = spec.borders or (int(length * 0.6), length - int(length * 0.2), length)
    targets = [spec.target] if setting == "univariate" else list(series.channels)
    return prepare_forecast(series, targets=targets, borders=borders)
