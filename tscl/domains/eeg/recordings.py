"""Which EDF files a run reads, with their subject / recording ids, and their epochs.

Catalog data sets take the ids from their card's hierarchy (EEGMMIDB:
``S001/S001R04.edf`` -> subject ``S001``, recording ``S001R04``). A user's EDF
file or folder has no card: the subject is the first ``S\\d{3}`` in the parent
folder's name or else the file name, falling back to the file stem; the
recording is the file stem.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tscl.data.catalog import Card
from tscl.data.digest import file_sha256
from tscl.domains.eeg.epochs import run_number, task_epochs, task_runs
from tscl.domains.eeg.options import EegOptions
from tscl.domains.eeg.preprocess import preprocess_edf
from tscl.errors import DataError

_SUBJECT = re.compile(r"(S\d{3})")


@dataclass(frozen=True)
class EdfFile:
    """One EDF recording to read: where it is and which ids its epochs get."""

    path: Path
    key: str  # the name in ``source["files"]`` (card path or the user's path)
    subject: str
    recording: str
    sha256: str | None = None  # known from the card; computed otherwise


@dataclass
class EpochTable:
    """All epochs of a data set, in file order then time order.

    Attributes:
        x: (N, C, T) float32 µV.
        labels: N class names, or None when unlabelled.
        subjects, recordings: N ids, from the file each epoch was cut from.
        starts: (N,) int64 first sample of each epoch in its recording.
        fs: sampling rate in Hz; channels: the C channel names.
        files: {file key: sha256} of every file read.
    """

    x: np.ndarray
    labels: list[str] | None
    subjects: list[str]
    recordings: list[str]
    starts: np.ndarray
    fs: float
    channels: list[str]
    files: dict[str, str] = field(default_factory=dict)


def subject_of(path: Path) -> str:
    """``S\\d{3}`` from the parent folder's or the file's name, else the file stem."""
    for name in (path.parent.name, path.name):
        match = _SUBJECT.search(name)
        if match:
            return match.group(1)
    return path.stem


def _keep(recording: str, subject: str, options: EegOptions) -> bool:
    runs = task_runs(options.task)
    if runs is not None and run_number(recording) not in runs:
        return False
    return options.subjects is None or subject in options.subjects


def card_files(card: Card, directory: Path, options: EegOptions) -> list[EdfFile]:
    """The card's EDF files the task needs (runs, ``subjects``), ids from the card."""
    levels = {name: card.level(name) for name in ("subject", "recording")}
    out = []
    for file in sorted(card.files, key=lambda f: f.path):
        if not file.path.lower().endswith(".edf"):
            continue
        ids = {
            name: level.resolve(file.path) if level else Path(file.path).stem
            for name, level in levels.items()
        }
        if _keep(ids["recording"], ids["subject"], options):
            out.append(
                EdfFile(
                    directory / file.path,
                    file.path,
                    ids["subject"],
                    ids["recording"],
                    file.sha256,
                )
            )
    return _nonempty(out, card.name, options)


def path_files(path: Path, options: EegOptions) -> list[EdfFile]:
    """A user's EDF file, or every ``*.edf`` under a folder, with ids from the names."""
    if path.is_dir():
        paths = sorted(p for p in path.rglob("*") if p.suffix.lower() == ".edf")
    elif path.is_file() and path.suffix.lower() == ".edf":
        paths = [path]
    else:
        raise DataError(path, "expected an EDF file or a folder of EDF files")
    out = [
        EdfFile(p, str(p), subject_of(p), p.stem)
        for p in paths
        if _keep(p.stem, subject_of(p), options)
    ]
    return _nonempty(out, path, options)


def _nonempty(
    files: list[EdfFile], source: str | Path, options: EegOptions
) -> list[EdfFile]:
    if not files:
        wanted = f" of subjects {list(options.subjects)}" if options.subjects else ""
        raise DataError(source, f"no EDF file{wanted} for task {options.task!r}")
    return files


def read_epochs(files: Sequence[EdfFile], options: EegOptions) -> EpochTable:
    """Preprocesses every file and cuts the task's epochs; ids come from each file.

    Raises:
        DataError: files disagree on sampling rate or channels, or no epoch results.
    """
    parts, labels, subjects, recordings, starts = [], [], [], [], []
    fs, channels, sums = None, None, {}
    for file in files:
        raw = preprocess_edf(file.path, options.settings)
        if fs is None:
            fs, channels = float(raw.info["sfreq"]), list(raw.ch_names)
        elif float(raw.info["sfreq"]) != fs or list(raw.ch_names) != channels:
            raise DataError(
                file.path, f"sampling rate or channels differ from {files[0].path.name}"
            )
        epochs = task_epochs(raw, options.task, options.epoch_seconds, file.recording)
        parts.append(epochs.x)
        labels.extend(
            epochs.labels if epochs.labels is not None else [None] * len(epochs.x)
        )
        subjects.extend([file.subject] * len(epochs.x))
        recordings.extend([file.recording] * len(epochs.x))
        starts.append(epochs.starts)
        sums[file.key] = file.sha256 or file_sha256(file.path)
    if not subjects:
        raise DataError(
            files[0].path, f"no epoch of task {options.task!r} in the files"
        )
    assert fs is not None and channels is not None
    return EpochTable(
        x=np.concatenate(parts),
        labels=None if all(label is None for label in labels) else labels,
        subjects=subjects,
        recordings=recordings,
        starts=np.concatenate(starts),
        fs=fs,
        channels=channels,
        files=sums,
    )
