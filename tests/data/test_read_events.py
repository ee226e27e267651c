"""read_event_log on the real BPI logs and on a small hand-made CSV log."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tscl.data.read_events import encode_categorical, read_event_log
from tscl.errors import DataError

LOG = """case_id,timestamp,activity,amount,unit
c2,2021-01-01 10:00,register,5,a
c1,2021-01-01 09:00,register,10,b
c1,2021-01-01 08:00,check,,b
c2,2021-01-01 10:00,approve,7.5,
c1,2021-01-01 09:00,pay,1,a
"""
CASES = """case_id,outcome,patient
c1,yes,p9
c2,no,p9
"""


@pytest.fixture
def small_log(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "events.csv").write_text(LOG)
    (tmp_path / "cases.csv").write_text(CASES)
    return tmp_path / "events.csv", tmp_path / "cases.csv"


def test_bpi2011(data_dir: Path) -> None:
    folder = data_dir / "event_sequences" / "bpi2011_hospital_log"
    log = read_event_log(
        folder / "events.parquet",
        categorical=["org_group"],
        numeric=["n_executions"],
        cases_path=folder / "cases.parquet",
        label_column="diagnosis_code",
    )
    assert len(log) == 1143
    assert log.num_events == 150291
    events = pd.read_parquet(folder / "events.parquet", columns=["activity"])
    assert log.vocab["activity"][:2] == ["<pad>", "<unk>"]
    assert sorted(log.vocab["activity"][2:]) == sorted(events["activity"].unique())
    first = log.sequences[0]
    assert first.sequence_id == "00000000" and first.label == "M13"
    assert first.codes["activity"].dtype == np.int64
    assert first.values["n_executions"].dtype == np.float32
    assert first.timestamps.dtype == np.dtype("datetime64[ns]")
    assert all(
        (np.diff(s.timestamps) >= np.timedelta64(0)).all() for s in log.sequences
    )
    cases = pd.read_parquet(folder / "cases.parquet")
    assert (
        Counter(s.label for s in log.sequences)["M13"]
        == (cases["diagnosis_code"] == "M13").sum()
    )


def test_bpi2012(data_dir: Path) -> None:
    folder = data_dir / "event_sequences" / "bpi2012_loan_applications"
    log = read_event_log(
        folder / "events.parquet",
        categorical=["lifecycle"],
        cases_path=folder / "cases.parquet",
        label_column="outcome",
    )
    assert len(log) == 13087
    assert log.num_events == 262200
    assert len(log.vocab["activity"]) == 2 + 24
    assert Counter(s.label for s in log.sequences) == {
        "declined": 7635, "cancelled": 2807, "approved": 2246, "unknown": 399,
    }  # fmt: skip
    first = log.sequences[0]
    names = [log.vocab["activity"][code] for code in first.codes["activity"][:2]]
    assert first.sequence_id == "173688"
    assert names == ["A_SUBMITTED", "A_PARTLYSUBMITTED"]


def test_small_log_order_and_codes(small_log: tuple[Path, Path]) -> None:
    events, cases = small_log
    log = read_event_log(
        events, categorical=["unit"], numeric=["amount"], cases_path=cases,
        label_column="outcome", subject_column="patient",
    )  # fmt: skip
    assert [s.sequence_id for s in log.sequences] == ["c2", "c1"]  # first-seen order
    c2, c1 = log.sequences
    vocab = log.vocab["activity"]
    assert vocab == ["<pad>", "<unk>", "approve", "check", "pay", "register"]
    # c1 sorted by time; "register" and "pay" tie at 09:00 and keep log order.
    assert [vocab[code] for code in c1.codes["activity"]] == [
        "check",
        "register",
        "pay",
    ]
    assert [vocab[code] for code in c2.codes["activity"]] == ["register", "approve"]
    np.testing.assert_array_equal(c1.values["amount"], [np.nan, 10, 1])
    assert log.vocab["unit"] == ["<pad>", "<unk>", "a", "b"]
    assert c2.codes["unit"].tolist() == [2, 1]  # missing unit -> <unk>
    assert (c1.label, c2.label, c1.subject) == ("yes", "no", "p9")
    assert c1.timestamps[0] == np.datetime64("2021-01-01T08:00")


def test_reused_vocabulary_maps_unseen_to_unknown(small_log: tuple[Path, Path]) -> None:
    vocab = {"activity": ["<pad>", "<unk>", "pay", "register"]}
    log = read_event_log(small_log[0], vocab=vocab)
    assert log.vocab["activity"] == vocab["activity"]
    assert log.sequences[1].codes["activity"].tolist() == [1, 3, 2]


def test_labels_from_the_event_table(small_log: tuple[Path, Path]) -> None:
    log = read_event_log(small_log[0], label_column="unit")
    assert [s.label for s in log.sequences] == ["a", "b"]


def test_encode_categorical() -> None:
    codes, vocab = encode_categorical(pd.Series(["b", None, "a", "b"], name="f"))
    assert vocab == ["<pad>", "<unk>", "a", "b"]
    assert codes.tolist() == [3, 1, 2, 3]


@pytest.mark.parametrize("column", ["case_id", "timestamp", "activity"])
def test_required_columns(tmp_path: Path, column: str) -> None:
    frame = pd.read_csv(io.StringIO(LOG)).drop(columns=[column])
    path = tmp_path / "log.parquet"
    frame.to_parquet(path)
    with pytest.raises(DataError, match=f"log.parquet: missing column '{column}'"):
        read_event_log(path)


def test_bad_timestamp_and_numeric(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text(LOG.replace("2021-01-01 08:00", "not a time"))
    with pytest.raises(DataError, match="row 3: 'not a time' is not a timestamp"):
        read_event_log(path)
    path.write_text(LOG.replace(",7.5,", ",lots,"))
    with pytest.raises(DataError, match="'amount' row 4: 'lots' is not a finite"):
        read_event_log(path, numeric=["amount"])


def test_duplicate_case_in_cases_table(small_log: tuple[Path, Path]) -> None:
    events, cases = small_log
    cases.write_text(CASES + "c1,maybe,p1\n")
    with pytest.raises(DataError, match="case 'c1' appears twice"):
        read_event_log(events, cases_path=cases, label_column="outcome")
