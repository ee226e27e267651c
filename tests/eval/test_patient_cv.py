"""Leave-patients-out CV: folds keep patients apart, scores match a hand count, the protocol pools folds."""

from __future__ import annotations

import numpy as np
import pytest

from tscl.data.splits import Split
from tscl.data.training import SignalSet
from tscl.errors import ConfigError, LeakError
from tscl.eval.patient_cv import (
    PatientCVSettings,
    check_folds,
    cross_validate,
    patient_folds,
    scores,
)
from tscl.eval.report import cv_table

NAMES = ["N", "S", "V", "F", "Q"]


def test_folds_put_no_patient_in_two_folds() -> None:
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(11), 30)
    labels = rng.integers(0, 3, len(groups))
    folds = patient_folds(groups, labels, 5, seed=0)
    tests = [set(groups[f.test]) for f in folds]
    assert sum(len(t) for t in tests) == 11 and set().union(*tests) == set(range(11))
    check_folds(folds, groups)  # no error


def test_leak_guard_fires_on_a_hand_built_leak() -> None:
    groups = np.array([0, 0, 1, 1, 2, 2])
    # patient 1's rows are split across the two folds' test parts
    leaky = [
        Split(train=[4, 5, 3], test=[0, 1, 2]),
        Split(train=[0, 1, 2], test=[3, 4, 5]),
    ]
    with pytest.raises(LeakError, match="patient"):
        check_folds(leaky, groups)
    inside = [Split(train=[0, 2], test=[1, 3])]  # patient 0 in train and test
    with pytest.raises(LeakError):
        check_folds(inside, groups)


def test_scores_against_a_hand_count() -> None:
    y_true = np.array([0, 0, 0, 0, 1, 1, 2, 2, 3, 4])
    y_pred = np.array([0, 0, 0, 1, 1, 0, 2, 0, 3, 0])
    out = scores(y_true, y_pred, NAMES, ("N", "S", "V", "F"), {"nsv": ("N", "S", "V")})
    # Q (row 9) is dropped: 9 scored rows, 6 right
    assert out["accuracy"] == pytest.approx(6 / 9)
    assert out["sensitivity_N"] == pytest.approx(3 / 4)
    assert out["ppv_N"] == pytest.approx(3 / 5)  # rows 0,1,2 right; 5 and 7 wrong
    assert out["sensitivity_S"] == pytest.approx(1 / 2) and out[
        "ppv_S"
    ] == pytest.approx(1 / 2)
    assert out["sensitivity_V"] == pytest.approx(1 / 2) and out["ppv_V"] == 1.0
    f1 = {
        "N": 2 * 0.6 * 0.75 / 1.35,
        "S": 0.5,
        "V": 2 * 1.0 * 0.5 / 1.5,
        "F": 1.0,
    }
    assert out["macro_f1"] == pytest.approx(np.mean(list(f1.values())))
    assert out["macro_f1_nsv"] == pytest.approx(np.mean([f1["N"], f1["S"], f1["V"]]))
    assert out["support_S"] == 2


def _separable_rows(patients: int = 8, per: int = 40) -> SignalSet:
    rng = np.random.default_rng(1)
    y = np.concatenate([np.tile([0, 0, 1, 2], per // 4) for _ in range(patients)])
    x = rng.normal(size=(len(y), 1, 8)).astype(np.float32)
    x[:, 0, 0] += 4.0 * y  # the class is in the first step
    groups = np.repeat(np.arange(patients), per)
    return SignalSet(
        x=x,
        y=y,
        ids={"subject": groups},
        id_names={"subject": [f"p{i}" for i in range(patients)]},
    )


def test_cross_validate_fits_per_fold_and_pools_out_of_fold() -> None:
    rows = _separable_rows()
    seen: list[set[int]] = []

    def fit_encoder(train: SignalSet, fold: int) -> str:
        seen.append(set(train.ids["subject"].tolist()))
        return "identity"

    def embed(encoder: str, part: SignalSet) -> np.ndarray:
        return np.asarray(part.x[:, 0, :2])

    settings = PatientCVSettings(
        folds=4,
        fractions=(0.1, 1.0),
        label_seeds=(0, 1),
        scored=("N", "S", "V"),
        subsets={"ns": ("N", "S")},
    )
    result = cross_validate(rows, fit_encoder, embed, ["N", "S", "V"], settings)
    assert len(seen) == 4 and all(len(s) == 6 for s in seen)
    flat = [p for fold in result.folds for p in fold]
    assert sorted(flat) == sorted(f"p{i}" for i in range(8))
    for fold, patients in zip(result.folds, seen, strict=True):
        assert not {f"p{i}" for i in patients} & set(fold)  # never trained on its test
    assert set(result.runs) == {(0.1, 0), (0.1, 1), (1.0, 0)}
    assert all((p >= 0).all() for p in result.predictions.values())
    summary = result.summary()
    assert summary["cv_accuracy_100"] > 0.95
    assert "cv_macro_f1_10_std" in summary and "cv_sensitivity_S_10" in summary
    assert "cv_macro_f1_ns_10" in summary
    lines = cv_table(summary, [0.1, 1.0])
    assert lines[1].strip().startswith("10% labels") and "macro-F1 NS" in lines[1]


def test_settings_are_checked() -> None:
    with pytest.raises(ConfigError):
        PatientCVSettings(folds=1)
    with pytest.raises(ConfigError):
        PatientCVSettings(fractions=(0.0,))
