"""Turns a ``RunConfig`` into objects: arrays for each split, the encoder, the method.

This is the only place where configs become objects; constructors take typed
keyword arguments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from torch import nn

from tscl.config import RunConfig
from tscl.data.aami import AAMI_CLASSES
from tscl.data.normalize import ChannelScaler
from tscl.data.read_ts import TsData
from tscl.encoders import ENCODERS
from tscl.errors import ConfigError, DataError
from tscl.methods import METHODS
from tscl.methods.ts2vec import default_steps
from tscl.registry import build, lookup

# TS2Vec's recipe defaults for its own encoder; config params override them.
RECIPE_ENCODER_DEFAULTS: dict[str, dict[str, Any]] = {
    "ts2vec": {"hidden_dims": 64, "output_dims": 320, "depth": 10},
}


@dataclass
class Arrays:
    """Model-ready arrays, channels-first (N, C, T), already normalised with the training statistics."""

    train_x: np.ndarray
    train_y: np.ndarray | None
    test_x: np.ndarray
    test_y: np.ndarray | None
    val_x: np.ndarray | None = None
    val_y: np.ndarray | None = None
    class_names: list[str] = field(default_factory=list)
    scaler: dict[str, Any] | None = None
    source: dict[str, Any] = field(
        default_factory=dict
    )  # card name, files and their sha256

    # Forecasting data sets: the whole scaled series with its borders
    # (a tscl.train.forecast.ForecastData); the x arrays are its splits.
    forecast: Any = None

    @property
    def in_channels(self) -> int:
        return int(self.train_x.shape[1])


def is_series_normalised(x: np.ndarray, tolerance: float = 1e-2) -> bool:
    """True when every univariate series is already z-normalised (as most UCR sets are)."""
    if x.shape[1] != 1:
        return False
    mean = np.nanmean(x, axis=-1)
    std = np.nanstd(x, axis=-1)
    return bool(
        np.all(np.abs(mean) < tolerance) and np.all(np.abs(std - 1) < 5 * tolerance)
    )


def normalise(arrays: Arrays, mode: str) -> Arrays:
    """Per-channel standardisation fitted on the training split only (``auto`` skips z-normalised UCR sets)."""
    if mode not in ("auto", "none", "channel"):
        raise ConfigError(f"data.normalize: '{mode}' is not one of auto, none, channel")
    if mode == "none" or (mode == "auto" and is_series_normalised(arrays.train_x)):
        return arrays
    scaler = ChannelScaler().fit(arrays.train_x)
    arrays.train_x = scaler.transform(arrays.train_x).astype(np.float32)
    arrays.test_x = scaler.transform(arrays.test_x).astype(np.float32)
    if arrays.val_x is not None:
        arrays.val_x = scaler.transform(arrays.val_x).astype(np.float32)
    arrays.scaler = scaler.to_dict()
    return arrays


def encode_labels(
    train: np.ndarray, test: np.ndarray
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """String labels -> int codes over the sorted union of classes."""
    classes = sorted(set(map(str, train)) | set(map(str, test)))
    index = {name: i for i, name in enumerate(classes)}
    return (
        np.array([index[str(v)] for v in train]),
        np.array([index[str(v)] for v in test]),
        classes,
    )


def load_archive_arrays(config: RunConfig) -> Arrays:
    """A UCR/UEA classification archive from the catalog, with its official train/test split."""
    from tscl.data.loaders import load_dataset

    data = load_dataset(config.dataset, **config.data.options)
    train, test = getattr(data, "train", None), getattr(data, "test", None)
    if train is None or test is None:
        raise DataError(
            config.dataset, "expected a data set with an official train/test split"
        )
    return archive_arrays(
        train,
        test,
        normalize=config.data.normalize,
        source=getattr(data, "source", {"dataset": config.dataset}),
    )


def load_forecast_arrays(config: RunConfig) -> Arrays:
    """A CSV series with a row split (ETTh1, ...) as TS2Vec's forecasting inputs.

    The inputs are the target column(s) plus 7 calendar covariates, scaled on
    the training rows (:func:`tscl.train.forecast.prepare_forecast`); each
    split is one (1, C, T_split) array and ``arrays.forecast`` keeps the
    series and borders for the forecasting protocol. ``data.options.targets``
    picks the target columns: the card's target by default, ``all`` for
    every column (multivariate).
    """
    from tscl.data.catalog import load_card
    from tscl.data.loaders import load_dataset, row_borders
    from tscl.train.forecast import prepare_forecast

    options = dict(config.data.options)
    targets = options.pop("targets", None)
    card = load_card(config.dataset)
    series = load_dataset(config.dataset, **options)
    if targets is None:
        default = card.reader_args.get("target")
        if default is None:
            raise ConfigError(
                f"dataset '{config.dataset}': its card names no target column; "
                "set data.options.targets"
            )
        targets = [default]
    elif targets == "all":
        targets = list(series.channels)
    elif isinstance(targets, str):
        targets = [targets]
    borders = row_borders(card, len(series))
    data = prepare_forecast(
        series,
        targets=list(targets),
        borders=(borders["train"][1], borders["val"][1], borders["test"][1]),
    )
    parts = {
        name: data.x[None, :, data.split(name)] for name in ("train", "val", "test")
    }
    return Arrays(
        train_x=parts["train"],
        train_y=None,
        test_x=parts["test"],
        test_y=None,
        val_x=parts["val"],
        scaler=data.scaler,
        source={"dataset": config.dataset, "targets": list(targets)},
        forecast=data,
    )


def archive_arrays(
    train: TsData,
    test: TsData,
    *,
    normalize: str = "auto",
    source: dict[str, Any] | None = None,
) -> Arrays:
    """Train/test ``.ts`` contents -> NaN-padded (N, C, T) arrays with int labels, normalised on train."""
    train_x, test_x = train.to_array(), test.to_array()
    length = max(train_x.shape[-1], test_x.shape[-1])
    train_x, test_x = _pad_to(train_x, length), _pad_to(test_x, length)
    train_y, test_y, classes = encode_labels(train.labels, test.labels)
    arrays = Arrays(
        train_x=train_x,
        train_y=train_y,
        test_x=test_x,
        test_y=test_y,
        class_names=classes,
        source=source or {},
    )
    return normalise(arrays, normalize)


def load_beat_arrays(config: RunConfig) -> Arrays:
    """ECG beat windows of a WFDB beat-annotated data set, split by patient (train / val / test)."""
    from tscl.data.loaders import load_dataset
    from tscl.domains.ecg.beats import beat_windows, class_codes, patient_split

    records = [
        r
        for r in load_dataset(config.dataset, **config.data.options)
        if not r.meta.get("smoke_only")
    ]
    if not records:
        raise DataError(
            config.dataset,
            "no records left for training after removing smoke-test-only records",
        )
    windows = beat_windows(records)
    split = patient_split(
        windows,
        val=config.data.val_fraction,
        test=config.data.test_fraction,
        seed=config.train.seed,
    )
    codes = class_codes(windows.y)
    part = {name: windows.subset(index) for name, index in split.parts().items()}
    arrays = Arrays(
        train_x=part["train"].x,
        train_y=codes[split.train],
        test_x=part["test"].x,
        test_y=codes[split.test],
        val_x=part["val"].x if len(split.val) else None,
        val_y=codes[split.val] if len(split.val) else None,
        class_names=list(AAMI_CLASSES),
        source={
            "dataset": config.dataset,
            "records": [r.recording for r in records],
            "patients": {name: sorted(set(w.subject)) for name, w in part.items()},
        },
    )
    return normalise(
        arrays, "channel" if config.data.normalize == "auto" else config.data.normalize
    )


def _pad_to(x: np.ndarray, length: int) -> np.ndarray:
    """(N, C, T) -> (N, C, length), NaN-padding at the end."""
    if x.shape[-1] == length:
        return x
    out = np.full((*x.shape[:2], length), np.nan, dtype=np.float32)
    out[..., : x.shape[-1]] = x
    return out


def build_encoder(config: RunConfig, in_channels: int) -> nn.Module:
    """The configured encoder, with the method's recipe defaults under the user's params."""
    params = (
        dict(RECIPE_ENCODER_DEFAULTS.get(config.method, {}))
        if config.encoder.name == "dilated_conv"
        else {}
    )
    params.update(config.encoder.params)
    return build(
        ENCODERS, config.encoder.name, params, kind="encoder", in_channels=in_channels
    )


def build_method(config: RunConfig, in_channels: int) -> nn.Module:
    """The configured pretraining method around the configured encoder."""
    recipe = lookup(METHODS, config.method, kind="method")
    params = {"max_train_length": config.data.max_train_length, **config.method_params}
    return build(
        {config.method: recipe},
        config.method,
        params,
        kind="method",
        encoder=build_encoder(config, in_channels),
    )


def resolve_steps(config: RunConfig, train_x: np.ndarray) -> int:
    """``train.max_steps``, or the recipe's default for this much data."""
    if config.train.max_steps > 0:
        return config.train.max_steps
    return default_steps(int(train_x.size))
