"""Read a delimited text table (``.csv``, ``.csv.gz``, ``.txt.gz``) as one Series.

Rows are time steps and columns are channels, except an optional time column
(``Series.timestamps``) and label column (``Series.step_labels``). The field
count of every line is checked before pandas parses the numbers, so that a row
with extra or missing fields is reported by line number instead of being
silently padded or truncated.
"""

from __future__ import annotations

import csv
import gzip
import io
import warnings
import zlib
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from tscl.data.records import Series
from tscl.errors import DataError

_FLOAT32_MAX = float(np.finfo(np.float32).max)


def _read_text(path: Path) -> str:
    """The decoded text of a plain or gzip-compressed file."""
    if not path.is_file():
        raise DataError(path, "CSV file not found")
    try:
        raw = (
            gzip.decompress(path.read_bytes())
            if path.suffix == ".gz"
            else path.read_bytes()
        )
        return raw.decode("utf-8-sig")
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(path, f"unreadable gzip data: {error}") from error
    except UnicodeDecodeError as error:
        raise DataError(path, f"not UTF-8 text (byte {error.start})") from error


def _split_records(text: str) -> list[tuple[int, int]]:
    """(line number, field count) of every record.

    Unquoted text is split directly (fast); quoted text goes through ``csv``.
    """
    if '"' not in text and "\r" not in text.replace("\r\n", ""):
        # Blank lines (pandas skips them) count 0 fields; others commas + 1.
        return [
            (number, line.count(",") + 1 if line.strip(" \t\r") else 0)
            for number, line in enumerate(text.split("\n"), start=1)
        ]
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[tuple[int, int]] = []
    previous_end = 0
    for row in reader:
        blank = not row or (len(row) == 1 and not row[0].strip(" \t"))
        records.append((previous_end + 1, 0 if blank else len(row)))
        previous_end = reader.line_num
    return records


def _record_lines(path: Path, text: str) -> list[int]:
    """File line number of every non-blank record; raises on ragged rows."""
    try:
        records = [(line, width) for line, width in _split_records(text) if width]
    except csv.Error as error:
        raise DataError(path, f"malformed CSV: {error}") from error
    if not records:
        raise DataError(path, "empty file: no rows")
    width = records[0][1]
    for line, count in records:
        if count != width:
            raise DataError(path, f"line {line} has {count} fields, expected {width}")
    return [line for line, _ in records]


def _parse_table(
    path: Path, text: str, header: bool, columns: list[str] | None
) -> tuple[pd.DataFrame, list[int]]:
    """The table as a DataFrame plus the file line of each data row."""
    lines = _record_lines(path, text)
    if header:
        lines = lines[1:]
    if not lines:
        raise DataError(path, "no data rows after the header")
    try:
        frame = pd.read_csv(
            io.StringIO(text), header=0 if header else None, index_col=False
        )
    except (ValueError, pd.errors.ParserError) as error:
        raise DataError(path, f"unparseable CSV: {error}") from error
    if len(frame) != len(lines):
        raise DataError(
            path, f"parsed {len(frame)} rows but found {len(lines)} records"
        )
    if not header:
        names = columns or [str(i) for i in range(frame.shape[1])]
        if len(names) != frame.shape[1]:
            raise DataError(
                path, f"{len(names)} column names for {frame.shape[1]} columns"
            )
        frame.columns = list(names)
    frame.columns = [str(name).strip() for name in frame.columns]
    if frame.columns.has_duplicates:
        duplicate = frame.columns[frame.columns.duplicated()][0]
        raise DataError(path, f"column name '{duplicate}' appears twice")
    return frame, lines


def _first_bad(column: pd.Series, bad: np.ndarray, lines: list[int]) -> str:
    """'line L (value 'x')' for the first True in ``bad``."""
    row = int(np.flatnonzero(bad)[0])
    return f"line {lines[row]} (value {str(column.iloc[row])[:30]!r})"


def _to_numeric(path: Path, column: pd.Series, lines: list[int]) -> np.ndarray:
    """One column as (T,) float64; empty / NA cells become NaN, text raises."""
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        values = column.to_numpy(np.float64)
    else:
        values = pd.to_numeric(column, errors="coerce").to_numpy(np.float64)
        bad = np.isnan(values) & column.notna().to_numpy()
        if bad.any():
            where = _first_bad(column, bad, lines)
            raise DataError(path, f"column '{column.name}' is not numeric at {where}")
    too_big = np.abs(np.nan_to_num(values)) > _FLOAT32_MAX
    if too_big.any():
        where = _first_bad(column, too_big, lines)
        raise DataError(
            path, f"column '{column.name}' has an infinite or huge value at {where}"
        )
    return values


def _parse_times(path: Path, column: pd.Series, lines: list[int]) -> np.ndarray:
    """(T,) float64 for a numeric column, else datetime64[ns] (UTC, tz dropped)."""
    if column.isna().any():
        where = _first_bad(column, column.isna().to_numpy(), lines)
        raise DataError(
            path, f"time column '{column.name}' has an empty value at {where}"
        )
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        return column.to_numpy(np.float64)  # numeric time axis, e.g. seconds
    text = column.astype(str).str.strip()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "could not infer format"
            parsed = pd.to_datetime(text, errors="coerce", utc=True)
        stamps = parsed.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
    except (ValueError, TypeError, OverflowError, pd.errors.OutOfBoundsDatetime):
        stamps = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[ns]")
    if np.isnat(stamps).any():
        where = _first_bad(text, np.isnat(stamps), lines)
        raise DataError(
            path, f"time column '{column.name}' is not a date/time at {where}"
        )
    return stamps


def _timestamps(path: Path, column: pd.Series, lines: list[int]) -> np.ndarray:
    """The parsed time column; raises unless strictly increasing."""
    stamps = _parse_times(path, column, lines)
    steps = np.diff(stamps)
    not_increasing = steps <= steps.dtype.type(0)
    if not_increasing.any():
        row = int(np.flatnonzero(not_increasing)[0]) + 1
        raise DataError(
            path,
            f"time column '{column.name}' is not strictly increasing at line {lines[row]} "
            f"({column.iloc[row]!r} after {column.iloc[row - 1]!r})",
        )
    return stamps


def read_csv_series(
    path: str | PathLike[str],
    *,
    time_column: str | None = None,
    label_column: str | None = None,
    columns: list[str] | None = None,
    header: bool = True,
    fs: float | None = None,
) -> Series:
    """Read a table of time steps x channels as one Series.

    Args:
        path: ``.csv``, ``.csv.gz`` or ``.txt.gz`` (any ``.gz`` is gunzipped).
        time_column: column parsed into ``timestamps`` (datetime64[ns], or
            float64 when the column is numeric); must strictly increase.
        label_column: column copied into ``step_labels`` (T,).
        columns: with a header, the channels to keep (default: every other
            column); without one, the names of all columns.
        header: whether the first row holds column names. Without one, columns
            are named ``columns`` or ``"0"``, ``"1"``, ...
        fs: sampling rate in Hz, if known.

    Returns:
        Series with values (C, T) float32 (NaN for empty / NA cells),
        ``recording`` = file name without ``.csv``/``.gz`` suffixes.
    """
    path = Path(path)
    frame, lines = _parse_table(path, _read_text(path), header, columns)
    for name in (time_column, label_column, *(columns if header and columns else [])):
        if name is not None and name not in frame.columns:
            raise DataError(
                path, f"no column '{name}'; columns are {list(frame.columns)}"
            )
    special = {time_column, label_column}
    channels = (
        columns
        if header and columns
        else [c for c in frame.columns if c not in special]
    )
    if not channels:
        raise DataError(path, "no value columns besides the time and label columns")
    # Each column gives (T,); stacking gives (C, T).
    values = np.stack([_to_numeric(path, frame[name], lines) for name in channels])
    stamps = (
        None if time_column is None else _timestamps(path, frame[time_column], lines)
    )
    labels = None if label_column is None else frame[label_column].to_numpy()
    stem = path.name.removesuffix(".gz").removesuffix(".csv").removesuffix(".txt")
    return Series(
        values=values, fs=fs, timestamps=stamps, channels=tuple(channels),
        step_labels=labels, recording=stem,
    )  # fmt: skip
