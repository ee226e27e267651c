"""Reading motion data: catalog cards (npz recordings, CSV, UEA .ts) and the user's own files."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tscl.data.digest import file_sha256 as _sha256
from tscl.data.read_ts import TsData
from tscl.data.records import Series
from tscl.domains.motion.options import MotionOptions
from tscl.errors import DataError

# Key layout of the smartwatch npz (datasets/seglearn_watch.yaml); a user's npz follows it.
WATCH_KEYS = {
    "values_key": "X_concat",
    "offsets_key": "offsets",
    "layout": "TC",
    "label_key": "y",
    "label_names_key": "y_labels",
    "subject_key": "subject",
}
WATCH_FS = 50.0
TIME_COLUMNS = ("timestamp", "time")


@dataclass
class Recordings:
    """What was read: recordings (or an archive's train/test series), classes and file hashes."""

    name: str
    recordings: list[Series] = field(default_factory=list)
    archive: tuple[list[Series], list[Series]] | None = None
    class_names: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)


def read_card(name: str, options: MotionOptions) -> Recordings:
    """A catalog data set (fetched from $TSCL_DATA_MIRROR when needed)."""
    from tscl.data.catalog import load_card
    from tscl.data.fetch import ensure_fetched
    from tscl.data.loaders import load_dataset

    card = load_card(name)
    ensure_fetched(card.name)
    data = load_dataset(card.name)
    classes = list(card.labels.classes) if card.labels is not None else []
    files = {f.path: f.sha256 for f in card.files}
    if card.reader == "ts_archive":
        return Recordings(
            card.name,
            archive=_archive(data.train, data.test, options.fs),
            class_names=classes,
            files=files,
        )
    if card.reader not in ("npz_recordings", "csv_series"):
        raise DataError(
            card.name, f"reader {card.reader} is not motion data (npz, csv or ts)"
        )
    recordings = data if isinstance(data, list) else [data]
    return Recordings(
        card.name, recordings=recordings, class_names=classes, files=files
    )


def read_path(path: Path, options: MotionOptions) -> Recordings:
    """The user's ``.npz`` (smartwatch layout), ``.csv`` (one recording) or ``*_TRAIN.ts`` file."""
    if not path.is_file():
        raise DataError(path, "file not found (expected .npz, .csv or *_TRAIN.ts)")
    suffix = "".join(path.suffixes[-2:]) if path.suffix == ".gz" else path.suffix
    if suffix == ".npz":
        recordings, classes = read_watch_npz(path)
    elif suffix in (".csv", ".csv.gz", ".txt.gz"):
        recordings = [read_motion_csv(path, options)]
        labels = recordings[0].step_labels
        classes = [] if labels is None else sorted({str(v) for v in labels})
    elif suffix == ".ts":
        return _read_ts_pair(path, options)
    else:
        raise DataError(
            path, f"motion files are .npz, .csv or .ts, got {suffix or 'no suffix'}"
        )
    return Recordings(
        str(path),
        recordings=recordings,
        class_names=classes,
        files={str(path): _sha256(path)},
    )


def read_watch_npz(path: Path) -> tuple[list[Series], list[str]]:
    """Recordings of an npz laid out like the smartwatch set (``WATCH_KEYS``, 50 Hz unless ``fs``)."""
    from tscl.data.read_npz import read_npz

    with np.load(path, allow_pickle=False) as archive:
        names = archive["X_labels"] if "X_labels" in archive.files else None
        classes = archive["y_labels"] if "y_labels" in archive.files else None
        fs = float(archive["fs"]) if "fs" in archive.files else WATCH_FS
    keys = {
        k: v
        for k, v in WATCH_KEYS.items()
        if k != "label_names_key" or classes is not None
    }
    channels = None if names is None else [str(n) for n in names]
    recordings = read_npz(path, fs=fs, channels=channels, **keys)
    for index, series in enumerate(recordings):
        series.recording = str(index)  # as the catalog card names them
    if classes is None:
        return recordings, sorted({str(r.label) for r in recordings})
    return recordings, [str(c) for c in classes]


def read_motion_csv(path: Path, options: MotionOptions) -> Series:
    """One recording from a CSV: channels = every column but time / label / subject."""
    import pandas as pd

    from tscl.data.read_csv import read_csv_series

    header = [str(c).strip() for c in pd.read_csv(path, nrows=0).columns]
    time_col = options.time_col or next((c for c in TIME_COLUMNS if c in header), None)
    special = {time_col, options.label_col, options.subject_col} - {None}
    missing = sorted(c for c in special if c not in header)
    if missing:
        raise DataError(path, f"no column {missing[0]!r}; columns are {header}")
    columns = [c for c in header if c not in special]
    series = read_csv_series(
        path,
        time_column=time_col,
        label_column=options.label_col,
        columns=columns,
        fs=options.fs,
    )
    subject = series.recording
    if options.subject_col is not None:
        values = (
            pd.read_csv(path, usecols=[options.subject_col])[options.subject_col]
            .dropna()
            .unique()
        )
        if len(values) != 1:
            raise DataError(
                path,
                f"column {options.subject_col!r} must hold one subject per file, found {len(values)}",
            )
        subject = str(values[0])
    fs = series.fs or _rate_from_times(path, series.timestamps)
    return dataclasses.replace(series, subject=subject, fs=fs)


def _rate_from_times(path: Path, stamps: np.ndarray | None) -> float | None:
    """Sampling rate (Hz) from the median step of a time column, None without one."""
    if stamps is None or len(stamps) < 2:
        return None
    span = stamps[-1] - stamps[0]  # mean step: millisecond stamps round 15.6 ms steps
    if isinstance(span, np.timedelta64):
        span = span / np.timedelta64(1, "s")
    step = float(span) / (len(stamps) - 1)
    if not step > 0:
        raise DataError(
            path,
            "cannot tell the sampling rate from the time column; set data.options.fs",
        )
    return 1.0 / step


def _archive(
    train: TsData, test: TsData | None, fs: float | None
) -> tuple[list[Series], list[Series]]:
    """Each archive series as its own subject / recording (UEA has no subject ids)."""
    if test is None:
        raise DataError("archive", "the archive has no official test split")

    def series_of(data: TsData, part: str) -> list[Series]:
        labels = [None] * len(data) if data.labels is None else data.labels.tolist()
        return [
            Series(
                values=x,
                fs=fs,
                label=label,
                subject=f"{part}/{i}",
                recording=f"{part}/{i}",
            )
            for i, (x, label) in enumerate(zip(data.series, labels, strict=True))
        ]

    return series_of(train, "train"), series_of(test, "test")


def _read_ts_pair(path: Path, options: MotionOptions) -> Recordings:
    from tscl.data.read_ts import read_ts

    if not path.name.endswith("_TRAIN.ts"):
        raise DataError(
            path, "a .ts data set is given by its *_TRAIN.ts file, next to *_TEST.ts"
        )
    test_path = path.with_name(path.name.replace("_TRAIN.ts", "_TEST.ts"))
    train, test = read_ts(path), read_ts(test_path) if test_path.is_file() else None
    labels = [] if train.labels is None else train.labels.tolist()
    classes = train.class_labels or sorted({str(v) for v in labels})
    files = {str(p): _sha256(p) for p in (path, test_path) if p.is_file()}
    return Recordings(
        str(path),
        archive=_archive(train, test, options.fs),
        class_names=list(classes),
        files=files,
    )
