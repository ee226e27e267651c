"""Benchmark run logs: a killed suite resumes; ledger rows say where and when they ran."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import common
from benchmarks.common import RunLog


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(common, "RESULTS_DIR", tmp_path / "results")
    monkeypatch.setattr(common, "LEDGER_DIR", tmp_path / "ledger")
    return tmp_path


def test_a_ledger_row_is_stamped_and_read_back_by_the_next_invocation(
    folders: Path,
) -> None:
    log = RunLog("suite", ("name", "seed"), ledger=True)
    log.add({"name": "ECG200", "seed": 0, "accuracy": 0.9})
    assert log.path == folders / "ledger" / "suite_runs.jsonl"
    row = json.loads(log.path.read_text())
    assert row["measured"]["commit"] and row["measured"]["cores"] >= 1
    again = RunLog("suite", ("name", "seed"), ledger=True)
    assert again.get("ECG200", 0)["accuracy"] == 0.9
    assert again.get("ECG200", 1) is None
    assert (
        RunLog("suite", ("name", "seed"), ledger=True, fresh=True).get("ECG200", 0)
        is None
    )
    # without the ledger the log stays under results/ (git-ignored)
    plain = RunLog("suite", ("name", "seed"))
    plain.add({"name": "ECG200", "seed": 0, "accuracy": 0.8})
    assert plain.path == folders / "results" / "suite_runs.jsonl"
    assert "measured" not in json.loads(plain.path.read_text())


def test_provenance_names_each_commit_with_its_count_and_dates(folders: Path) -> None:
    log = RunLog("suite", ("name", "seed"), ledger=True)
    where = {"cpu": "EPYC", "cores": 2, "gpu": None}
    rows = [
        {
            "name": "a",
            "seed": 0,
            "measured": {**where, "commit": "abc", "utc": "2026-12-02 16:00"},
        },
        {
            "name": "a",
            "seed": 1,
            "measured": {**where, "commit": "abc", "utc": "2026-12-02 17:00"},
        },
        {
            "name": "b",
            "seed": 0,
            "measured": {**where, "commit": "def", "utc": "2026-12-03 09:00"},
        },
        {"name": "b", "seed": 1},  # logged before stamps existed
    ]
    line = log.provenance(rows)
    assert line.startswith("4 runs from suite_runs.jsonl: ")
    assert "2 at abc on 2 cores EPYC, 2026-12-02 16:00 to 2026-12-02 17:00 UTC" in line
    assert "1 at def on 2 cores EPYC, 2026-12-03 09:00 to 2026-12-03 09:00 UTC" in line
    assert "1 at unstamped" in line


def test_get_or_run_computes_a_missing_row_once_under_its_key(folders: Path) -> None:
    log = RunLog("suite", ("name", "seed"))
    calls = []

    def compute() -> dict[str, float]:
        calls.append(1)
        return {"accuracy": 0.7, "seed": 99}  # the key's own value wins

    row, ran = log.get_or_run(("ECG200", 0), compute)
    assert ran and row == {"name": "ECG200", "seed": 0, "accuracy": 0.7}
    again, ran = RunLog("suite", ("name", "seed")).get_or_run(("ECG200", 0), compute)
    assert not ran and again["accuracy"] == 0.7 and len(calls) == 1
    # a ledger row computed now carries its stamp, as one read back does (its provenance)
    fresh, ran = RunLog("suite", ("name", "seed"), ledger=True).get_or_run(
        ("ECG200", 1), compute
    )
    assert ran and fresh["measured"]["commit"]
