"""UEA ``.ts`` EEG archives (FingerMovements) with their official train / test split.

The series are already cut and filtered by the archive, so no MNE step runs:
``TsData.to_array()`` gives (N, C, T) and each series is its own subject and
recording (the archive holds no subject ids). A validation part, when
``data.val_fraction`` > 0, is a class-stratified draw of training series.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tscl.data.catalog import Card
from tscl.data.fetch import ensure_fetched
from tscl.data.loaders import load_dataset
from tscl.data.normalize import ChannelScaler
from tscl.data.read_ts import TsData
from tscl.data.splits import stratified_split
from tscl.data.training import SignalSet, TrainingData, encode_ids
from tscl.errors import ConfigError, DataError


def _signal_set(
    x: np.ndarray, labels: np.ndarray, names: list[str], class_names: list[str]
) -> SignalSet:
    subject, subject_names = encode_ids(names)
    codes = np.array(
        [class_names.index(str(label)) for label in labels], dtype=np.int64
    )
    return SignalSet(
        x=x,
        y=codes,
        ids={"subject": subject, "recording": subject.copy()},
        id_names={"subject": subject_names, "recording": list(subject_names)},
    )


def _part(data: TsData, prefix: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    if data.labels is None:
        raise DataError(prefix, "the archive's series carry no class labels")
    names = [f"{prefix}{i:04d}" for i in range(len(data))]
    return data.to_array(), np.asarray(data.labels, dtype=str), names


def load_archive(card: Card, config: Any) -> TrainingData:
    """The card's official split as ``TrainingData`` (val drawn from train).

    Raises:
        ConfigError: ``data.options`` is not empty (the archive has no EEG options).
    """
    if config.data.options:
        raise ConfigError(
            f"data.options {sorted(config.data.options)}: the .ts archive "
            f"{card.name} takes no EEG options (it is already epoched)"
        )
    ensure_fetched(card.name)
    archive = load_dataset(card.name)
    if archive.test is None:
        raise DataError(card.name, "the card names no official test file")
    train_x, train_labels, train_names = _part(archive.train, "train")
    test_x, test_labels, test_names = _part(archive.test, "test")
    class_names = (
        list(card.labels.classes) if card.labels else sorted(set(train_labels))
    )
    val = None
    if config.data.val_fraction > 0:
        split = stratified_split(
            train_labels, val=0.0, test=config.data.val_fraction, seed=config.train.seed
        )
        keep, held = split.train, split.test
        val = (train_x[held], train_labels[held], [train_names[i] for i in held])
        train_x, train_labels = train_x[keep], train_labels[keep]
        train_names = [train_names[i] for i in keep]
    preprocessing: dict[str, Any] = {
        "domain": "eeg",
        "task": "series",
        "format": "ts",
        "channels": archive.train.num_channels,
        "length": int(train_x.shape[-1]),
    }
    if config.data.normalize in ("auto", "channel"):
        scaler = ChannelScaler().fit(train_x)
        preprocessing["scaler"] = scaler.to_dict()
        train_x, test_x = scaler.transform(train_x), scaler.transform(test_x)
        if val is not None:
            val = (scaler.transform(val[0]), val[1], val[2])
    return TrainingData(
        train=_signal_set(train_x, train_labels, train_names, class_names),
        val=None if val is None else _signal_set(*val, class_names),
        test=_signal_set(test_x, test_labels, test_names, class_names),
        class_names=class_names,
        preprocessing=preprocessing,
        source={
            "dataset": card.name,
            "files": {f.path: f.sha256 for f in card.files},
            "split": "official",
        },
    )
