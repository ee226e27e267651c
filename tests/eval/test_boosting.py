"""The LightGBM probe: trees by early stopping on validation, settings by validation macro-F1."""

from __future__ import annotations

import warnings
from pathlib import Path

import lightgbm
import numpy as np
from sklearn.metrics import f1_score

from tscl.data.read_ts import read_ts
from tscl.eval.boosting import (
    LEAVES_GRID,
    MAX_TREES,
    lightgbm_holdout_protocol,
    validation_kwargs,
)


def test_lightgbm_probe_on_ecg200_refits_to_the_chosen_setting(data_dir: Path) -> None:
    train = read_ts(data_dir / "ucr" / "ECG200" / "ECG200_TRAIN.ts")
    test = read_ts(data_dir / "ucr" / "ECG200" / "ECG200_TEST.ts")
    x, y = train.to_array()[:, 0, :], train.labels  # raw series as features (N, 96)
    x_test, y_test = test.to_array()[:, 0, :], test.labels
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no deprecated LightGBM arguments
        result = lightgbm_holdout_protocol(
            x[:70], y[:70], x[70:], y[70:], x_test, y_test, seed=0, num_threads=1
        )
    assert result["num_leaves"] in LEAVES_GRID and result["balanced"] in (0.0, 1.0)
    assert 1 <= result["trees"] <= MAX_TREES
    assert result["accuracy"] > 0.7  # raw ECG200 with boosted trees: ~0.75-0.85
    # The chosen setting, refitted with the chosen tree count and no early stopping,
    # reproduces the validation score the probe reported.
    model = lightgbm.LGBMClassifier(
        n_estimators=int(result["trees"]),
        learning_rate=0.05,
        num_leaves=int(result["num_leaves"]),
        min_child_samples=10,
        subsample=0.8,
        subsample_freq=1,
        colsample_bytree=0.8,
        class_weight="balanced" if result["balanced"] else None,
        random_state=0,
        n_jobs=1,
        verbose=-1,
    ).fit(x[:70], y[:70])
    val_f1 = f1_score(y[70:], model.predict(x[70:]), average="macro")
    assert np.isclose(val_f1, result["val_macro_f1"])


def test_the_validation_set_is_passed_as_this_lightgbm_expects() -> None:
    val, val_y = np.zeros((3, 2)), np.zeros(3)
    kwargs = validation_kwargs(val, val_y)
    assert set(kwargs) in ({"eval_X", "eval_y"}, {"eval_set"})
