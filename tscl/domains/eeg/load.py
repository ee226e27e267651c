"""``load_eeg(config)``: an EEG data set (catalog name or the user's EDF files) -> TrainingData.

EDF/EDF+ data (EEGMMIDB, or a user's file / folder without a card) is read,
re-referenced and band-passed through MNE (``preprocess``), cut into the task's
epochs (``epochs``) and split subject-independently (``split``); a data set
with too few subjects for the fractions (one subject, as in the UCI eye-state
table) is split by contiguous time blocks. Per-channel z-scoring is fitted on
the training part only. ``preprocessing`` records every setting a saved
encoder replays on new files (``embed_eeg_input``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from tscl.data.catalog import Card, load_card
from tscl.data.dataset_ref import as_path
from tscl.data.fetch import ensure_fetched, verified_path
from tscl.data.normalize import ChannelScaler
from tscl.data.splits import Split
from tscl.data.training import SignalSet, TrainingData, encode_ids
from tscl.domains.eeg.epochs import TASK_CLASSES
from tscl.domains.eeg.options import EegOptions, parse_options
from tscl.domains.eeg.preprocess import filter_record
from tscl.domains.eeg.recordings import EpochTable, card_files, path_files, read_epochs
from tscl.domains.eeg.split import subject_split, time_blocks
from tscl.errors import ConfigError

if TYPE_CHECKING:
    from tscl.config import RunConfig

SPLITS = ("group", "official")  # "official" = the card's groupwise split (by subject)
NORMALIZE = ("auto", "channel", "none")


EDF_TASKS = ("eyes", "fist", "annotations", "fixed")


def load_eeg(config: RunConfig) -> TrainingData:
    """Loads ``config.dataset`` as epochs split train / val / test without subject leaks.

    ``config.dataset`` is a catalog card (EEGMMIDB: tasks ``eyes`` (default),
    ``fist``, ``annotations``, ``fixed``; the eye-state table: ``eye_state``;
    a UEA ``.ts`` archive: its official split) or a path to an EDF file or a
    folder of EDF files (task ``auto``: labelled from annotations when the
    files have any, else unlabelled ``fixed`` epochs).

    Raises:
        ConfigError: an unknown option, task or split kind.
        DataError: missing / unreadable files, channels absent, no epochs.
    """
    _check_config(config)
    path = as_path(config.dataset)
    if path is not None:
        task = _path_task(path, str(config.data.options.get("task", "auto")))
        options = parse_options(
            {**config.data.options, "task": task},
            default_task="fixed",
            allowed=EDF_TASKS,
        )
        table = read_epochs(path_files(path, options), options)
        return assemble(table, config, options, dataset=str(path))
    card = load_card(config.dataset)
    if card.format == "ts":
        from tscl.domains.eeg.archive import load_archive

        return load_archive(card, config)
    return _load_card(card, config)


def _load_card(card: Card, config: RunConfig) -> TrainingData:
    """An EDF-run card (EEGMMIDB) or the eye-state table card."""
    table_card = card.format == "csv"
    options = parse_options(
        config.data.options,
        default_task="eye_state" if table_card else "eyes",
        allowed=("eye_state",) if table_card else EDF_TASKS,
    )
    ensure_fetched(card.name)
    directory = verified_path(card.name)
    if not table_card:
        table = read_epochs(card_files(card, directory, options), options)
        return assemble(table, config, options, dataset=card.name)
    from tscl.domains.eeg.eye_state import OUTLIER_UV, eye_state_table

    table, replaced = eye_state_table(card, directory, options)
    extra = {"outlier_uv": OUTLIER_UV, "outliers_replaced": replaced}
    return assemble(table, config, options, dataset=card.name, extra=extra)


def _check_config(config: RunConfig) -> None:
    """Fails on split / normalisation settings before any file is read."""
    if config.data.split not in SPLITS:
        raise ConfigError(
            f"data.split must be one of {SPLITS} for EEG (epochs of one subject are "
            f"not independent), got {config.data.split!r}"
        )
    if config.data.normalize not in NORMALIZE:
        raise ConfigError(
            f"data.normalize must be one of {NORMALIZE}, got {config.data.normalize!r}"
        )


def _path_task(path: Any, task: str) -> str:
    """``auto``: labelled from annotations when the first file has any, else unlabelled."""
    if task != "auto":
        return task
    from tscl.domains.eeg.preprocess import read_raw

    files = sorted(path.rglob("*.edf")) if path.is_dir() else [path]
    has_annotations = bool(files) and len(read_raw(files[0]).annotations) > 0
    return "annotations" if has_annotations else "fixed"


def _split(
    table: EpochTable, config: RunConfig, options: EegOptions
) -> tuple[Split, np.ndarray, str]:
    """The split, the group of every epoch, and what a group is."""
    subjects = np.asarray(table.subjects, dtype=str)
    val, test = config.data.val_fraction, config.data.test_fraction
    count = len(set(subjects.tolist()))
    needed = max(1, round(test * count)) + (
        max(1, round(val * count)) if val > 0 else 0
    )
    by_blocks = options.test_subjects is None and needed >= count
    groups = time_blocks(len(subjects)) if by_blocks else subjects
    split = subject_split(
        groups,
        None if table.labels is None else np.asarray(table.labels, dtype=str),
        val=val,
        test=test,
        seed=config.train.seed,
        test_groups=options.test_subjects,
        val_groups=options.val_subjects,
    )
    return split, groups, "time_block" if by_blocks else "subject"


def _signal_set(
    table: EpochTable,
    x: np.ndarray,
    index: np.ndarray,
    class_names: list[str],
    segments: np.ndarray | None,
) -> SignalSet:
    """The epochs at ``index`` with their ids (``segment`` = time block, when split so)."""
    ids, names = {}, {}
    columns = {"subject": table.subjects, "recording": table.recordings}
    if segments is not None:
        columns["segment"] = segments
    for level, column in columns.items():
        ids[level], names[level] = encode_ids(np.asarray(column, dtype=str)[index])
    y = None
    if table.labels is not None:
        y = np.array(
            [class_names.index(table.labels[i]) for i in index], dtype=np.int64
        )
    return SignalSet(x=x[index], y=y, ids=ids, id_names=names)


def assemble(
    table: EpochTable,
    config: RunConfig,
    options: EegOptions,
    *,
    dataset: str,
    extra: dict[str, Any] | None = None,
) -> TrainingData:
    """Splits the epochs, fits the scaler on train and records the preprocessing."""
    _check_config(config)
    split, groups, split_by = _split(table, config, options)
    class_names = TASK_CLASSES.get(options.task) or sorted(set(table.labels or []))
    preprocessing: dict[str, Any] = {
        "domain": "eeg",
        "task": options.task,
        "fs": table.fs,
        "epoch_seconds": options.epoch_seconds,
        "epoch_samples": int(table.x.shape[-1]),
        "units": "uV",
        "class_names": class_names,
        "split_by": split_by,
        **filter_record(options.settings),
        "channels": table.channels,  # the channels kept, in order (replayed by embed)
        **(extra or {}),
    }
    x = table.x
    if config.data.normalize != "none":
        scaler = ChannelScaler().fit(x[split.train])
        preprocessing["scaler"] = scaler.to_dict()
        x = scaler.transform(x)
    segments = groups if split_by == "time_block" else None
    parts = {
        part: _signal_set(table, x, index, class_names, segments)
        for part, index in split.parts().items()
    }
    membership = {
        part: sorted(set(np.asarray(groups)[index].tolist()))
        for part, index in split.parts().items()
    }
    return TrainingData(
        train=parts["train"],
        val=parts["val"] if len(split.val) else None,
        test=parts["test"],
        class_names=class_names,
        preprocessing=preprocessing,
        source={
            "dataset": dataset,
            "files": table.files,
            "split": {"by": split_by, **membership},
        },
    )
