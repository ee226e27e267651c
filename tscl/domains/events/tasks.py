"""The event-log tasks: BPI 2012 loan outcome, BPI 2011 diagnosis group, and a user's own log.

Each task turns an event table (plus an optional per-case table) into a
``CaseLog``: per-case raw token and numeric sequences, a label per case and a
subject per case, before any vocabulary or scaling is fitted.

* ``outcome`` (BPI 2012): label = ``cases.outcome`` (approved / cancelled /
  declined; ``unknown`` cases are unlabelled). So that the label does not leak,
  each case is cut before the first event, in log order, whose activity decides
  the outcome (``OUTCOME_STOP``). Per event: token ``activity|lifecycle``, the
  case's requested amount and the seconds since the previous kept event.
* ``diagnosis`` (BPI 2011): label = ``cases.diagnosis_code``, the five most
  frequent codes kept and the rest pooled as ``other`` (cases without a code are
  unlabelled). Per event: the activity code, ``n_executions`` and the time gap.
* ``generic``: a user's log read with ``tscl.data.read_events.read_event_log``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tscl.data.read_events import read_event_log, read_table
from tscl.domains.events.vocab import time_deltas
from tscl.errors import DataError

OUTCOME_STOP = frozenset(
    {
        "A_APPROVED",
        "A_DECLINED",
        "A_CANCELLED",
        "A_REGISTERED",
        "A_ACTIVATED",
        "O_ACCEPTED",
        "O_DECLINED",
        "O_CANCELLED",
    }
)
OUTCOME_CLASSES = ("approved", "cancelled", "declined")
DIAGNOSIS_CLASSES = ("M13", "M16", "106", "M14", "M11", "other")
DELTA = "delta"  # the numeric field of seconds since the previous kept event


@dataclass
class CaseLog:
    """Raw per-case sequences of one log, before coding.

    Attributes:
        case_ids: N case ids as the log states them.
        categorical: field -> N arrays (L_i,) of str tokens.
        numeric: field -> N arrays (L_i,) float64 raw values (NaN = missing).
        labels: N class names, None for unlabelled cases.
        subjects: N subject ids (the case itself when the log has none).
    """

    case_ids: list[str]
    categorical: dict[str, list[np.ndarray]]
    numeric: dict[str, list[np.ndarray]]
    labels: list[str | None]
    subjects: list[str]

    def __len__(self) -> int:
        return len(self.case_ids)


def outcome_keep_mask(cases: pd.Series, activities: pd.Series) -> np.ndarray:
    """(N,) bool over log rows: True for events before their case's first stop activity.

    Rows are taken in log order; the first ``OUTCOME_STOP`` event of a case and
    every later event of that case are dropped.
    """
    stop = activities.astype(str).isin(OUTCOME_STOP)
    reached = stop.groupby(cases.astype(str).to_numpy(), sort=False).cummax()
    return ~reached.to_numpy(dtype=bool)


def _group_rows(cases: pd.Series) -> tuple[list[str], list[np.ndarray]]:
    """Case ids in order of first appearance, and each case's row positions in log order."""
    codes, names = pd.factorize(cases.astype(str), sort=False)
    order = np.argsort(codes, kind="stable")
    bounds = np.cumsum(np.bincount(codes, minlength=len(names)))[:-1]
    return [str(n) for n in names], np.split(order, bounds)


def _case_table(path: Path, case_column: str, columns: Sequence[str]) -> pd.DataFrame:
    """The per-case table indexed by str case id, with ``columns`` checked."""
    table = read_table(path)
    for name in (case_column, *columns):
        if name not in table.columns:
            raise DataError(
                path, f"missing column '{name}'; columns are {list(table.columns)}"
            )
    return table.set_index(table[case_column].astype(str))


def _labels(
    cases: pd.DataFrame,
    column: str,
    case_ids: Sequence[str],
    label: Callable[[Any], str | None],
) -> list[str | None]:
    """Each case's label from ``column``; all None when the table has no such column
    (a log to embed needs no labels; training on it then fails on the missing labels)."""
    if column not in cases.columns:
        return [None] * len(case_ids)
    values = cases[column].reindex(list(case_ids)).to_numpy(dtype=object)
    return [label(v) for v in values]


def _times(path: Path, column: pd.Series) -> np.ndarray:
    """(N,) datetime64[ns] of a timestamp column (UTC), DataError when unparseable."""
    parsed = pd.to_datetime(column, errors="coerce", utc=True)
    if parsed.isna().any():
        row = int(np.flatnonzero(parsed.isna().to_numpy())[0])
        raise DataError(
            path, f"column '{column.name}' row {row + 1} is not a timestamp"
        )
    return parsed.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")


def read_outcome_log(events_path: Path, cases_path: Path) -> CaseLog:
    """The BPI 2012 outcome task (see the module docstring). Events stay in log order."""
    events = read_table(events_path)
    for name in ("case_id", "timestamp", "activity", "lifecycle"):
        if name not in events.columns:
            raise DataError(events_path, f"missing column '{name}'")
    cases = _case_table(cases_path, "case_id", ["AMOUNT_REQ"])
    events = events[outcome_keep_mask(events["case_id"], events["activity"])]
    tokens = (
        events["activity"].astype(str) + "|" + events["lifecycle"].astype(str)
    ).to_numpy()
    times = _times(events_path, events["timestamp"])
    case_ids, rows = _group_rows(events["case_id"])
    missing = sorted(set(cases.index) - set(case_ids))
    case_ids += missing  # cases cut to no events keep a place (empty sequences)
    rows += [np.empty(0, dtype=np.int64)] * len(missing)
    amounts = (
        pd.to_numeric(cases["AMOUNT_REQ"], errors="coerce")
        .reindex(case_ids)
        .to_numpy(float)
    )
    labels = _labels(
        cases, "outcome", case_ids, lambda o: o if o in OUTCOME_CLASSES else None
    )
    return CaseLog(
        case_ids=case_ids,
        categorical={"token": [tokens[r] for r in rows]},
        numeric={
            "amount": [np.full(len(r), a) for r, a in zip(rows, amounts, strict=True)],
            DELTA: [time_deltas(times[r]) for r in rows],
        },
        labels=labels,
        subjects=list(case_ids),
    )


def diagnosis_label(code: Any) -> str | None:
    """BPI 2011 diagnosis group: one of the five top codes, ``other``, or None if missing."""
    if code is None or (isinstance(code, float) and np.isnan(code)) or str(code) == "":
        return None
    text = str(code)
    return text if text in DIAGNOSIS_CLASSES[:-1] else "other"


def read_diagnosis_log(events_path: Path, cases_path: Path) -> CaseLog:
    """The BPI 2011 diagnosis task: activity codes, n_executions and time gaps."""
    events = read_table(events_path)
    for name in ("case_id", "timestamp", "activity_code", "n_executions"):
        if name not in events.columns:
            raise DataError(events_path, f"missing column '{name}'")
    cases = _case_table(cases_path, "case_id", [])
    times = _times(events_path, events["timestamp"])
    codes = events["activity_code"].astype(str).to_numpy()
    executions = pd.to_numeric(events["n_executions"], errors="coerce").to_numpy(float)
    case_ids, rows = _group_rows(events["case_id"])
    order = [
        r[np.argsort(times[r], kind="stable")] for r in rows
    ]  # by time, ties in log order
    return CaseLog(
        case_ids=case_ids,
        categorical={"activity_code": [codes[r] for r in order]},
        numeric={
            "n_executions": [executions[r] for r in order],
            DELTA: [time_deltas(times[r]) for r in order],
        },
        labels=_labels(cases, "diagnosis_code", case_ids, diagnosis_label),
        subjects=list(case_ids),
    )


def read_generic_log(
    events_path: Path, cases_path: Path | None, columns: Mapping[str, Any]
) -> CaseLog:
    """A user's log; ``columns`` holds case_col, activity_col, time_col, label_col,
    subject_col, categorical (extra categorical fields) and numeric (numeric fields)."""
    activity = columns.get("activity_col", "activity")
    collection = read_event_log(
        events_path,
        case_column=columns.get("case_col", "case_id"),
        time_column=columns.get("time_col", "timestamp"),
        activity_column=activity,
        categorical=list(columns.get("categorical", [])),
        numeric=list(columns.get("numeric", [])),
        cases_path=cases_path,
        label_column=columns.get("label_col"),
        subject_column=columns.get("subject_col"),
    )
    sequences = collection.sequences
    categorical = {}
    for name in dict.fromkeys([activity, *columns.get("categorical", [])]):
        names = np.asarray(collection.vocab[name], dtype=object)
        categorical[name] = [names[s.codes[name]].astype(str) for s in sequences]
    numeric = {
        name: [s.values[name].astype(np.float64) for s in sequences]
        for name in columns.get("numeric", [])
    }
    numeric[DELTA] = [time_deltas(s.timestamps) for s in sequences]
    return CaseLog(
        case_ids=[s.sequence_id for s in sequences],
        categorical=categorical,
        numeric=numeric,
        labels=[None if s.label is None else str(s.label) for s in sequences],
        subjects=[s.subject or s.sequence_id for s in sequences],
    )
