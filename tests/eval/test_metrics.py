"""classification_metrics on hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tscl.errors import DataError
from tscl.eval.metrics import classification_metrics


def test_binary_hand_values() -> None:
    y_true = np.array([0, 0, 1, 1])
    y_pred = np.array([0, 1, 1, 1])
    score = np.array([0.1, 0.6, 0.4, 0.9])  # score of class 1
    result = classification_metrics(y_true, y_pred, score)
    assert result["accuracy"] == 0.75
    # class 0: P=1, R=.5 -> F1=2/3; class 1: P=2/3, R=1 -> F1=.8
    assert result["macro_f1"] == pytest.approx((2 / 3 + 0.8) / 2)
    # positives {0.4, 0.9} vs negatives {0.1, 0.6}: 3 of 4 pairs ordered -> .75
    assert result["auroc"] == pytest.approx(0.75)
    # ranking .9(+) .6(-) .4(+) .1(-): AP = (1/1 + 2/3) / 2
    assert result["auprc"] == pytest.approx((1 + 2 / 3) / 2)
    assert result["scored_classes"] == 1


def test_binary_two_column_scores_equal_one_column() -> None:
    y_true = np.array(["a", "b", "a", "b", "b"])
    y_pred = np.array(["a", "b", "b", "b", "a"])
    positive = np.array([0.2, 0.7, 0.6, 0.8, 0.3])
    one = classification_metrics(y_true, y_pred, positive)
    two = classification_metrics(
        y_true, y_pred, np.stack([1 - positive, positive], axis=1)
    )
    assert one == two


def test_multiclass_one_vs_rest_macro() -> None:
    y_true = np.array([0, 1, 2, 0, 1, 2])
    scores = np.array(
        [
            [0.8, 0.1, 0.1],
            [0.2, 0.5, 0.3],
            [0.3, 0.3, 0.4],
            [0.4, 0.5, 0.1],
            [0.6, 0.3, 0.1],
            [0.1, 0.2, 0.7],
        ]
    )
    y_pred = scores.argmax(axis=1)  # [0, 1, 2, 1, 0, 2]
    result = classification_metrics(y_true, y_pred, scores)
    assert result["accuracy"] == pytest.approx(4 / 6)
    # class 0: pos {.8,.4} vs {.2,.3,.6,.1}: .8 wins 4, .4 wins 3 -> 7/8
    # class 1: pos {.5,.3} vs {.1,.3,.5,.2}: .5 -> 2 + .5 tie + 1 = 3.5; .3 -> 2 + .5 = 2.5 -> 6/8
    # class 2: pos {.4,.7} vs {.1,.3,.1,.1}: all 8 -> 1
    assert result["auroc"] == pytest.approx((7 / 8 + 6 / 8 + 1) / 3)
    # AP = sum over thresholds of (recall gain) * precision:
    # class 0: .8+ (P=1, R=.5), .6-, .4+ (P=2/3, R=1) -> .5 + .5 * 2/3 = 5/6
    # class 1: threshold .5 takes {+, -} (P=.5, R=.5), .3 takes {+, -} (P=.5, R=1) -> .5
    # class 2: both positives rank first -> 1
    assert result["auprc"] == pytest.approx((5 / 6 + 0.5 + 1) / 3)
    assert result["scored_classes"] == 3


def test_class_absent_from_y_true_is_left_out_of_ranking_metrics() -> None:
    y_true = np.array([0, 0, 1, 1])
    y_pred = np.array([0, 2, 1, 1])  # class 2 predicted, never true
    scores = np.array(
        [[0.9, 0.05, 0.05], [0.4, 0.1, 0.5], [0.1, 0.8, 0.1], [0.2, 0.7, 0.1]]
    )
    result = classification_metrics(y_true, y_pred, scores, classes=np.array([0, 1, 2]))
    assert result["scored_classes"] == 2
    assert result["auroc"] == 1.0 and result["auprc"] == 1.0
    # F1 over {0, 1, 2}: class 0 P=1 R=.5 -> 2/3, class 1 -> 1, class 2 -> 0.
    assert result["macro_f1"] == pytest.approx((2 / 3 + 1 + 0) / 3)


def test_single_true_class_gives_nan_ranking_metrics() -> None:
    result = classification_metrics(
        np.array([1, 1, 1]), np.array([1, 0, 1]), np.array([0.9, 0.2, 0.8])
    )
    assert result["accuracy"] == pytest.approx(2 / 3)
    assert math.isnan(result["auroc"]) and math.isnan(result["auprc"])
    assert result["scored_classes"] == 0


def test_without_scores_ranking_metrics_are_nan() -> None:
    result = classification_metrics(np.array([0, 1]), np.array([0, 1]))
    assert result["accuracy"] == 1.0 and result["macro_f1"] == 1.0
    assert math.isnan(result["auroc"])


def test_bad_inputs_raise_data_error() -> None:
    with pytest.raises(DataError, match="equal non-empty"):
        classification_metrics(np.array([0, 1]), np.array([0, 1, 1]))
    with pytest.raises(DataError, match="pass classes="):
        classification_metrics(np.array([0, 1]), np.array([0, 1]), np.ones((2, 3)))
    with pytest.raises(DataError, match="NaN"):
        classification_metrics(
            np.array([0, 1]), np.array([0, 1]), np.array([0.1, np.nan])
        )


def test_per_class_sensitivity_and_ppv_by_hand() -> None:
    from tscl.eval.metrics import per_class_metrics

    y_true = np.array([0, 0, 0, 1, 1, 2])
    y_pred = np.array([0, 0, 1, 1, 1, 0])
    got = per_class_metrics(y_true, y_pred, ["N", "S", "V"])
    # N: 2 of 3 found, 2 of 3 predicted N are N; S: 2/2 found, 2 of 3 predicted S are S; V: never found.
    assert got["sensitivity_N"] == pytest.approx(2 / 3) and got[
        "ppv_N"
    ] == pytest.approx(2 / 3)
    assert got["sensitivity_S"] == 1.0 and got["ppv_S"] == pytest.approx(2 / 3)
    assert (
        got["sensitivity_V"] == 0.0 and got["ppv_V"] == 0.0 and got["support_V"] == 1.0
    )
