"""Read an event log (one row per event) into per-case event sequences.

The log is a parquet or CSV table with a case id, a timestamp and an activity
per row, plus optional categorical and numeric attributes. Events are grouped
by case (cases keep the order of their first event in the log) and sorted by
time within each case; ties keep the log order. Categorical fields are coded to
int64 with one vocabulary per field shared by all cases: code 0 is ``"<pad>"``,
code 1 is ``"<unk>"`` (missing or unseen values), then the values in sorted
order.
"""

from __future__ import annotations

import warnings
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tscl.data.records import EventCollection, EventSequence
from tscl.errors import DataError

PAD, UNKNOWN = "<pad>", "<unk>"
_FLOAT32_MAX = float(np.finfo(np.float32).max)


def read_table(path: str | PathLike[str]) -> pd.DataFrame:
    """A parquet (``.parquet``) or CSV (``.csv``, ``.csv.gz``) table."""
    path = Path(path)
    if not path.is_file():
        raise DataError(path, "table file not found")
    suffixes = "".join(path.suffixes[-2:]).lower()
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            return pd.read_parquet(path)
        if suffixes.endswith((".csv", ".csv.gz", ".txt.gz", ".tsv")):
            return pd.read_csv(path, sep="\t" if suffixes.endswith(".tsv") else ",")
    except Exception as error:  # pyarrow and the CSV parser raise many types
        raise DataError(
            path, f"unreadable table: {type(error).__name__}: {error}"
        ) from error
    raise DataError(path, "unknown table format; expected .parquet, .csv or .csv.gz")


def _require(path: Path, frame: pd.DataFrame, names: list[str]) -> None:
    """Raise when one of ``names`` is not a column of ``frame``."""
    for name in names:
        if name not in frame.columns:
            raise DataError(
                path, f"missing column '{name}'; columns are {list(frame.columns)}"
            )


def _times(path: Path, column: pd.Series) -> np.ndarray:
    """(N,) datetime64[ns] (UTC, tz dropped), or float64 for a numeric column."""
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        times = column.to_numpy(np.float64)
        bad = ~np.isfinite(times)
    else:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # "could not infer format"
                parsed = pd.to_datetime(column, errors="coerce", utc=True)
            times = parsed.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
        except (ValueError, TypeError, OverflowError) as error:
            raise DataError(
                path, f"column '{column.name}': unparseable time ({error})"
            ) from None
        bad = np.isnat(times)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DataError(
            path,
            f"column '{column.name}' row {row + 1}: {str(column.iloc[row])[:30]!r} "
            "is not a timestamp",
        )
    return times


def _order(case_codes: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Event order: by case, then by time, ties kept in log order. (N,) int64."""
    by_time = np.argsort(times, kind="stable")
    return by_time[np.argsort(case_codes[by_time], kind="stable")]


def encode_categorical(
    column: pd.Series, vocabulary: list[str] | None = None
) -> tuple[np.ndarray, list[str]]:
    """Code one categorical column with a vocabulary.

    Args:
        column: (N,) values; missing values get the ``"<unk>"`` code.
        vocabulary: existing vocabulary (e.g. from a training log); unseen
            values get ``"<unk>"``. None builds ``["<pad>", "<unk>", *sorted]``.

    Returns:
        (N,) int64 codes and the vocabulary.
    """
    missing = column.isna().to_numpy()
    text = column.astype(str)
    if vocabulary is None:
        seen = text[~missing].unique().tolist()
        vocabulary = [PAD, UNKNOWN, *sorted(set(seen) - {PAD, UNKNOWN})]
    index = pd.Index(vocabulary)
    if not index.is_unique:
        raise DataError(str(column.name), "vocabulary lists a value twice")
    if index.size < 2 or index[0] != PAD or index[1] != UNKNOWN:
        raise DataError(
            str(column.name), f"vocabulary must start with {PAD!r}, {UNKNOWN!r}"
        )
    codes = index.get_indexer(text).astype(np.int64)
    codes[missing | (codes < 0)] = 1  # the "<unk>" code
    return codes, list(vocabulary)


def _numeric(path: Path, column: pd.Series) -> np.ndarray:
    """(N,) float32; missing values NaN, text or inf raises."""
    values = pd.to_numeric(column, errors="coerce").to_numpy(np.float64)
    bad = (np.isnan(values) & column.notna().to_numpy()) | (
        np.abs(values) > _FLOAT32_MAX
    )
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DataError(
            path,
            f"numeric column '{column.name}' row {row + 1}: {str(column.iloc[row])[:30]!r} "
            "is not a finite number",
        )
    return values.astype(np.float32)


def _python(value: Any) -> Any:
    """A table cell as a plain Python value; missing -> None."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


def _case_attributes(
    events: pd.DataFrame,
    case_ids: pd.Index,
    case_codes: np.ndarray,
    column: str | None,
    cases: tuple[Path, pd.DataFrame, str] | None,
) -> list[Any]:
    """One value of ``column`` per case: from the cases table or the first event."""
    if column is None:
        return [None] * len(case_ids)
    if cases is None:
        firsts = events[column].groupby(case_codes, sort=True).first()
        return [_python(v) for v in firsts.reindex(range(len(case_ids))).to_numpy()]
    path, table, case_column = cases
    _require(path, table, [case_column, column])
    keys = table[case_column].astype(str)
    if keys.duplicated().any():
        duplicate = keys[keys.duplicated()].iloc[0]
        raise DataError(
            path, f"case '{duplicate}' appears twice in column '{case_column}'"
        )
    return [
        _python(v) for v in table[column].set_axis(keys).reindex(case_ids).to_numpy()
    ]


def read_event_log(
    path: str | PathLike[str],
    *,
    case_column: str = "case_id",
    time_column: str = "timestamp",
    activity_column: str = "activity",
    categorical: list[str] | None = None,
    numeric: list[str] | None = None,
    cases_path: str | PathLike[str] | None = None,
    label_column: str | None = None,
    subject_column: str | None = None,
    vocab: dict[str, list[str]] | None = None,
) -> EventCollection:
    """Read an event log into one EventSequence per case.

    Args:
        path: ``.parquet`` or ``.csv`` (``.csv.gz``) event table.
        categorical: extra categorical fields (the activity is always coded).
        numeric: numeric fields, stored as float32 (NaN where missing).
        cases_path: optional per-case table joined on ``case_column``; with it,
            ``label_column`` / ``subject_column`` are read from that table,
            otherwise from the first event of each case.
        vocab: vocabularies to reuse (e.g. the training log's ``.vocab``);
            fields not in it get a new vocabulary.

    Returns:
        EventCollection; each sequence has ``codes[field]`` (L,) int64,
        ``values[field]`` (L,) float32 and timestamps (L,) datetime64[ns].
    """
    path = Path(path)
    events = read_table(path)
    fields = list(dict.fromkeys([activity_column, *(categorical or [])]))
    _require(path, events, [case_column, time_column, *fields, *(numeric or [])])
    if events.empty:
        raise DataError(path, "the event log has no rows")
    if events[case_column].isna().any():
        row = int(np.flatnonzero(events[case_column].isna().to_numpy())[0])
        raise DataError(path, f"column '{case_column}' row {row + 1} has no case id")
    case_codes, case_ids = pd.factorize(events[case_column].astype(str), sort=False)
    times = _times(path, events[time_column])
    order = _order(case_codes, times)
    codes: dict[str, np.ndarray] = {}
    vocabularies: dict[str, list[str]] = {}
    for name in fields:
        codes[name], vocabularies[name] = encode_categorical(
            events[name], (vocab or {}).get(name)
        )
    values = {name: _numeric(path, events[name]) for name in numeric or []}
    cases = None
    if cases_path is not None:
        cases = (Path(cases_path), read_table(cases_path), case_column)
    else:
        _require(path, events, [c for c in (label_column, subject_column) if c])
    labels = _case_attributes(events, case_ids, case_codes, label_column, cases)
    subjects = _case_attributes(events, case_ids, case_codes, subject_column, cases)
    bounds = np.cumsum(np.bincount(case_codes, minlength=len(case_ids)))[:-1]
    sequences = [
        EventSequence(
            sequence_id=str(case_id),
            timestamps=times[rows],
            codes={name: column[rows] for name, column in codes.items()},
            values={name: column[rows] for name, column in values.items()},
            subject=None if subjects[i] is None else str(subjects[i]),
            label=labels[i],
        )
        for i, (case_id, rows) in enumerate(
            zip(case_ids, np.split(order, bounds), strict=True)
        )
    ]
    return EventCollection(sequences=sequences, vocab=vocabularies)
