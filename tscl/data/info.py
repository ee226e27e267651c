"""Text summaries of the catalog and of fetched data sets (``tscl data list|info``).

``describe(name)`` reads a fetched, verified data set and reports what is
really in the files: shapes, channels, sampling rate, classes with counts and
hierarchy counts. For WFDB data it reads headers and annotations only, so the
23 MIT-BIH records take well under a second.
"""

from __future__ import annotations

import os
import textwrap
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tscl.data.catalog import Card, list_cards, load_card
from tscl.data.fetch import unverified_files, verified_path
from tscl.data.loaders import (
    check_labels,
    label_class,
    load_csv_series,
    load_edf_runs,
    load_event_log,
    load_npz_recordings,
    load_ts_archive,
    record_names,
    row_borders,
    split_membership,
)
from tscl.data.read_wfdb import read_wfdb_annotations, read_wfdb_header

Lines = list[str]


def format_table(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], align: str | None = None
) -> str:
    """A plain aligned text table.

    Args:
        align: one ``l`` or ``r`` per column; by default numbers (and None)
            are right-aligned and everything else left-aligned.
    """
    rows = [tuple(row) for row in rows]
    cells = [[str(h) for h in headers]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    if align is None:
        numbers = [
            all(isinstance(r[i], int | float | None) for r in rows)
            for i in range(len(headers))
        ]
        align = "".join("r" if number else "l" for number in numbers)
    numeric = [side == "r" for side in align]
    lines = []
    for row in cells:
        parts = zip(row, widths, numeric, strict=True)
        lines.append("  ".join(v.rjust(w) if n else v.ljust(w) for v, w, n in parts))
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return "-" if value is None else str(value)


def _natural(item: tuple[Any, Any]) -> tuple[int, str]:
    """Sort key putting "2" before "10"."""
    text = str(item[0])
    return (int(text), "") if text.isdecimal() else (1 << 62, text)


def _span(values: Sequence[int]) -> str:
    """``"96"`` or ``"7-29"``."""
    low, high = min(values), max(values)
    return str(low) if low == high else f"{low}-{high}"


def _counts(counter: Counter[str], classes: Sequence[str]) -> str:
    """``"N 2239, S 33, ..."`` in class order."""
    return ", ".join(f"{c} {counter.get(c, 0)}" for c in classes)


def _fetch_state(card: Card, cache_dir: str | os.PathLike[str] | None) -> str:
    missing = len(unverified_files(card, cache_dir))
    return "yes" if missing == 0 else "no" if missing == len(card.files) else "partial"


def catalog_table(cache_dir: str | os.PathLike[str] | None = None) -> str:
    """The ``tscl data list`` table: name, domain, format, files, size, fetched."""
    rows = [
        (
            c.name,
            c.domain,
            c.format,
            len(c.files),
            f"{c.size / 1e6:.1f}",
            _fetch_state(c, cache_dir),
        )
        for c in list_cards()
    ]
    headers = ("name", "domain", "format", "files", "MB", "fetched")
    return format_table(headers, rows, align="lllrrl")


def _overview(card: Card, directory: Path) -> Lines:
    """Card facts: description, licence, source, files, hierarchy, labels, split."""
    labels = "none"
    if card.labels is not None:
        labels = f"{card.labels.kind}; classes {', '.join(card.labels.classes)}"
    levels = ", ".join(f"{level.name} ({level.source})" for level in card.hierarchy)
    split = [f"{k} {v}" for k, v in card.split.items() if k not in ("note", "sets")]
    lines = [f"{card.name}  [{card.domain}, {card.format}]"]
    lines += textwrap.wrap(
        card.description, 88, initial_indent="  ", subsequent_indent="  "
    )
    return lines + [
        f"licence: {card.licence}",
        f"source: {card.source.get('url')}",
        f"files: {len(card.files)} ({card.size / 1e6:.1f} MB), verified in {directory}",
        f"hierarchy: {levels}",
        f"labels: {labels}",
        f"split: {', '.join(split)}",
    ]


def _wfdb_row(
    card: Card, directory: Path, name: str
) -> tuple[tuple[Any, ...], Counter[str]]:
    """One record's table row (header facts, annotation count) and class counts."""
    header = read_wfdb_header(directory / name)
    annotator = card.reader_args.get("annotator")
    counts: Counter[str] = Counter()
    count = None
    if annotator and f"{name}.{annotator}" in {f.path for f in card.files}:
        symbols = read_wfdb_annotations(directory / name, annotator).label
        check_labels(card, symbols, f"{directory / name}.{annotator}")
        count = len(symbols)
        counts.update(c for c in (label_class(card, s) for s in symbols) if c)
    level = card.level("subject")
    member = split_membership(card, name)
    where = (member["split_set"] or "-") + (
        " smoke-only" if member["smoke_only"] else ""
    )
    channels = ",".join(header["channels"])
    subject = level.resolve(name) if level else name
    row = (name, subject, where, channels, header["num_samples"], header["fs"], count)
    return row, counts


def _describe_wfdb(card: Card, directory: Path) -> Lines:
    classes = card.labels.classes if card.labels else ()
    rows, totals = [], Counter[str]()
    for name in record_names(card):
        row, counts = _wfdb_row(card, directory, name)
        rows.append(row + tuple(counts.get(c, 0) for c in classes))
        totals += counts
    headers = ("record", "subject", "set", "channels", "samples", "fs_hz")
    lines = [format_table((*headers, "annotations", *classes), rows)]
    if classes:
        what = "AAMI beat" if card.labels and card.labels.mapping == "aami" else "label"
        total = f"{_counts(totals, classes)} (total {sum(totals.values())})"
        lines.append(f"{what} counts over {len(rows)} records: {total}")
    subjects = len({row[1] for row in rows})
    lines.append(f"hierarchy counts: {subjects} subjects, {len(rows)} recordings")
    return lines


def _describe_edf(card: Card, directory: Path) -> Lines:
    runs = load_edf_runs(card, directory)
    classes = card.labels.classes if card.labels else ()
    rows, totals = [], Counter[str]()
    for run in runs:
        labels = [] if run.annotations is None else run.annotations.label.tolist()
        counts = Counter(labels)
        totals += counts
        facts = (run.subject, run.recording, run.num_channels, len(run), run.fs)
        rows.append(facts + tuple(counts.get(c, 0) for c in classes))
    headers = ("subject", "recording", "channels", "samples", "fs_hz", *classes)
    subjects, epochs = len({run.subject for run in runs}), sum(totals.values())
    return [
        format_table(headers, rows),
        f"annotation counts: {_counts(totals, classes)}",
        f"hierarchy counts: {subjects} subjects, {len(runs)} recordings, {epochs} epochs",
    ]


def _describe_ts(card: Card, directory: Path) -> Lines:
    archive = load_ts_archive(card, directory)
    parts = {"train": archive.train, "test": archive.test}
    classes = card.labels.classes if card.labels else ()
    rows, counts = [], {}
    for part, data in parts.items():
        if data is None:
            rows.append((part, 0, None, "missing"))
            continue
        lengths = sorted({x.shape[1] for x in data.series})
        span = _span(lengths)
        counts[part] = Counter(data.labels.tolist() if data.labels is not None else [])
        rows.append((part, len(data), data.num_channels, span))
    lines = [format_table(("split", "series", "channels", "length"), rows)]
    class_rows = [(c, *(counts[p].get(c, 0) for p in counts)) for c in classes]
    lines.append(f"{len(classes)} classes:")
    lines.append(format_table(("class", *counts), class_rows))
    return lines


def _time_span(stamps: np.ndarray) -> str:
    """First and last time stamp and the median step."""
    step = np.median(np.diff(stamps))
    if np.issubdtype(stamps.dtype, np.datetime64):
        first, last = np.datetime_as_string(stamps[[0, -1]], unit="s")
        return f"time: {first} .. {last}, median step {pd.Timedelta(step)}"
    return f"time: {stamps[0]:g} .. {stamps[-1]:g}, median step {step:g}"


def _describe_csv(card: Card, directory: Path) -> Lines:
    series = load_csv_series(card, directory)
    lines = [
        f"shape: {series.num_channels} channels x {len(series)} rows",
        f"channels: {', '.join(series.channels)}",
    ]
    if series.fs is not None:
        lines.append(f"sampling rate: {series.fs:g} Hz")
    if series.timestamps is not None and len(series) > 1:
        lines.append(_time_span(series.timestamps))
    if series.meta.get("target"):
        lines.append(f"target: {series.meta['target']}")
    if series.step_labels is not None and card.labels is not None:
        counts = Counter(str(v) for v in series.step_labels.tolist())
        lines.append(f"step labels: {_counts(counts, card.labels.classes)}")
    if card.split.get("kind") in ("rows", "ratio"):
        borders = row_borders(card, len(series))
        lines.append(
            "split rows: "
            + ", ".join(f"{p} [{a}, {b})" for p, (a, b) in borders.items())
        )
    lines.append(
        f"hierarchy: subject {series.subject or '-'}, recording {series.recording}"
    )
    return lines


def _describe_npz(card: Card, directory: Path) -> Lines:
    recordings = load_npz_recordings(card, directory)
    lengths = [len(r) for r in recordings]
    subjects = Counter(r.subject for r in recordings)
    first = recordings[0]
    lines = [
        f"{len(recordings)} recordings from {len(subjects)} subjects",
        f"channels: {first.num_channels} ({', '.join(first.channels)}), sampling rate: {_cell(first.fs)} Hz",
        f"length: {_span(lengths)} samples ({sum(lengths)} in all)",
        "recordings per subject: "
        + ", ".join(f"{s} {n}" for s, n in sorted(subjects.items(), key=_natural)),
    ]
    if card.labels is not None:
        counts = Counter(str(r.label) for r in recordings)
        lines.append(
            f"classes ({len(card.labels.classes)}): {_counts(counts, card.labels.classes)}"
        )
    return lines


def _describe_events(card: Card, directory: Path) -> Lines:
    collection = load_event_log(card, directory)
    lengths = np.array([len(s) for s in collection.sequences])
    lines = [
        f"{len(collection)} cases, {collection.num_events} events",
        f"events per case: min {lengths.min()}, median {np.median(lengths):g}, max {lengths.max()}",
        "vocabulary sizes: "
        + ", ".join(f"{k} {len(v) - 2}" for k, v in collection.vocab.items()),
    ]
    subjects = {s.subject for s in collection.sequences if s.subject is not None}
    lines.append(
        f"hierarchy counts: {len(subjects) or '-'} subjects, {len(collection)} cases"
    )
    if card.labels is not None:
        labels = [s.label for s in collection.sequences]
        counts = Counter(str(v) for v in labels if label_class(card, v) is not None)
        missing = len(labels) - sum(counts.values())
        lines.append(
            f"case labels ({card.labels.field}): {_counts(counts, card.labels.classes)}, missing {missing}"
        )
    return lines


DESCRIBERS: dict[str, Callable[[Card, Path], Lines]] = {
    "wfdb_records": _describe_wfdb,
    "edf_runs": _describe_edf,
    "ts_archive": _describe_ts,
    "csv_series": _describe_csv,
    "npz_recordings": _describe_npz,
    "event_log": _describe_events,
}


def describe(name: str, *, cache_dir: str | os.PathLike[str] | None = None) -> str:
    """The ``tscl data info`` text of a fetched, verified data set."""
    card = load_card(name)
    directory = verified_path(card.name, cache_dir)
    return "\n".join(
        _overview(card, directory) + [""] + DESCRIBERS[card.reader](card, directory)
    )
