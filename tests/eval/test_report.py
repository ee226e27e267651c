"""Probe results split into measurements, settings and predictions; grid-edge warnings."""

from __future__ import annotations

import numpy as np

from tscl.eval.report import grid_edge_notice, per_class_table, split_classification


def test_settings_become_params_and_predictions_per_class_rates() -> None:
    result = {
        "accuracy": 0.5,
        "macro_f1": 0.4,
        "C": 0.01,
        "balanced": 1.0,
        "scored_classes": 2.0,
        "val_macro_f1": 0.45,
        "predictions": np.array([0, 1, 1, 0]),
    }
    report = split_classification(result, np.array([0, 1, 0, 0]), ["N", "S"])
    assert report.settings == {
        "probe.C": 0.01,
        "probe.balanced": 1.0,
        "probe.scored_classes": 2.0,
    }
    assert "C" not in report.metrics and "predictions" not in report.metrics
    assert report.metrics["val_macro_f1"] == 0.45
    # N: 2 of 3 found, 2 of 2 predicted N right; S: 1 of 1 found, 1 of 2 predicted S right.
    assert report.metrics["sensitivity_N"] == 2 / 3 and report.metrics["ppv_N"] == 1.0
    assert report.metrics["sensitivity_S"] == 1.0 and report.metrics["ppv_S"] == 0.5
    table = per_class_table(report.metrics)
    assert table[1].split() == ["N", "0.667", "1.000", "3"]


def test_forecast_results_pass_through() -> None:
    report = split_classification({"mse_h24": 0.1}, None)
    assert report.metrics == {"mse_h24": 0.1} and report.settings == {}


def test_grid_edge_warns_only_at_the_edges() -> None:
    assert "stronger regularisation" in grid_edge_notice({"probe.C": 1e-4})
    assert "weaker regularisation" in grid_edge_notice({"probe.C": 1e4})
    assert grid_edge_notice({"probe.C": 1.0}) is None
    assert grid_edge_notice({"probe.C": float("inf")}) is None
    assert grid_edge_notice({}) is None
