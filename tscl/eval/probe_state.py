"""A fitted linear probe as plain data, so a classifier travels with its encoder.

A StandardScaler + LogisticRegression pipeline becomes a JSON-ready dict
(means, scales, coefficients, intercepts, class codes and names); applying it
is a few array operations, so a saved model holds no pickled estimator and
loading it runs nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from tscl.errors import DataError

PROBE_FORMAT = "tscl-linear-probe/1"


def probe_to_state(probe: Any, class_names: Sequence[str]) -> dict[str, Any]:
    """``make_pipeline(StandardScaler(), LogisticRegression(...))`` -> a JSON-ready dict."""
    scaler, logistic = probe[0], probe[-1]
    codes = [int(c) for c in logistic.classes_]
    return {
        "format": PROBE_FORMAT,
        "mean": np.asarray(scaler.mean_, dtype=float).tolist(),
        "scale": np.asarray(scaler.scale_, dtype=float).tolist(),
        "coef": np.asarray(logistic.coef_, dtype=float).tolist(),
        "intercept": np.asarray(logistic.intercept_, dtype=float).tolist(),
        "classes": codes,
        "class_names": [str(class_names[c]) for c in codes],
        "C": float(logistic.C),
    }


def probe_probabilities(state: Mapping[str, Any], z: np.ndarray) -> np.ndarray:
    """(N, D) embeddings -> (N, K) class probabilities, columns in ``state["classes"]`` order."""
    if state.get("format") != PROBE_FORMAT:
        raise DataError(
            "classifier", f"expected format {PROBE_FORMAT}, got {state.get('format')!r}"
        )
    mean, scale = np.asarray(state["mean"]), np.asarray(state["scale"])
    coef, intercept = np.asarray(state["coef"]), np.asarray(state["intercept"])
    z = np.asarray(z, dtype=np.float64)
    if z.ndim != 2 or z.shape[1] != len(mean):
        raise DataError(
            "classifier", f"expected embeddings (N, {len(mean)}), got shape {z.shape}"
        )
    logits = ((z - mean) / scale) @ coef.T + intercept  # (N, K) or (N, 1)
    if logits.shape[1] == 1:  # binary: sklearn keeps the second class's logit
        logits = np.concatenate([np.zeros_like(logits), logits], axis=1)
    logits -= logits.max(axis=1, keepdims=True)
    weights = np.exp(logits)
    return weights / weights.sum(axis=1, keepdims=True)


def probe_predict(state: Mapping[str, Any], z: np.ndarray) -> np.ndarray:
    """(N, D) -> (N,) predicted class codes."""
    classes = np.asarray(state["classes"])
    return classes[probe_probabilities(state, z).argmax(axis=1)]
