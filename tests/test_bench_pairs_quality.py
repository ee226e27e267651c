"""The pair-quality suite's scoring helpers on hand-built embeddings and rows."""

from __future__ import annotations

import numpy as np

from benchmarks.bench_pairs_quality import (
    FRACTIONS,
    _table,
    _verdicts,
    cluster_scores,
    majority_scores,
)


def test_cluster_scores_are_perfect_on_separated_classes_and_low_on_noise() -> None:
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1, 2], 40)
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    separated = centres[labels] + rng.normal(0, 0.1, (120, 2))
    assert cluster_scores(separated, labels, seed=0) == {"ari": 1.0, "nmi": 1.0}
    noise = cluster_scores(rng.normal(size=(120, 2)), labels, seed=0)
    assert abs(noise["ari"]) < 0.1 and noise["nmi"] < 0.1


def test_majority_scores_by_hand() -> None:
    # training majority 1; test [1, 1, 0, 2]: accuracy 2/4, F1 of class 1 = 2*(.5*1)/(1.5) = 2/3,
    # classes 0 and 2 score 0 -> macro-F1 over the three test classes 2/9
    scores = majority_scores(np.array([1, 1, 0]), np.array([1, 1, 0, 2]))
    assert scores["accuracy"] == 0.5
    assert np.isclose(scores["macro_f1"], 2 / 9)


def _row(name: str, method: str, seed: int, f1: float) -> dict:
    row = {"set": name, "method": method, "seed": seed, "ari": 0.1, "nmi": 0.2}
    row |= {"majority_macro_f1": 0.05, "majority_accuracy": 0.3}
    for fraction in FRACTIONS:
        row |= {f"{m}@{fraction:g}": f1 for m in ("macro_f1", "auroc", "accuracy")}
    return row


def test_table_has_a_row_per_method_and_the_majority_and_verdicts_give_gaps() -> None:
    rows = [_row("watch", "ts2vec", s, 0.5) for s in (0, 1)]
    rows += [_row("watch", "comet", s, 0.6) for s in (0, 1)]
    table = _table("hierarchical", rows, ["watch", "ecg"])
    assert [r[1] for r in table["rows"]] == [
        "ts2vec (2 seeds)",
        "comet (2 seeds)",
        "majority class",
    ]
    assert table["rows"][1][2] == [0.6, 0.6]  # per-seed cells: mean ± std in RESULTS.md
    assert table["rows"][2][2] == [0.05, 0.05]  # the majority of each seed's split
    assert len(table["columns"]) == len(table["rows"][0])
    (verdict,) = _verdicts(rows, ["watch", "ecg"])
    assert verdict.endswith("+0.100 / +0.100 / +0.100")
