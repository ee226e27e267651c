"""Probes whose hyperparameters are chosen on a held-out validation split.

Where samples come from patients, k-fold CV inside the training split mixes a
patient's beats across folds; choosing on validation *patients* keeps model
selection patient-independent. The test split is scored once, with the
probe refitted on the training split at the chosen setting.
"""

from __future__ import annotations

import copy
import warnings
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from tscl.eval.classify import LOGISTIC_C_GRID, check_split, score_test
from tscl.eval.validation_choice import ValidationChoice

MAX_TRAIN_SAMPLES = 20_000


def _subsample(
    x: np.ndarray, y: np.ndarray, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """A stratified subsample of at most MAX_TRAIN_SAMPLES (kept rare classes when possible)."""
    if len(y) <= MAX_TRAIN_SAMPLES:
        return x, y
    _, counts = np.unique(y, return_counts=True)
    stratify = y if counts.min() >= 2 else None
    x, _, y, _ = train_test_split(
        x, y, train_size=MAX_TRAIN_SAMPLES, random_state=seed, stratify=stratify
    )
    return x, y


def logistic_holdout_protocol(
    train_repr: np.ndarray,
    train_y: np.ndarray,
    val_repr: np.ndarray,
    val_y: np.ndarray,
    test_repr: np.ndarray,
    test_y: np.ndarray,
    *,
    seed: int = 0,
    keep_predictions: bool = False,
) -> dict[str, Any]:
    """Standardise + logistic regression; C and class weighting chosen by validation macro-F1.

    Returns:
        Test metrics plus "C", "balanced" (1.0 when class-balanced weights won),
        "val_macro_f1" and "unconverged_fits" (fits of the grid that reached
        lbfgs's iteration limit); with ``keep_predictions`` also "test_pred", the (N,) predicted
        test labels (e.g. for a vote over a recording's windows).
    """
    train = check_split("train", train_repr, train_y)
    val = check_split("val", val_repr, val_y)
    test = check_split("test", test_repr, test_y)
    train, train_y = _subsample(train, np.asarray(train_y), seed)
    scaler = StandardScaler().fit(train)  # one standardisation for every fit
    train_scaled, val_scaled = scaler.transform(train), scaler.transform(val)
    best = ValidationChoice(val_scaled, val_y)
    unconverged = 0
    for weight in (None, "balanced"):
        # Ascending C with warm starts: each fit starts from the previous optimum.
        probe = LogisticRegression(class_weight=weight, max_iter=1000, warm_start=True)
        for c in sorted(LOGISTIC_C_GRID):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ConvergenceWarning)
                probe.set_params(C=c).fit(train_scaled, train_y)
            # lbfgs stopping at max_iter (weakly regularised fits) is counted, not
            # printed once per fit; validation still judges the fit it stopped at.
            unconverged += any(
                issubclass(w.category, ConvergenceWarning) for w in caught
            )
            setting = {"C": c, "balanced": float(weight == "balanced")}
            # the probe is refitted in place at the next C: keep a copy
            best.offer(probe, setting, keep=copy.deepcopy)
    model = make_pipeline(scaler, best.model)  # fitted on train at the chosen setting
    scores: dict[str, Any] = {
        **score_test(model, test, test_y),
        **best.setting,
        "val_macro_f1": best.score,
        "unconverged_fits": float(unconverged),
    }
    if keep_predictions:
        scores["test_pred"] = model.predict(test)
    return scores
