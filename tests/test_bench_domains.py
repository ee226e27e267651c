"""The per-domain benchmark's quick path on a tiny budget: rows logged, tables built, resume."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.mark.slow
def test_domain_benchmark_quick_path_logs_rows_and_resumes(
    cli_workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import benchmarks.common as common
    from benchmarks.bench_domains import MODELS, TASKS, Budget, benchmark, table

    monkeypatch.setattr(common, "RESULTS_DIR", cli_workspace / "results")
    budget = Budget(pretrain_steps=2, supervised_steps=2, eval_every=1, patience=1)
    summary = benchmark(["motion"], quick=True, budget=budget, folds_limit=1)
    log = cli_workspace / "results" / "domains_quick_runs.jsonl"
    rows = [json.loads(line) for line in log.read_text().splitlines()]
    assert sorted(r["model"] for r in rows) == sorted(MODELS)
    assert {r["fold"] for r in rows} == {"1"}  # subject 1 held out, one seed
    majority = summary["motion"]["majority"]
    assert majority["folds"] == 1 and 0.0 < majority["accuracy"][0] < 0.5
    for model in MODELS:
        for metric in ("accuracy", "macro_f1", "recording_accuracy"):
            assert 0.0 <= summary["motion"][model][metric][0] <= 1.0
    text = table(TASKS["motion"], summary["motion"], budget)
    assert "reference: MiniRocket + ridge | 0.868 | 0.875 | 0.898" in text
    benchmark(["motion"], quick=True, budget=budget, folds_limit=1)  # resumes: no rerun
    assert len(log.read_text().splitlines()) == len(rows)


def test_registry_table_spreads_over_folds_beside_the_references() -> None:
    from benchmarks.bench_domains import MODELS, TASKS, Budget, suite_table
    from benchmarks.report import table

    rows = [
        {"task": "motion", "fold": fold, "seed": seed, "model": model, "cpu_s": 1.0}
        | {"accuracy": 0.8, "macro_f1": f1 + seed / 100, "recording_accuracy": 0.9}
        for fold, f1 in (("1", 0.7), ("2", 0.6))
        for seed in (0, 2)
        for model in MODELS
    ]
    spec = suite_table(TASKS["motion"], rows, Budget())
    assert spec["columns"] == ["system", "accuracy", "macro_f1", "recording_accuracy"]
    first = spec["rows"][0]  # one value per fold: the mean of its two seeds
    assert first[0].startswith("tscl default") and first[2] == [0.71, 0.61]
    text = "\n".join(table(spec))
    assert "| 0.800 ± 0.000 (n=2) | 0.660 ± 0.071 (n=2) |" in text
    assert "| reference: MiniRocket + ridge | 0.868 | 0.875 | 0.898 |" in text
