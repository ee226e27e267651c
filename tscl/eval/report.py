"""What a run records of a classification test score: per-class rates, probe settings, a readable table.

The probes return their test metrics with the chosen settings ("C", "k",
"balanced") and the test predictions mixed in; :func:`split_classification`
separates what is a measurement (logged as a metric), what is a setting (a
param) and the predictions (for the confusion matrix), and adds sensitivity
and positive predictive value per class.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tscl.eval.metrics import per_class_metrics

# Keys of a probe's result that are settings it chose or counts, not measurements.
PROBE_SETTINGS = ("C", "k", "balanced", "scored_classes")


@dataclass
class ClassificationReport:
    metrics: dict[str, Any]  # measurements: accuracy, macro_f1, per-class rates...
    settings: dict[str, Any] = field(default_factory=dict)  # probe.C, probe.balanced...
    y_true: np.ndarray | None = None
    y_pred: np.ndarray | None = None


def split_classification(
    result: Mapping[str, Any],
    y_true: np.ndarray | None,
    class_names: Sequence[str] | None = None,
) -> ClassificationReport:
    """A probe's result as measurements, settings and predictions (forecast results pass through)."""
    metrics = {
        k: v for k, v in result.items() if k not in (*PROBE_SETTINGS, "predictions")
    }
    settings = {f"probe.{k}": result[k] for k in PROBE_SETTINGS if k in result}
    predicted = result.get("predictions")
    if predicted is None or y_true is None:
        return ClassificationReport(metrics, settings)
    y_true, predicted = np.asarray(y_true), np.asarray(predicted)
    metrics.update(
        per_class_metrics(y_true, predicted, list(class_names or []) or None)
    )
    return ClassificationReport(metrics, settings, y_true, predicted)


def per_class_table(metrics: Mapping[str, Any]) -> list[str]:
    """Lines of a class | sensitivity | +P | support table from ``per_class_metrics`` keys."""
    names = [k[len("sensitivity_") :] for k in metrics if k.startswith("sensitivity_")]
    if not names:
        return []
    lines = [f"  {'class':<10} {'sensitivity':>11} {'+P':>6} {'support':>8}"]
    for name in names:
        lines.append(
            f"  {name:<10} {metrics[f'sensitivity_{name}']:>11.3f} "
            f"{metrics[f'ppv_{name}']:>6.3f} {int(metrics[f'support_{name}']):>8d}"
        )
    return lines


def grid_edge_notice(settings: Mapping[str, Any]) -> str | None:
    """A warning when the probe's chosen C is the smallest or largest finite value of its grid."""
    from tscl.eval.classify import LOGISTIC_C_GRID

    c = settings.get("probe.C")
    if c is None or not np.isfinite(c):
        return None  # inf: the SVM's unregularised setting for tiny training sets
    low, high = min(LOGISTIC_C_GRID), max(LOGISTIC_C_GRID)
    if c not in (low, high):
        return None
    wants = "stronger" if c == low else "weaker"
    return (
        f"warning: the probe chose C={c:g}, the edge of its grid ({low:g}..{high:g}); "
        f"it wanted {wants} regularisation than the grid offers, so the score may understate the embedding"
    )


def _cv_cell(summary: Mapping[str, Any], name: str, pct: str) -> str:
    mean = summary.get(f"cv_{name}_{pct}")
    std = summary.get(f"cv_{name}_{pct}_std", 0.0)
    return "   n/a" if mean is None else f"{mean:.3f}±{std:.3f}"


def cv_table(summary: Mapping[str, Any], fractions: Sequence[float]) -> list[str]:
    """Lines of the patient-CV summary: one row per label fraction, mean ± std over label draws.

    Columns: accuracy, macro-F1 over the scored classes and over each subset
    (``cv_macro_f1_<subset>_<pct>``), and sensitivity / +P of each scored class.
    """
    lines = ["leave-patients-out CV (pooled out-of-fold predictions):"]
    for fraction in fractions:
        pct = f"{fraction * 100:g}"
        end = f"_{pct}"
        subsets = sorted(
            k[len("cv_macro_f1_") : -len(end)]
            for k in summary
            if k.startswith("cv_macro_f1_")
            and k.endswith(end)
            and k != f"cv_macro_f1{end}"
        )
        classes = [
            k[len("cv_sensitivity_") : -len(end)]
            for k in summary
            if k.startswith("cv_sensitivity_") and k.endswith(end)
        ]
        parts = [
            f"accuracy {_cv_cell(summary, 'accuracy', pct)}",
            f"macro-F1 {_cv_cell(summary, 'macro_f1', pct)}",
        ]
        parts += [
            f"macro-F1 {name.upper()} {_cv_cell(summary, 'macro_f1_' + name, pct)}"
            for name in subsets
        ]
        lines.append(f"  {pct:>3}% labels: " + "  ".join(parts))
        lines.append(
            "    "
            + "  ".join(
                f"{name} Se {_cv_cell(summary, 'sensitivity_' + name, pct)} "
                f"+P {_cv_cell(summary, 'ppv_' + name, pct)}"
                for name in classes
            )
        )
    return lines
