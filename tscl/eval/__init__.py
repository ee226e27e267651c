"""Evaluation protocols: numpy embeddings in, metrics out.

``PROBES`` maps a name to a classification protocol with the signature
``(train_repr, train_y, test_repr, test_y, *, seed, scoring) -> dict[str, float]``.
"""

from __future__ import annotations

from tscl.eval.classify import knn_protocol, logistic_protocol, svm_protocol
from tscl.eval.finetune import PooledClassifier, fine_tune, predict, predict_proba
from tscl.eval.forecast import (
    causal_sliding_embed,
    ridge_forecast_protocol,
    time_features,
)
from tscl.eval.label_fractions import stratified_fraction
from tscl.eval.metrics import classification_metrics

PROBES = {
    "svm": svm_protocol,
    "logistic": logistic_protocol,
    "knn": knn_protocol,
}
# eval.protocol: a probe, the validation-selected logistic probe, forecasting, or
# leave-patients-out cross-validation of the whole recipe (eval.recipe_cv).
EVAL_PROTOCOLS = (*PROBES, "holdout", "forecast", "patient_cv")

__all__ = [
    "EVAL_PROTOCOLS",
    "PROBES",
    "PooledClassifier",
    "causal_sliding_embed",
    "classification_metrics",
    "fine_tune",
    "knn_protocol",
    "logistic_protocol",
    "predict",
    "predict_proba",
    "ridge_forecast_protocol",
    "stratified_fraction",
    "svm_protocol",
    "time_features",
]
