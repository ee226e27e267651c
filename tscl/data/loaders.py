"""Turn a fetched dataset card into Python objects through the readers.

``load_dataset(name)`` finds the card, insists that every file of the data set
is fetched and verified (``fetch.verified_path``), and calls the card's
loader from ``LOADERS``. Loaders set subject / recording ids from the card's
hierarchy mapping and check every label against the card's class list: a
label the card does not list raises ``DataError`` naming the label and card.
"""

from __future__ import annotations

import dataclasses
import inspect
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from tscl.data.aami import aami_class
from tscl.data.catalog import Card, load_card
from tscl.data.fetch import verified_path
from tscl.data.read_csv import read_csv_series
from tscl.data.read_edf import read_edf
from tscl.data.read_events import read_event_log
from tscl.data.read_npz import read_npz
from tscl.data.read_ts import TsData, read_ts
from tscl.data.read_wfdb import read_wfdb
from tscl.data.records import EventCollection, Series
from tscl.errors import DataError


@dataclass
class ArchiveData:
    """A UCR/UEA data set with its official split; ``test`` None when absent."""

    train: TsData
    test: TsData | None


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def label_class(card: Card, value: Any) -> str | None:
    """The card class of one raw label; None for ignored or allowed-missing ones.

    Raises:
        DataError: the label is not in the card's classes (nor ignored).
    """
    spec = card.labels
    if spec is None:
        return None
    if _missing(value):
        if spec.allow_missing:
            return None
        raise DataError(
            card.name, f"a label is missing but card {card.name} requires one"
        )
    raw = str(value)
    if raw in spec.ignore:
        return None
    mapped = aami_class(raw) if spec.mapping == "aami" else raw
    if mapped not in spec.classes:
        kind = f"{spec.mapping} symbol" if spec.mapping else "label"
        raise DataError(
            card.name,
            f"{kind} {raw!r} is not in the classes {list(spec.classes)} of card "
            f"{card.name} ({card.path})",
        )
    return mapped


def check_labels(
    card: Card, labels: Iterable[Any], where: str | os.PathLike[str]
) -> None:
    """Raise a DataError naming ``where`` for the first label not in the card."""
    for value in set(labels.tolist() if hasattr(labels, "tolist") else labels):
        try:
            label_class(card, value)
        except DataError as error:
            raise DataError(where, error.problem) from None


def _apply_hierarchy(card: Card, series: Series, raw: Mapping[str, str]) -> Series:
    """Set ``subject`` / ``recording`` from the card's levels and raw ids."""
    for name in ("subject", "recording"):
        level = card.level(name)
        if level is None or level.source in ("annotation", "window"):
            continue
        value = (
            raw.get(level.key or "")
            if level.source == "array"
            else raw.get(level.source)
        )
        if level.source != "constant" and value is None:
            raise DataError(
                card.name, f"no {level.source} id for hierarchy level {name}"
            )
        setattr(series, name, level.resolve(str(value)))
    return series


def _choose(
    card: Card, what: str, requested: Iterable[str] | None, available: list[str]
) -> list[str]:
    """``requested`` ids (all when None), each checked against ``available``."""
    if requested is None:
        return available
    chosen = [str(item) for item in requested]
    for item in chosen:
        if item not in available:
            raise DataError(card.name, f"no {what} {item!r}; the card has {available}")
    return chosen


def split_membership(card: Card, record: str) -> dict[str, Any]:
    """``{"split_set": "DS1"|..., "smoke_only": bool}`` from the card's split sets."""
    sets = card.split.get("sets") or {}
    member = next((name for name, ids in sets.items() if record in map(str, ids)), None)
    smoke = record in map(str, card.split.get("smoke_only") or ())
    return {"split_set": member, "smoke_only": smoke}


def record_names(card: Card) -> list[str]:
    """WFDB record names (header paths without ``.hea``), sorted."""
    headers = (PurePosixPath(f.path) for f in card.files if f.path.endswith(".hea"))
    return sorted(str(path.with_suffix("")) for path in headers)


def load_wfdb_records(
    card: Card,
    directory: Path,
    *,
    records: Iterable[str] | None = None,
    channels: list[int] | None = None,
    sampfrom: int = 0,
    sampto: int | None = None,
) -> list[Series]:
    """WFDB records as Series with hierarchy ids, split membership and checked labels."""
    annotator = card.reader_args.get("annotator")
    out = []
    for name in _choose(card, "record", records, record_names(card)):
        series = read_wfdb(
            directory / name,
            channels=channels,
            sampfrom=sampfrom,
            sampto=sampto,
            annotator=annotator,
        )
        if series.annotations is not None:
            check_labels(
                card, series.annotations.label, f"{directory / name}.{annotator}"
            )
        series.meta.update(split_membership(card, name))
        out.append(_apply_hierarchy(card, series, {"record": name}))
    return out


def load_edf_runs(
    card: Card,
    directory: Path,
    *,
    subjects: Iterable[str] | None = None,
    recordings: Iterable[str] | None = None,
    channels: list[str] | None = None,
) -> list[Series]:
    """EDF runs as Series, optionally only some subjects / recordings (runs)."""
    paths = sorted(f.path for f in card.files if f.path.lower().endswith(".edf"))
    ids = {}
    for name in ("subject", "recording"):
        level = card.level(name)
        ids[name] = [level.resolve(p) if level else p for p in paths]
    wanted_subjects = set(
        _choose(card, "subject", subjects, sorted(set(ids["subject"])))
    )
    wanted_runs = set(
        _choose(card, "recording", recordings, sorted(set(ids["recording"])))
    )
    out = []
    for path, subject, run in zip(paths, ids["subject"], ids["recording"], strict=True):
        if subject not in wanted_subjects or run not in wanted_runs:
            continue
        series = read_edf(directory / path, channels=channels)
        if series.annotations is not None:
            check_labels(card, series.annotations.label, directory / path)
        out.append(_apply_hierarchy(card, series, {"path": path}))
    return out


def load_ts_archive(card: Card, directory: Path) -> ArchiveData:
    """The official train / test ``.ts`` files (test None when the card has none)."""
    parts = {}
    for part in ("train", "test"):
        name = card.split.get(part)
        parts[part] = None if name is None else read_ts(directory / name)
        if parts[part] is not None and parts[part].labels is not None:
            check_labels(card, parts[part].labels, directory / name)
    if parts["train"] is None:
        raise DataError(card.name, "the card's split names no train file")
    return ArchiveData(train=parts["train"], test=parts["test"])


def row_borders(card: Card, length: int) -> dict[str, tuple[int, int]]:
    """``{part: (start, end)}`` row ranges of a ``rows`` or ``ratio`` split."""
    split = card.split
    if split.get("kind") == "ratio":
        train, test = int(length * split["train"]), int(length * split["test"])
        return {
            "train": (0, train),
            "val": (train, length - test),
            "test": (length - test, length),
        }
    if split.get("kind") != "rows":
        raise DataError(
            card.name, f"card {card.name} has no row split (kind {split.get('kind')!r})"
        )
    borders = {
        part: (int(split[part][0]), int(split[part][1]))
        for part in ("train", "val", "test")
    }
    if borders["test"][1] > length:
        raise DataError(
            card.name,
            f"split ends at row {borders['test'][1]} but the series has {length} rows",
        )
    return borders


def load_csv_series(card: Card, directory: Path, *, part: str | None = None) -> Series:
    """One CSV series; ``part`` ("train" / "val" / "test") slices the row split."""
    args = dict(card.reader_args)
    path, target = directory / args.pop("file"), args.pop("target", None)
    series = read_csv_series(path, **args)
    if series.step_labels is not None:
        check_labels(card, series.step_labels, path)
    series.meta["target"] = target
    _apply_hierarchy(card, series, {})
    if part is None:
        return series
    borders = row_borders(card, len(series))
    if part not in borders:
        raise DataError(
            card.name, f"part must be one of {sorted(borders)}, got {part!r}"
        )
    return _slice_rows(series, *borders[part], part=part)


def _slice_rows(series: Series, start: int, end: int, *, part: str) -> Series:
    """Rows [start, end) of a series: values (C, T) -> (C, end - start)."""
    cut = {}
    for name in ("timestamps", "step_labels"):
        array = getattr(series, name)
        cut[name] = None if array is None else array[start:end]
    values = series.values[:, start:end]  # (C, T) -> (C, end - start)
    meta = {**series.meta, "part": part, "rows": (start, end)}
    return dataclasses.replace(series, values=values, meta=meta, **cut)


def load_npz_recordings(card: Card, directory: Path) -> list[Series]:
    """The recordings of one ``.npz`` file with hierarchy ids and checked labels."""
    args = dict(card.reader_args)
    path = directory / args.pop("file")
    recordings = read_npz(path, **args)
    if card.labels is not None:
        check_labels(card, [series.label for series in recordings], path)
    subject_key = args.get("subject_key")
    for index, series in enumerate(recordings):
        raw = {
            "index": str(index),
            **{key: str(value) for key, value in series.meta.items()},
        }
        if subject_key is not None:
            raw[subject_key] = str(series.subject)
        _apply_hierarchy(card, series, raw)
    return recordings


def load_event_log(card: Card, directory: Path) -> EventCollection:
    """An event log (events table + optional cases table) with checked labels."""
    args = dict(card.reader_args)
    events, cases = args.pop("events"), args.pop("cases", None)
    cases_path = None if cases is None else directory / cases
    collection = read_event_log(directory / events, cases_path=cases_path, **args)
    if card.labels is not None:
        check_labels(
            card,
            [seq.label for seq in collection.sequences],
            cases_path or directory / events,
        )
    return collection


LOADERS: dict[str, Callable[..., Any]] = {
    "wfdb_records": load_wfdb_records,
    "edf_runs": load_edf_runs,
    "ts_archive": load_ts_archive,
    "csv_series": load_csv_series,
    "npz_recordings": load_npz_recordings,
    "event_log": load_event_log,
}


def load_dataset(
    name: str, *, cache_dir: str | os.PathLike[str] | None = None, **kwargs: Any
) -> Any:
    """Load a fetched, verified data set with its card's loader.

    Args:
        name: card name (``tscl data list``).
        cache_dir: cache root (default ``$TSCL_CACHE_DIR``).
        **kwargs: loader options, e.g. ``records=["100"]`` for WFDB data,
            ``subjects=["S001"]`` for EDF runs, ``part="train"`` for CSV series.

    Returns:
        ``ArchiveData`` (UCR/UEA), ``list[Series]`` (WFDB, EDF, npz),
        ``Series`` (CSV) or ``EventCollection`` (event logs).
    """
    card = load_card(name)
    loader = LOADERS.get(card.reader)
    if loader is None:
        raise DataError(
            card.path or name,
            f"unknown reader {card.reader!r}; known: {sorted(LOADERS)}",
        )
    directory = verified_path(card.name, cache_dir)
    try:
        inspect.signature(loader).bind(card, directory, **kwargs)
    except TypeError as error:
        raise DataError(
            card.name, f"bad option for reader {card.reader}: {error}"
        ) from None
    return loader(card, directory, **kwargs)
