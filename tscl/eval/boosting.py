"""Gradient-boosted trees (LightGBM) on frozen embeddings or features, chosen on validation.

The tree count is found by early stopping on the validation split's log-loss,
the leaf count and class weighting by validation macro-F1; the test split is
scored once by the chosen model (trained on the training split only).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tscl.eval.classify import check_split, score_test
from tscl.eval.validation_choice import ValidationChoice

LEAVES_GRID = (7, 31)
MAX_TREES = 1000
EARLY_STOPPING = 50


def validation_kwargs(val: np.ndarray, val_y: np.ndarray) -> dict[str, Any]:
    """The early-stopping set as this LightGBM takes it: ``eval_X`` / ``eval_y``
    from 4.6 (``eval_set`` is deprecated there), ``eval_set`` before."""
    import inspect

    import lightgbm

    if "eval_X" in inspect.signature(lightgbm.LGBMClassifier.fit).parameters:
        return {"eval_X": (val,), "eval_y": (val_y,)}
    return {"eval_set": [(val, val_y)]}


def lightgbm_holdout_protocol(
    train_repr: np.ndarray,
    train_y: np.ndarray,
    val_repr: np.ndarray,
    val_y: np.ndarray,
    test_repr: np.ndarray,
    test_y: np.ndarray,
    *,
    seed: int = 0,
    learning_rate: float = 0.05,
    num_threads: int = 1,
) -> dict[str, Any]:
    """LightGBM; trees by early stopping on validation, leaves / class weights by validation macro-F1.

    Returns:
        Test metrics plus "num_leaves", "trees", "balanced" and "val_macro_f1".
    """
    import lightgbm

    train = check_split("train", train_repr, train_y)
    val = check_split("val", val_repr, val_y)
    test = check_split("test", test_repr, test_y)
    best = ValidationChoice(val, val_y)
    early_stopping_set = validation_kwargs(val, val_y)
    for leaves in LEAVES_GRID:
        for weight in (None, "balanced"):
            model = lightgbm.LGBMClassifier(
                n_estimators=MAX_TREES,
                learning_rate=learning_rate,
                num_leaves=leaves,
                min_child_samples=10,
                subsample=0.8,
                subsample_freq=1,
                colsample_bytree=0.8,
                class_weight=weight,
                random_state=seed,
                n_jobs=num_threads,
                verbose=-1,
            )
            model.fit(
                train,
                train_y,
                **early_stopping_set,
                callbacks=[lightgbm.early_stopping(EARLY_STOPPING, verbose=False)],
            )
            setting = {
                "num_leaves": float(leaves),
                "trees": float(model.best_iteration_ or MAX_TREES),
                "balanced": float(weight == "balanced"),
            }
            best.offer(model, setting)
    return {
        **score_test(best.model, test, test_y),
        **best.setting,
        "val_macro_f1": best.score,
    }
