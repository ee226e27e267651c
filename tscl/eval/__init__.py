"""Evaluation protocols: numpy embeddings in, metrics out.

``PROBES`` maps a name to a classification protocol with the signature
``(train_repr, train_y, test_repr, test_y, *, seed, scoring) -> dict[str, float]``.
"""

from __future__ import annotations

from tscl.eval.boosting import lightgbm_holdout_protocol
from tscl.eval.classify import knn_protocol, logistic_protocol, svm_protocol
from tscl.eval.finetune import PooledClassifier, fine_tune, predict, predict_proba
from tscl.eval.forecast import (
    causal_sliding_embed,
    ridge_forecast_protocol,
    time_features,
)
from tscl.eval.holdout import logistic_holdout_protocol
from tscl.eval.label_fractions import stratified_fraction
from tscl.eval.metrics import classification_metrics

PROBES = {
    "svm": svm_protocol,
    "logistic": logistic_protocol,
    "knn": knn_protocol,
}
# Probes whose settings are chosen on the validation split (train, val, test in).
HOLDOUT_PROBES = {
    "holdout": logistic_holdout_protocol,
    "holdout_lightgbm": lightgbm_holdout_protocol,
}
# eval.protocol, the generic ones: a probe, a validation-selected probe, or
# leave-patients-out cross-validation of the whole recipe (eval.recipe_cv); a
# domain adds its own (``Domain.evaluators``, e.g. the forecast domain's "forecast").
EVAL_PROTOCOLS = (*PROBES, *HOLDOUT_PROBES, "patient_cv")

__all__ = [
    "EVAL_PROTOCOLS",
    "HOLDOUT_PROBES",
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
