"""Every registered benchmark suite follows the contract of benchmarks/README.md; RESULTS.md renders."""

from __future__ import annotations

import importlib
import inspect
import json
from pathlib import Path

import pytest

from benchmarks import report, runner
from benchmarks.registry import SUITES


@pytest.mark.parametrize("name", list(SUITES))
def test_suite_follows_the_contract(name: str) -> None:
    suite = SUITES[name]
    run = getattr(importlib.import_module(suite.module), "run", None)
    assert callable(run), f"{suite.module} exposes no run(**settings)"
    signature = inspect.signature(run)
    for mode in ("quick", "full"):
        settings = suite.settings(mode)
        assert mode == "full" or settings, f"{name} has no quick settings"
        signature.bind(**settings)  # every setting is an argument of run
    seeds = suite.full.get("seeds")
    assert seeds is None or len(seeds) >= 3, f"{name}: full settings use < 3 seeds"


def test_every_suite_has_a_title_and_module_named_after_it() -> None:
    for name, suite in SUITES.items():
        assert suite.title and suite.module.startswith("benchmarks.")
        assert name in suite.module


def test_report_shows_mean_std_and_says_when_a_suite_did_not_finish() -> None:
    first, second = list(SUITES)[:2]
    finished = {
        "suite": first,
        "status": "finished",
        "mode": "quick",
        "settings": {"seeds": [0, 1, 2]},
        "started": "2026-12-01 22:00 UTC",
        "commit": "abc",
        "wall_s": 12.0,
        "machine": {"cores": 2, "cpu": "EPYC", "gpu": None, "libraries": {}},
        "tables": [
            {"title": "t", "columns": ["a", "b"], "rows": [["x", [1.0, 2.0, 3.0]]]}
        ],
        "checks": {"fast": True},
        "sources": ["../shared/ANCHORS.md"],
    }
    killed = {**finished, "suite": second, "status": "running", "tables": []}
    text = report.render(json.loads(json.dumps({first: finished, second: killed})))
    assert "| x | 2 ± 1 (n=3) |" in text
    assert "Check: fast: **PASS**" in text and "Source: ../shared/ANCHORS.md" in text
    assert "**Did not finish: started but did not finish" in text
    assert text.count("Not run on this checkout yet") == len(SUITES) - 2


def test_a_suite_without_a_local_record_keeps_its_committed_section(
    tmp_path: Path,
) -> None:
    first, second = list(SUITES)[:2]
    record = {
        "suite": first, "status": "finished", "mode": "full", "settings": {},
        "started": "2026-12-01 22:00 UTC", "commit": "abc", "wall_s": 5.0,
        "machine": {"cores": 2, "cpu": "EPYC", "gpu": None, "libraries": {}},
        "tables": [{"title": "t", "columns": ["a"], "rows": [["old figure"]]}],
    }  # fmt: skip
    path = tmp_path / "RESULTS.md"
    report.write({first: record, second: {**record, "suite": second}}, path)
    newer = {**record, "commit": "def", "tables": [
        {"title": "t", "columns": ["a"], "rows": [["new figure"]]}]}  # fmt: skip
    text = report.write({second: newer}, path).read_text()  # only the second rerun
    assert text.count("old figure") == 1 and text.count("new figure") == 1
    assert text.index("old figure") < text.index(
        f"(`{second}`)"
    )  # first keeps its place
    assert f"| [`{first}`]" in text and f"| [`{second}`]" in text
    assert "Not run on this checkout yet" in text  # the suites that never ran


def test_runner_records_a_failing_suite_and_goes_on(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from benchmarks.registry import Suite

    monkeypatch.setattr(runner, "SUITE_RESULTS", tmp_path)
    monkeypatch.setitem(
        runner.SUITES, "broken", Suite("benchmarks.no_such_module", "Broken", {"x": 1})
    )
    record = runner.run_suite(
        "broken", "quick", tracking_uri=f"sqlite:///{tmp_path}/mlflow.db"
    )
    assert record["status"] == "failed" and "no_such_module" in record["reason"]
    saved = json.loads((tmp_path / "broken.json").read_text())
    assert saved["status"] == "failed" and saved["machine"]["cores"] >= 1
    assert record["mlflow_run_id"] is not None


def test_jobs_deal_the_suites_by_cost() -> None:
    from benchmarks.__main__ import DEFAULT_COST_S, deal

    costs = {"a": 300.0, "b": 200.0, "c": 100.0, "d": 100.0}
    groups = deal(["a", "b", "c", "d", "e"], costs, 2)
    assert sorted(sum(groups, [])) == ["a", "b", "c", "d", "e"]  # each suite once
    loads = [sum(costs.get(n, DEFAULT_COST_S) for n in g) for g in groups]
    assert abs(loads[0] - loads[1]) <= 100.0  # 420 vs 400 (e costs the default 120)
    assert deal(["a"], costs, 4) == [["a"]]  # never an idle worker


def test_every_suite_has_a_quick_time_for_dealing() -> None:
    from benchmarks.registry import QUICK_WALL_S

    assert set(QUICK_WALL_S) == set(SUITES)


def test_a_ledger_suite_tabulated_with_runs_missing_is_partial(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys
    import types

    from benchmarks.registry import Suite

    def run(seeds: list[int], logged_only: bool = False) -> dict:
        measured = 1 if logged_only else len(seeds)  # the ledger holds seed 0 only
        return {
            "units": {"measured": measured, "expected": len(seeds)},
            "tables": [{"title": "t", "columns": ["a"], "rows": [["seed 0 figure"]]}],
            "checks": {"beats the baseline": True},
        }

    module = types.ModuleType("benchmarks.bench_ledgered")
    module.run = run
    monkeypatch.setitem(sys.modules, "benchmarks.bench_ledgered", module)
    monkeypatch.setattr(runner, "SUITE_RESULTS", tmp_path)
    monkeypatch.setitem(
        runner.SUITES,
        "ledgered",
        Suite(
            "benchmarks.bench_ledgered",
            "Ledgered",
            {"seeds": [0]},
            {"seeds": [0, 1, 2]},
        ),
    )
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    record = runner.run_suite("ledgered", "full", tracking_uri=uri, logged_only=True)
    assert record["status"] == "partial" and record["settings"]["logged_only"]
    section = "\n".join(report.suite_section("ledgered", record))
    assert "**Partial:** 1 of 3 runs are in the ledger" in section
    assert "seed 0 figure" in section
    assert "Check (on the runs so far): beats the baseline: **PASS**" in section
    assert (
        runner.run_suite("ledgered", "full", tracking_uri=uri)["status"] == "finished"
    )
    assert "ledgered" in runner.ledger_suites() and "forecast" in runner.ledger_suites()
    with pytest.raises(ValueError, match="keeps no run ledger"):
        runner.logged_settings("augment", "full")
