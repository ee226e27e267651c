"""``load_motion``: the smartwatch set, UEA motion archives or the user's npz / CSV / .ts files."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from tscl.config import RunConfig
from tscl.data.normalize import ChannelScaler
from tscl.data.records import Series
from tscl.data.splits import stratified_split
from tscl.data.training import SignalSet, TrainingData
from tscl.data.windows import WindowSet
from tscl.domains.motion.options import MotionOptions, parse_options, window_samples
from tscl.domains.motion.pipeline import apply_spec, build_spec, sampling_rate
from tscl.domains.motion.read import Recordings, read_card, read_path
from tscl.domains.motion.split import subject_split, time_blocks
from tscl.domains.motion.windows import signal_set
from tscl.errors import ConfigError, DataError

SPLITS = (
    "group",
    "official",
)  # "official": the card's own split (subjects, or the archive's)


def load_motion(config: RunConfig) -> TrainingData:
    """Loads, preprocesses, windows, splits and scales a motion data set.

    Recordings with several subjects are windowed (``window_seconds`` /
    ``overlap``, or ``data.window`` / ``data.stride`` samples) and split by
    subject; one subject's recording is split in time blocks; UEA archives
    keep their official test split, with ``val_fraction`` of the training
    series held out (stratified). Channels are z-scored with statistics of the
    training split (``preprocessing["scaler"]``) unless ``data.normalize=none``.

    Raises:
        ConfigError: unknown options or split kinds.
        DataError: unreadable or inconsistent data.
    """
    options = parse_options(config.data.options)
    if config.data.split not in SPLITS:
        raise ConfigError(
            f"data.split: '{config.data.split}' is not one of {', '.join(SPLITS)} for motion data"
        )
    from tscl.data.dataset_ref import as_path

    path = as_path(config.dataset)
    data = (
        read_card(config.dataset, options) if path is None else read_path(path, options)
    )
    if data.archive is not None:
        windows, parts = _archive_parts(data, options, config)
    else:
        windows, parts = _recording_parts(data, options, config)
    sets: dict[str, SignalSet | None] = {
        name: None
        if index is None
        else signal_set(windows.subset(index), data.class_names, data.name)
        for name, index in parts.items()
    }
    preprocessing = {
        **windows.meta["spec"],
        "domain": "motion",
        "class_names": list(data.class_names),
    }
    scaler = _scale(sets, config.data.normalize)
    if scaler is not None:
        preprocessing["scaler"] = scaler
    train, test = sets["train"], sets["test"]
    assert train is not None and test is not None
    return TrainingData(
        train=train,
        val=sets["val"],
        test=test,
        class_names=list(data.class_names),
        preprocessing=preprocessing,
        source={
            "dataset": data.name,
            "files": data.files,
            "split": _membership(windows, parts),
        },
    )


def _recording_parts(
    data: Recordings, options: MotionOptions, config: RunConfig
) -> tuple[WindowSet, dict[str, np.ndarray | None]]:
    fs = sampling_rate(data.recordings, options)
    if fs is None:
        raise DataError(data.name, "no sampling rate: set data.options.fs")
    length, stride = window_samples(options, fs, config.data.window, config.data.stride)
    spec = build_spec(data.recordings, options, window=length, stride=stride)
    subjects = {r.subject for r in data.recordings}
    if len(subjects) > 1:
        windows = apply_spec(data.recordings, spec)
        split = subject_split(
            windows.subject,
            windows.y,
            val_fraction=config.data.val_fraction,
            test_fraction=config.data.test_fraction,
            seed=config.train.seed,
            test_subjects=options.test_subjects,
            val_subjects=options.val_subjects,
        )
        parts = split.parts()
    else:  # one subject: contiguous time blocks, no window crossing parts
        windows, parts = _blocks(data.recordings, spec, config)
    windows.meta["spec"] = spec
    return windows, {k: (v if len(v) or k != "val" else None) for k, v in parts.items()}


def _blocks(
    recordings: list[Series], spec: dict[str, Any], config: RunConfig
) -> tuple[WindowSet, dict[str, np.ndarray]]:
    pieces, owners = [], []
    for series in recordings:
        borders = time_blocks(
            len(series),
            val_fraction=config.data.val_fraction,
            test_fraction=config.data.test_fraction,
        )
        for part, (start, end) in borders.items():
            if end - start >= spec["window"]:
                piece = apply_spec([_rows(series, start, end)], spec)
                piece.start = piece.start + start
                pieces.append(piece)
                owners += [part] * len(piece)
    windows = WindowSet.concat(pieces)
    owner = np.array(owners)
    return windows, {
        part: np.flatnonzero(owner == part) for part in ("train", "val", "test")
    }


def _rows(series: Series, start: int, end: int) -> Series:
    """Samples [start, end) of a recording: (C, T) -> (C, end - start)."""
    steps = None if series.step_labels is None else series.step_labels[start:end]
    stamps = None if series.timestamps is None else series.timestamps[start:end]
    return dataclasses.replace(
        series, values=series.values[:, start:end], step_labels=steps, timestamps=stamps
    )


def _archive_parts(
    data: Recordings, options: MotionOptions, config: RunConfig
) -> tuple[WindowSet, dict[str, np.ndarray | None]]:
    assert data.archive is not None
    train, test = data.archive
    spec = build_spec(train + test, options, window=0, stride=0)
    windows = WindowSet.concat([apply_spec(train, spec), apply_spec(test, spec)])
    windows.meta["spec"] = spec
    train_index, val_index = np.arange(len(train)), None
    if config.data.val_fraction > 0:
        labels = np.array([s.label for s in train])
        carved = stratified_split(
            labels, val=0.0, test=config.data.val_fraction, seed=config.train.seed
        )
        train_index, val_index = carved.train, carved.test
    return windows, {
        "train": train_index,
        "val": val_index,
        "test": len(train) + np.arange(len(test)),
    }


def _scale(sets: dict[str, SignalSet | None], normalize: str) -> dict[str, Any] | None:
    """z-scores every split in place with per-channel statistics of ``train``."""
    if normalize not in ("auto", "none", "channel"):
        raise ConfigError(
            f"data.normalize: '{normalize}' is not one of auto, none, channel"
        )
    if normalize == "none":
        return None
    train = sets["train"]
    assert train is not None
    scaler = ChannelScaler().fit(train.x)
    for part in sets.values():
        if part is not None:
            part.x = scaler.transform(part.x)
    return scaler.to_dict()


def _membership(
    windows: WindowSet, parts: dict[str, np.ndarray | None]
) -> dict[str, list[str]]:
    """Subjects of each part (recordings when there are no subjects), for the run record."""
    ids = windows.subject if (windows.subject != "").all() else windows.recording
    return {
        part: sorted(set(ids[index].tolist()))
        for part, index in parts.items()
        if index is not None
    }
