"""Forecasting series (CSV with a date column and a row split): TS2Vec's inputs, scaled on train.

A catalog card gives the row split (ETT's 12/4/4 months) and the default
target; a user's CSV path uses ``data.options.date`` for the date column
(default: the reader's detection), ``targets`` for the target columns (default:
the last column; ``all`` for multivariate) and a 60/20/20 row split (or
``split=ett`` for ETT's 12/4/4 months of 30 days at the file's step);
``channel_independent=true`` pretrains and encodes each target alone beside
the covariates; ``anchor`` (default ``ANCHOR``) encodes each forecasting window's
targets relative to their last value, so the embedding reads the window's
shape and not its level.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from tscl.config import RunConfig
from tscl.data.training import SignalSet, TrainingData
from tscl.errors import ConfigError, DataError

OPTIONS = frozenset(
    {"targets", "date", "split", "part", "channel_independent", "anchor"}
)
ANCHOR = False
ETT_HOURS = (12 * 30 * 24, 16 * 30 * 24, 20 * 30 * 24)


def _targets(
    requested: Any, default: str | None, channels: list[str], where: str
) -> list[str]:
    if requested is None:
        if default is None:
            raise ConfigError(
                f"dataset '{where}': no default target column; set data.options.targets"
            )
        return [default]
    if requested == "all":
        return list(channels)
    return [requested] if isinstance(requested, str) else list(requested)


def _date_column(path: Path) -> str | None:
    """A header column named like a date / time (date, time, timestamp, datetime), if any."""
    import pandas as pd

    try:
        header = pd.read_csv(path, nrows=0).columns
    except (ValueError, OSError):
        return None
    for column in header:
        if str(column).strip().lower() in (
            "date",
            "time",
            "timestamp",
            "datetime",
            "ds",
        ):
            return str(column)
    return None


def ett_borders(timestamps: Any) -> tuple[int, int, int]:
    """ETT's 12/4/4 months of 30 days as row borders at the series' step (hourly: ``ETT_HOURS``)."""
    import pandas as pd

    stamps = pd.DatetimeIndex(timestamps)
    step = float(np.median(np.diff(stamps) / pd.Timedelta(seconds=1)))
    per_hour = 3600.0 / step if step > 0 else 1.0
    return tuple(int(round(hours * per_hour)) for hours in ETT_HOURS)  # type: ignore[return-value]


def _user_series(
    path: Path, options: dict[str, Any]
) -> tuple[Any, tuple[int, int, int]]:
    from tscl.data.read_csv import read_csv_series

    if not path.is_file():
        raise DataError(path, "file not found (expected a CSV series)")
    date = options.get("date") or _date_column(path)
    kwargs = {"time_column": date} if date else {}
    series = read_csv_series(path, **kwargs)
    length = len(series)
    if options.get("split", "ratio") == "ett":
        borders = ett_borders(series.timestamps)
        if borders[-1] > length:
            raise DataError(
                path, f"the ETT split needs {borders[-1]} rows, the file has {length}"
            )
    else:
        train, test = int(length * 0.6), int(length * 0.2)
        borders = (train, length - test, length)
    return series, borders


def check_horizons(
    horizons: list[int], borders: tuple[int, int, int], where: str
) -> None:
    """ConfigError, before anything trains, when a split is too short for a horizon.

    Each split needs at least 2 forecast origins: ``H + 2`` rows for horizon H.
    """
    starts = (0, borders[0], borders[1])
    for name, start, end in zip(("train", "val", "test"), starts, borders, strict=True):
        rows = end - start
        too_long = [h for h in horizons if rows - h < 2]
        if too_long:
            fit = [h for h in horizons if rows - h >= 2]
            raise ConfigError(
                f"eval.horizons: {where}'s {name} split has {rows} rows, too few for "
                f"horizon(s) {too_long} (each needs H + 2); set e.g. eval.horizons={fit or [max(rows - 2, 1)]}"
            )


def load_forecast(config: RunConfig) -> TrainingData:
    """The series of ``config.dataset`` as train / val / test (1, C, T_split) splits."""
    from tscl.data.dataset_ref import as_path
    from tscl.data.digest import file_sha256 as sha256_of
    from tscl.domains.forecast.protocol import channel_view, prepare_forecast

    options = dict(config.data.options)
    unknown = set(options) - OPTIONS
    if unknown:
        raise ConfigError(
            f"data.options: unknown option(s) {sorted(unknown)} for the forecast domain; valid: {sorted(OPTIONS)}"
        )
    path = as_path(config.dataset)
    if path is not None:
        series, borders = _user_series(path, options)
        default = series.channels[-1]
        source = {"dataset": str(path), "files": {str(path): sha256_of(path)}}
    else:
        from tscl.data.catalog import load_card
        from tscl.data.fetch import ensure_fetched
        from tscl.data.loaders import load_dataset, row_borders

        ensure_fetched(config.dataset)
        card = load_card(config.dataset)
        series = load_dataset(config.dataset)
        ends = row_borders(card, len(series))
        borders = (ends["train"][1], ends["val"][1], ends["test"][1])
        default = card.reader_args.get("target")
        source = {"dataset": config.dataset}
    targets = _targets(
        options.get("targets"), default, list(series.channels), config.dataset
    )
    check_horizons(config.eval.horizons, borders, str(config.dataset))
    data = prepare_forecast(series, targets=targets, borders=borders)
    data.channel_independent = bool(options.get("channel_independent", False))
    data.anchored = bool(options.get("anchor", ANCHOR))
    parts = {}
    for name in ("train", "val", "test"):
        x = data.x[None, :, data.split(name)]  # (C, T) -> (1, C, T_split)
        if data.channel_independent:  # one row per target: (C_t, 7 + 1, T_split)
            x = np.stack(
                [
                    channel_view(data, i).x[:, data.split(name)]
                    for i in range(data.num_targets)
                ]
            )
        ids = {
            "subject": np.zeros(len(x), np.int64),
            "recording": np.zeros(len(x), np.int64),
        }
        names = {"subject": [config.dataset], "recording": [config.dataset]}
        parts[name] = SignalSet(x=x, ids=ids, id_names=names)
    source.update(
        {
            "targets": targets,
            "split": {
                "train_end": borders[0],
                "val_end": borders[1],
                "test_end": borders[2],
            },
        }
    )
    return TrainingData(
        train=parts["train"],
        val=parts["val"],
        test=parts["test"],
        preprocessing={"scaler": data.scaler, "targets": targets},
        source=source,
        forecast=data,
    )
