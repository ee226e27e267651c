"""Classification metrics: accuracy, macro-F1, AUROC and AUPRC.

Rules for classes (what COMET- and REBAR-style reports need):

* accuracy and macro-F1 use the labels of ``y_true`` and ``y_pred``; macro-F1
  averages over their union, so a class that is predicted but never true
  scores F1 = 0 (zero division counts as 0).
* AUROC (one-vs-rest) and AUPRC (average precision on label-binarised
  targets) are macro averages over the *scorable* classes: the columns of
  ``y_score`` whose class occurs in ``y_true`` without being all of it. A
  class absent from ``y_true`` has no positives and is left out (it does not
  crash and does not count as 0 or 1). With two classes only the positive
  class (the second) is scored, as ``label_binarize`` does. When no class is
  scorable (``y_true`` holds one class) both are NaN, and ``scored_classes``
  says how many classes entered the averages.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    f1_score,
    roc_auc_score,
)

from tscl.errors import DataError


def default_classes(
    num_columns: int, y_true: np.ndarray, y_pred: np.ndarray
) -> np.ndarray:
    """Guesses the column labels: the sorted labels of y_true and y_pred, or of y_true."""
    for candidate in (np.union1d(y_true, y_pred), np.unique(y_true)):
        if len(candidate) == num_columns:
            return candidate
    raise DataError(
        "y_score",
        f"{num_columns} score columns but y_true holds {len(np.unique(y_true))} "
        "classes: pass classes= (the label of each column)",
    )


def score_matrix(
    y_score: np.ndarray,
    classes: np.ndarray | None,
    y_true: np.ndarray,
    y_pred: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Returns (scores (N, K), classes (K,)) with one column per class.

    A 1-D ``y_score`` is the score of the second of two classes; its first
    column is then its negation.
    """
    y_score = np.asarray(y_score, dtype=np.float64)
    if y_score.ndim == 1:
        y_score = np.stack([-y_score, y_score], axis=1)  # (N,) -> (N, 2)
    if y_score.ndim != 2:
        raise DataError("y_score", f"expected (N,) or (N, K), got {y_score.shape}")
    if classes is None:
        classes = default_classes(y_score.shape[1], y_true, y_pred)
    classes = np.asarray(classes)
    if y_score.shape != (len(y_true), len(classes)):
        raise DataError(
            "y_score",
            f"expected shape ({len(y_true)}, {len(classes)}), got {y_score.shape}",
        )
    if not np.isfinite(y_score).all():
        raise DataError("y_score", "holds NaN or infinite values")
    return y_score, classes


def ranking_metrics(
    y_true: np.ndarray, y_score: np.ndarray, classes: np.ndarray
) -> tuple[float, float, int]:
    """Macro one-vs-rest AUROC and AUPRC over scorable classes.

    Args:
        y_true: labels, (N,).
        y_score: one column per class, (N, K).
        classes: the label of each column, (K,).

    Returns:
        (auroc, auprc, number of classes scored); NaN, NaN, 0 when none.
    """
    columns = [1] if len(classes) == 2 else range(len(classes))
    aurocs, auprcs = [], []
    for k in columns:
        positive = y_true == classes[k]
        if positive.all() or not positive.any():
            continue
        aurocs.append(roc_auc_score(positive, y_score[:, k]))
        auprcs.append(average_precision_score(positive, y_score[:, k]))
    if not aurocs:
        return float("nan"), float("nan"), 0
    return float(np.mean(aurocs)), float(np.mean(auprcs)), len(aurocs)


def classification_metrics(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    y_score: np.ndarray | None = None,
    *,
    classes: np.ndarray | None = None,
) -> dict[str, float]:
    """Accuracy, macro-F1 and, given scores, macro AUROC and AUPRC.

    Args:
        y_true: true labels, (N,).
        y_pred: predicted labels, (N,).
        y_score: class scores (N, K) (probabilities or decision values), or
            (N,) for the second of two classes; None skips AUROC/AUPRC (NaN).
        classes: the label of each score column, (K,); default the sorted
            labels of ``y_true`` and ``y_pred`` together, else of ``y_true``,
            whichever has K labels.

    Returns:
        {"accuracy", "macro_f1", "auroc", "auprc", "scored_classes"}; see the
        module docstring for how absent classes are handled.
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.ndim != 1 or y_true.shape != y_pred.shape or len(y_true) == 0:
        raise DataError(
            "y_pred",
            f"expected two equal non-empty 1-D label arrays, got {y_true.shape} and {y_pred.shape}",
        )
    result = {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, average="macro", zero_division=0)),
        "auroc": float("nan"),
        "auprc": float("nan"),
        "scored_classes": 0.0,
    }
    if y_score is not None:
        scores, classes = score_matrix(y_score, classes, y_true, y_pred)
        auroc, auprc, scored = ranking_metrics(y_true, scores, classes)
        result.update(auroc=auroc, auprc=auprc, scored_classes=float(scored))
    return result


def per_class_metrics(
    y_true: np.ndarray, y_pred: np.ndarray, class_names: list[str] | None = None
) -> dict[str, float]:
    """Sensitivity (recall) and positive predictive value (precision) of every class present.

    Returns:
        ``{"sensitivity_<name>": ..., "ppv_<name>": ..., "support_<name>": ...}``
        for each class code in ``y_true`` (``<name>`` is ``class_names[code]``,
        else the code); a class never predicted has PPV 0.
    """
    from sklearn.metrics import precision_recall_fscore_support

    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    codes = np.unique(y_true)
    ppv, sensitivity, _, support = precision_recall_fscore_support(
        y_true, y_pred, labels=codes, zero_division=0
    )
    result: dict[str, float] = {}
    for code, p, r, n in zip(codes, ppv, sensitivity, support, strict=True):
        name = (
            class_names[int(code)]
            if class_names is not None and 0 <= int(code) < len(class_names)
            else str(code)
        )
        result.update(
            {
                f"sensitivity_{name}": float(r),
                f"ppv_{name}": float(p),
                f"support_{name}": float(n),
            }
        )
    return result
