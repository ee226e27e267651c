"""The hold-out logistic probe: settings chosen on validation, test scored once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from tscl.data.read_ts import read_ts
from tscl.eval.classify import LOGISTIC_C_GRID
from tscl.eval.holdout import logistic_holdout_protocol


def test_holdout_probe_on_ecg200_matches_a_cold_fit_at_the_chosen_setting(
    data_dir: Path,
) -> None:
    train = read_ts(data_dir / "ucr" / "ECG200" / "ECG200_TRAIN.ts")
    test = read_ts(data_dir / "ucr" / "ECG200" / "ECG200_TEST.ts")
    x, y = train.to_array()[:, 0, :], train.labels  # raw series as features (N, 96)
    x_test, y_test = test.to_array()[:, 0, :], test.labels
    result = logistic_holdout_protocol(
        x[:70], y[:70], x[70:], y[70:], x_test, y_test, seed=0
    )
    assert result["C"] in LOGISTIC_C_GRID and result["balanced"] in (0.0, 1.0)
    assert 0.0 <= result["val_macro_f1"] <= 1.0
    assert result["accuracy"] > 0.75  # raw ECG200 with a linear probe: ~0.8-0.9
    # Warm-started selection ends near where a cold fit at the chosen setting ends
    # (at large C, lbfgs stops at its tolerance, so a few borderline beats may differ).
    cold = make_pipeline(
        StandardScaler(),
        LogisticRegression(
            C=result["C"],
            class_weight="balanced" if result["balanced"] else None,
            max_iter=1000,
        ),
    ).fit(x[:70], y[:70])
    cold_accuracy = float(np.mean(cold.predict(x_test) == y_test))
    assert abs(cold_accuracy - result["accuracy"]) <= 0.03


def test_iteration_limit_fits_are_counted_not_printed(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    from tscl.eval import holdout

    class FewIterations(LogisticRegression):  # lbfgs stops long before it converges
        def fit(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            self.max_iter = 2
            return super().fit(*args, **kwargs)

    monkeypatch.setattr(holdout, "LogisticRegression", FewIterations)
    train = read_ts(data_dir / "ucr" / "ECG200" / "ECG200_TRAIN.ts")
    x, y = train.to_array()[:, 0, :], train.labels
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        result = logistic_holdout_protocol(
            x[:70], y[:70], x[70:], y[70:], x[70:], y[70:], seed=0
        )
    assert result["unconverged_fits"] > 0
    assert result["unconverged_fits"] <= 2 * len(LOGISTIC_C_GRID)
