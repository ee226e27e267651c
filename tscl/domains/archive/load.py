"""UCR/UEA-style labelled series collections (``.ts``): official split, TS2Vec normalisation rule.

Each series is its own subject and recording (the archives record no
hierarchy). A catalog card gives the official train/test files; a user's
``.ts`` file uses its ``*_TEST.ts`` sibling when there is one, else a
stratified ``data.test_fraction`` of it becomes the test split.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from tscl.config import RunConfig
from tscl.data.digest import file_sha256 as sha256_of
from tscl.data.normalize import ChannelScaler
from tscl.data.read_ts import TsData, read_ts
from tscl.data.training import SignalSet, TrainingData
from tscl.errors import ConfigError, DataError

OPTIONS: frozenset[str] = frozenset()


def is_series_normalised(x: np.ndarray, tolerance: float = 1e-2) -> bool:
    """True when every univariate series is already z-normalised (as most UCR sets are)."""
    if x.shape[1] != 1:
        return False
    mean = np.nanmean(x, axis=-1)
    std = np.nanstd(x, axis=-1)
    return bool(
        np.all(np.abs(mean) < tolerance) and np.all(np.abs(std - 1) < 5 * tolerance)
    )


def fit_scaler(
    train_x: np.ndarray, mode: str, *, auto_skips_normalised: bool = True
) -> ChannelScaler | None:
    """Per-channel standardisation fitted on the training split (None: leave as is).

    ``auto`` skips z-normalised univariate sets (TS2Vec's rule) when
    ``auto_skips_normalised``, and standardises otherwise.
    """
    if mode not in ("auto", "none", "channel"):
        raise ConfigError(f"data.normalize: '{mode}' is not one of auto, none, channel")
    if mode == "none":
        return None
    if mode == "auto" and auto_skips_normalised and is_series_normalised(train_x):
        return None
    return ChannelScaler().fit(train_x)


def encode_labels(
    *parts: np.ndarray | None,
) -> tuple[list[np.ndarray | None], list[str]]:
    """String labels of each part -> int codes over the sorted union of classes."""
    classes = sorted({str(v) for part in parts if part is not None for v in part})
    index = {name: i for i, name in enumerate(classes)}
    codes = [
        None
        if part is None
        else np.array([index[str(v)] for v in part], dtype=np.int64)
        for part in parts
    ]
    return codes, classes


def _pad_to(x: np.ndarray, length: int) -> np.ndarray:
    """(N, C, T) -> (N, C, length), NaN-padding at the end."""
    if x.shape[-1] == length:
        return x
    out = np.full((*x.shape[:2], length), np.nan, dtype=np.float32)
    out[..., : x.shape[-1]] = x
    return out


def own_ids(n: int, prefix: str) -> tuple[dict[str, np.ndarray], dict[str, list[str]]]:
    """Each row its own subject and recording (codes 0..n-1, names prefix-i)."""
    names = [f"{prefix}{i}" for i in range(n)]
    codes = np.arange(n, dtype=np.int64)
    return {"subject": codes, "recording": codes}, {
        "subject": names,
        "recording": names,
    }


def archive_data(
    train: TsData,
    test: TsData,
    *,
    normalize: str = "auto",
    source: dict[str, Any] | None = None,
) -> TrainingData:
    """Train/test ``.ts`` contents -> NaN-padded (N, C, T) splits with int labels, normalised on train."""
    train_x, test_x = train.to_array(), test.to_array()
    length = max(train_x.shape[-1], test_x.shape[-1])
    train_x, test_x = _pad_to(train_x, length), _pad_to(test_x, length)
    (train_y, test_y), classes = encode_labels(train.labels, test.labels)
    scaler = fit_scaler(train_x, normalize)
    if scaler is not None:
        train_x = scaler.transform(train_x).astype(np.float32)
        test_x = scaler.transform(test_x).astype(np.float32)
    train_ids, train_names = own_ids(len(train_x), "train-")
    test_ids, test_names = own_ids(len(test_x), "test-")
    return TrainingData(
        train=SignalSet(x=train_x, y=train_y, ids=train_ids, id_names=train_names),
        test=SignalSet(x=test_x, y=test_y, ids=test_ids, id_names=test_names),
        class_names=classes,
        preprocessing={"scaler": None if scaler is None else scaler.to_dict()},
        source=source or {},
    )


def _user_split(path: Path, config: RunConfig) -> tuple[TsData, TsData, list[Path]]:
    """A user's .ts file: its *_TEST.ts sibling, or a stratified test fraction of it."""
    from tscl.data.splits import stratified_split

    data = read_ts(path)
    sibling = path.with_name(path.name.replace("_TRAIN", "_TEST"))
    if "_TRAIN" in path.name and sibling.is_file():
        return data, read_ts(sibling), [path, sibling]
    if data.labels is None:
        raise DataError(
            path, "expected class labels (the archive task is classification)"
        )
    split = stratified_split(
        data.labels, val=0.0, test=config.data.test_fraction, seed=config.train.seed
    )
    pick = lambda rows: TsData(  # noqa: E731
        series=[data.series[i] for i in rows],
        labels=data.labels[rows],
        class_labels=data.class_labels,
        header=data.header,
        equal_length=data.equal_length,
    )
    return pick(split.train), pick(split.test), [path]


def load_archive(config: RunConfig) -> TrainingData:
    """The archive split of ``config.dataset`` (catalog name or ``.ts`` path)."""
    from tscl.data.dataset_ref import as_path

    unknown = set(config.data.options) - OPTIONS
    if unknown:
        raise ConfigError(
            f"data.options: unknown option(s) {sorted(unknown)} for the archive domain"
        )
    path = as_path(config.dataset)
    if path is not None:
        if not path.is_file() or path.suffix.lower() != ".ts":
            raise DataError(path, "expected a .ts file (UCR/UEA format)")
        train, test, files = _user_split(path, config)
        source = {"dataset": str(path), "files": {str(f): sha256_of(f) for f in files}}
        return archive_data(train, test, normalize=config.data.normalize, source=source)
    from tscl.data.fetch import ensure_fetched
    from tscl.data.loaders import load_dataset

    ensure_fetched(config.dataset)
    data = load_dataset(config.dataset)
    train, test = getattr(data, "train", None), getattr(data, "test", None)
    if train is None or test is None:
        raise DataError(
            config.dataset, "expected a data set with an official train/test split"
        )
    return archive_data(
        train, test, normalize=config.data.normalize, source={"dataset": config.dataset}
    )
