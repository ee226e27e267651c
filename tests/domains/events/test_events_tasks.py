"""The BPI tasks on hand-built logs: the outcome truncation rule and the diagnosis groups."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tscl.domains.events.tasks import (
    diagnosis_label,
    read_generic_log,
    read_outcome_log,
)

EVENTS = """case_id,timestamp,activity,lifecycle
1,2012-01-01 10:00:00,A_SUBMITTED,COMPLETE
2,2012-01-01 10:00:00,A_SUBMITTED,COMPLETE
1,2012-01-01 10:00:10,W_Check,START
1,2012-01-01 10:01:10,W_Check,COMPLETE
2,2012-01-01 11:00:00,A_DECLINED,COMPLETE
1,2012-01-01 10:02:00,O_ACCEPTED,COMPLETE
2,2012-01-01 11:00:05,W_Late,START
1,2012-01-01 10:03:00,A_APPROVED,COMPLETE
1,2012-01-01 10:04:00,W_Check,START
3,2012-01-02 09:00:00,A_SUBMITTED,COMPLETE
3,2012-01-02 09:00:30,W_Call,SCHEDULE
"""
CASES = """case_id,AMOUNT_REQ,outcome
1,5000,approved
2,999,declined
3,0,unknown
"""


@pytest.fixture
def outcome_log(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "events.csv").write_text(EVENTS)
    (tmp_path / "cases.csv").write_text(CASES)
    return tmp_path / "events.csv", tmp_path / "cases.csv"


def test_outcome_cuts_at_first_stop_activity_in_log_order(
    outcome_log: tuple[Path, Path],
) -> None:
    log = read_outcome_log(*outcome_log)
    assert log.case_ids == ["1", "2", "3"]
    tokens = log.categorical["token"]
    # case 1: O_ACCEPTED is the first stop event; it and every later event go
    assert tokens[0].tolist() == [
        "A_SUBMITTED|COMPLETE",
        "W_Check|START",
        "W_Check|COMPLETE",
    ]
    # case 2: A_DECLINED and the later W_Late go
    assert tokens[1].tolist() == ["A_SUBMITTED|COMPLETE"]
    assert tokens[2].tolist() == ["A_SUBMITTED|COMPLETE", "W_Call|SCHEDULE"]
    np.testing.assert_allclose(log.numeric["delta"][0], [0.0, 10.0, 60.0])
    np.testing.assert_allclose(log.numeric["delta"][2], [0.0, 30.0])
    assert log.numeric["amount"][0].tolist() == [5000.0] * 3
    assert log.numeric["amount"][1].tolist() == [999.0]
    assert log.labels == ["approved", "declined", None]  # unknown = unlabelled


def test_diagnosis_keeps_top_five_codes_and_pools_the_rest() -> None:
    assert [diagnosis_label(c) for c in ["M13", "106", "821", None, float("nan")]] == [
        "M13",
        "106",
        "other",
        None,
        None,
    ]


def test_generic_log_reads_named_columns_and_times(tmp_path: Path) -> None:
    (tmp_path / "log.csv").write_text(
        "cid,when,act,y,who\n"
        "a,2020-01-01 00:00:05,x,pos,p1\n"
        "a,2020-01-01 00:00:00,y,pos,p1\n"
        "b,2020-01-01 00:00:00,x,neg,p1\n"
    )
    columns = {"case_col": "cid", "time_col": "when", "activity_col": "act"}
    log = read_generic_log(
        tmp_path / "log.csv", None, {**columns, "label_col": "y", "subject_col": "who"}
    )
    assert log.case_ids == ["a", "b"]
    assert log.categorical["act"][0].tolist() == ["y", "x"]  # sorted by time
    assert log.numeric["delta"][0].tolist() == [0.0, 5.0]
    assert log.labels == ["pos", "neg"] and log.subjects == ["p1", "p1"]
