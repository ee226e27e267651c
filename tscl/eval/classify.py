"""Linear and non-linear probes on frozen embeddings: SVM, logistic, kNN.

Every protocol picks its hyperparameter by cross-validation on the training
split only, fits on the training split, and scores the test split once. All
return the same flat dict of floats: the test metrics of
:func:`tscl.eval.metrics.classification_metrics`, the chosen hyperparameter
("C" or "k") and ``cv_score``, the best mean cross-validated score (NaN when
the training split was too small to search and the default was used).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from tscl.errors import DataError
from tscl.eval.metrics import classification_metrics

SVM_C_GRID = (1e-4, 1e-3, 1e-2, 1e-1, 1.0, 1e1, 1e2, 1e3, 1e4, np.inf)
LOGISTIC_C_GRID = (1e-4, 1e-3, 1e-2, 1e-1, 1.0, 1e1, 1e2, 1e3, 1e4)
KNN_K_GRID = (1, 3, 5, 7, 9, 15, 21, 31, 51)
SVM_GRID_MAX_SAMPLES = 10_000


def check_split(name: str, features: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Validates one split's embeddings (N, D) against its labels (N,)."""
    features = np.asarray(features, dtype=np.float64)
    labels = np.asarray(labels)
    if features.ndim != 2 or labels.shape != (features.shape[0],) or len(labels) == 0:
        raise DataError(
            f"{name}_repr",
            f"expected embeddings (N, D) and labels (N,) with N > 0, "
            f"got {features.shape} and {labels.shape}",
        )
    if not np.isfinite(features).all():
        raise DataError(
            f"{name}_repr", "holds NaN or infinite values; pool with a mask first"
        )
    return features


def check_splits(
    train_repr: np.ndarray,
    train_y: np.ndarray,
    test_repr: np.ndarray,
    test_y: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Validates both splits; returns them as float64 arrays."""
    train = check_split("train", train_repr, train_y)
    test = check_split("test", test_repr, test_y)
    if train.shape[1] != test.shape[1]:
        raise DataError(
            "test_repr", f"expected {train.shape[1]} features, got {test.shape[1]}"
        )
    if len(np.unique(train_y)) < 2:
        raise DataError("train_y", "needs at least two classes to fit a classifier")
    return train, test


def grid_search(
    estimator: BaseEstimator,
    grid: dict[str, list[Any]],
    features: np.ndarray,
    labels: np.ndarray,
    *,
    folds: int,
    seed: int,
    scoring: str,
) -> tuple[BaseEstimator, dict[str, Any], float]:
    """Stratified k-fold grid search on the training split, refit on all of it.

    Returns:
        (fitted best estimator, best parameters, best mean CV score).
    """
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    search = GridSearchCV(estimator, grid, cv=splitter, scoring=scoring, refit=True)
    search.fit(features, labels)
    return search.best_estimator_, search.best_params_, float(search.best_score_)


def score_test(
    model: BaseEstimator, test: np.ndarray, test_y: np.ndarray
) -> dict[str, float]:
    """Test metrics, and the test predictions under "predictions" (for per-class reports; not a metric).

    Scores are decision values or class probabilities.
    """
    scorer = (
        model.predict_proba
        if hasattr(model, "predict_proba")
        else model.decision_function
    )
    predicted = model.predict(test)
    return {
        **classification_metrics(
            np.asarray(test_y), predicted, scorer(test), classes=model.classes_
        ),
        "predictions": np.asarray(predicted),
    }


def svm_protocol(
    train_repr: np.ndarray,
    train_y: np.ndarray,
    test_repr: np.ndarray,
    test_y: np.ndarray,
    *,
    seed: int = 0,
    scoring: str = "accuracy",
) -> dict[str, float]:
    """TS2Vec's protocol: RBF SVM (gamma="scale"), C by 5-fold grid search.

    C ranges over 1e-4 ... 1e4 and inf. When the training split has fewer than
    50 samples or a class with fewer than 5, no search is run and a hard-margin
    SVC(C=inf) is fitted, as TS2Vec does for small sets. Above 10,000 samples
    the search and the final fit use a stratified subsample of 10,000 (as
    TS2Vec). AUROC/AUPRC use the SVM's one-vs-rest decision values.

    Args:
        train_repr: training embeddings, (N, D).
        train_y: training labels, (N,).
        test_repr: test embeddings, (M, D).
        test_y: test labels, (M,).
        seed: fold shuffling and subsampling.
        scoring: scikit-learn scorer name used to pick C.

    Returns:
        Test metrics plus "C" and "cv_score".
    """
    train, test = check_splits(train_repr, train_y, test_repr, test_y)
    train_y = np.asarray(train_y)
    _, counts = np.unique(train_y, return_counts=True)
    if len(train_y) < 50 or counts.min() < 5:
        model = SVC(C=np.inf, gamma="scale").fit(train, train_y)
        return {
            **score_test(model, test, test_y),
            "C": float("inf"),
            "cv_score": float("nan"),
        }
    if len(train_y) > SVM_GRID_MAX_SAMPLES:
        train, _, train_y, _ = train_test_split(
            train,
            train_y,
            train_size=SVM_GRID_MAX_SAMPLES,
            random_state=seed,
            stratify=train_y,
        )
    model, params, cv_score = grid_search(
        SVC(kernel="rbf", gamma="scale"),
        {"C": list(SVM_C_GRID)},
        train,
        train_y,
        folds=5,
        seed=seed,
        scoring=scoring,
    )
    return {
        **score_test(model, test, test_y),
        "C": float(params["C"]),
        "cv_score": cv_score,
    }


def cv_folds(labels: np.ndarray) -> int:
    """Folds for a stratified search: 5, fewer for rare classes, 0 if impossible."""
    _, counts = np.unique(labels, return_counts=True)
    folds = min(5, int(counts.min()))
    return folds if folds >= 2 else 0


def logistic_protocol(
    train_repr: np.ndarray,
    train_y: np.ndarray,
    test_repr: np.ndarray,
    test_y: np.ndarray,
    *,
    seed: int = 0,
    scoring: str = "accuracy",
) -> dict[str, float]:
    """Linear probe: standardise, then L2 logistic regression, C by CV.

    C ranges over 1e-4 ... 1e4 with stratified k-fold CV (k = 5, or the size of
    the rarest class when smaller); with a class of one sample C = 1.
    The scaler is fitted inside each fold, on training data only.

    Returns:
        Test metrics plus "C" and "cv_score".
    """
    train, test = check_splits(train_repr, train_y, test_repr, test_y)
    pipeline = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    folds = cv_folds(np.asarray(train_y))
    if folds == 0:
        model = pipeline.fit(train, train_y)
        return {**score_test(model, test, test_y), "C": 1.0, "cv_score": float("nan")}
    grid = {"logisticregression__C": list(LOGISTIC_C_GRID)}
    model, params, cv_score = grid_search(
        pipeline,
        grid,
        train,
        np.asarray(train_y),
        folds=folds,
        seed=seed,
        scoring=scoring,
    )
    chosen = float(params["logisticregression__C"])
    return {**score_test(model, test, test_y), "C": chosen, "cv_score": cv_score}


def knn_protocol(
    train_repr: np.ndarray,
    train_y: np.ndarray,
    test_repr: np.ndarray,
    test_y: np.ndarray,
    *,
    seed: int = 0,
    scoring: str = "accuracy",
) -> dict[str, float]:
    """k-nearest neighbours (Euclidean, uniform votes), k by CV.

    k ranges over 1, 3, 5, 7, 9, 15, 21, 31, 51, capped by the size of the
    smallest CV training fold; folds as in :func:`logistic_protocol`; with a
    class of one sample k = 1. Scores are the neighbours' vote fractions.

    Returns:
        Test metrics plus "k" and "cv_score".
    """
    train, test = check_splits(train_repr, train_y, test_repr, test_y)
    folds = cv_folds(np.asarray(train_y))
    if folds == 0:
        model = KNeighborsClassifier(n_neighbors=1).fit(train, train_y)
        return {**score_test(model, test, test_y), "k": 1.0, "cv_score": float("nan")}
    # A CV training part holds about N (folds - 1) / folds samples; stratification
    # can shift each class by one, hence the margin of one per class.
    num_classes = len(np.unique(train_y))
    smallest_part = len(train) * (folds - 1) // folds - num_classes
    grid = {"n_neighbors": [k for k in KNN_K_GRID if k <= max(smallest_part, 1)]}
    model, params, cv_score = grid_search(
        KNeighborsClassifier(),
        grid,
        train,
        np.asarray(train_y),
        folds=folds,
        seed=seed,
        scoring=scoring,
    )
    return {
        **score_test(model, test, test_y),
        "k": float(params["n_neighbors"]),
        "cv_score": cv_score,
    }
