"""Leave-patients-out cross-validation of a pretraining recipe with a logistic probe.

The protocol the ECG default is chosen by (and the honest estimate of how a
recipe does on patients it has never seen): the patients are dealt into
``folds`` group-disjoint folds (class-stratified, ``data.splits.group_kfold``,
leak-checked); for each fold the encoder is pretrained on the other folds'
rows only (``fit_encoder``), every row is embedded, and a probe
(``StandardScaler`` + ``LogisticRegression(C, class_weight="balanced")``, the
probe of the independent DS1 -> DS2 evaluation) is fitted on a stratified
fraction of the training folds' labels (1%, 10%, 100%; several label seeds)
and predicts the held-out fold. Predictions are pooled over folds (each row is
predicted once, by a model that never saw its patient), then scored:
per-class sensitivity and positive predictive value, macro-F1 over the scored
classes and over named subsets of them (N/S/V), and accuracy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tscl.data.splits import Split, check_no_leak, group_kfold
from tscl.data.training import SignalSet
from tscl.errors import ConfigError, DataError

FitEncoder = Callable[[SignalSet, int], Any]  # (training rows, fold) -> encoder
Embed = Callable[[Any, SignalSet], np.ndarray]  # (encoder, rows) -> (N, D)


@dataclass(frozen=True)
class PatientCVSettings:
    """Folds, label fractions and probe of the protocol.

    Attributes:
        folds: group-disjoint folds of the patients.
        fractions: shares of the training folds' labels the probe sees.
        label_seeds: draws of each fraction below 1 (100% is drawn once).
        C: the logistic probe's inverse regularisation.
        scored: class names that enter macro-F1 (others, e.g. Q, are predicted
            but not scored, as in the AAMI protocol).
        subsets: extra macro-F1s over subsets of ``scored`` ({"nsv": (N, S, V)}).
        seed: the fold assignment's seed.
    """

    folds: int = 5
    fractions: tuple[float, ...] = (0.01, 0.1, 1.0)
    label_seeds: tuple[int, ...] = (0, 1, 2)
    C: float = 1.0
    scored: tuple[str, ...] = ("N", "S", "V", "F")
    subsets: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: {"nsv": ("N", "S", "V")}
    )
    seed: int = 0

    def __post_init__(self) -> None:
        if self.folds < 2 or not self.fractions or not self.label_seeds:
            raise ConfigError(
                "patient CV: folds >= 2 and at least one fraction and label seed"
            )
        if any(not 0 < f <= 1 for f in self.fractions) or self.C <= 0:
            raise ConfigError(
                f"patient CV: fractions in (0, 1] and C > 0, got {self.fractions}, {self.C}"
            )


def fraction_key(fraction: float) -> str:
    """0.1 -> "10", 0.01 -> "1", 1.0 -> "100" (metric-name suffixes)."""
    return f"{fraction * 100:g}"


def patient_folds(
    groups: np.ndarray, labels: np.ndarray, folds: int, seed: int
) -> list[Split]:
    """Group-disjoint, class-stratified folds; each one leak-checked."""
    return group_kfold(np.asarray(groups), folds, seed, labels=np.asarray(labels))


def check_folds(folds: Sequence[Split], groups: np.ndarray) -> None:
    """LeakError if a patient is in two folds' test parts (or in a fold's train and test)."""
    groups = np.asarray(groups)
    for split in folds:
        check_no_leak(split, groups, name="patient")
    for i, first in enumerate(folds):
        for second in folds[i + 1 :]:
            check_no_leak(
                Split(train=first.test, test=second.test), groups, name="patient"
            )


def fit_probe(z: np.ndarray, y: np.ndarray, C: float = 1.0) -> Any:
    """StandardScaler + balanced LogisticRegression on (N, D) embeddings."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    probe = make_pipeline(
        StandardScaler(),
        LogisticRegression(C=C, class_weight="balanced", max_iter=3000),
    )
    return probe.fit(np.asarray(z, dtype=np.float64), np.asarray(y))


def scores(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    class_names: Sequence[str],
    scored: Sequence[str],
    subsets: Mapping[str, Sequence[str]],
) -> dict[str, float]:
    """Accuracy, macro-F1 (scored classes and each subset), sensitivity / +P / support per scored class.

    Rows whose true class is not scored are left out (the AAMI protocol drops Q).
    """
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    codes = {name: i for i, name in enumerate(class_names)}
    missing = [name for name in scored if name not in codes]
    if missing:
        raise DataError(
            "patient CV", f"scored classes {missing} not in {list(class_names)}"
        )
    wanted = [codes[name] for name in scored]
    keep = np.isin(y_true, wanted)
    y_true, y_pred = np.asarray(y_true)[keep], np.asarray(y_pred)[keep]
    out = {
        "accuracy": float((y_true == y_pred).mean()),
        "macro_f1": float(
            f1_score(y_true, y_pred, labels=wanted, average="macro", zero_division=0)
        ),
    }
    for key, names in subsets.items():
        out[f"macro_f1_{key}"] = float(
            f1_score(
                y_true,
                y_pred,
                labels=[codes[n] for n in names],
                average="macro",
                zero_division=0,
            )
        )
    ppv, sensitivity, _, support = precision_recall_fscore_support(
        y_true, y_pred, labels=wanted, zero_division=0
    )
    for name, se, pp, count in zip(scored, sensitivity, ppv, support, strict=True):
        out[f"sensitivity_{name}"] = float(se)
        out[f"ppv_{name}"] = float(pp)
        out[f"support_{name}"] = float(count)
    return out


@dataclass
class PatientCVResult:
    """Pooled out-of-fold scores of one recipe.

    Attributes:
        runs: {(fraction, label seed): scores} over all rows.
        predictions: {(fraction, label seed): (N,) out-of-fold predicted codes}.
        folds: the patients of each fold's test part.
        y: (N,) true codes.
    """

    runs: dict[tuple[float, int], dict[str, float]]
    predictions: dict[tuple[float, int], np.ndarray]
    folds: list[list[str]]
    y: np.ndarray

    def summary(self) -> dict[str, float]:
        """``cv_<score>_<pct>`` mean over label seeds and ``..._std`` (population std)."""
        out: dict[str, float] = {}
        fractions = sorted({fraction for fraction, _ in self.runs})
        for fraction in fractions:
            rows = [s for (f, _), s in self.runs.items() if f == fraction]
            for name in rows[0]:
                values = np.array([row[name] for row in rows])
                out[f"cv_{name}_{fraction_key(fraction)}"] = float(values.mean())
                if not name.startswith("support_"):
                    out[f"cv_{name}_{fraction_key(fraction)}_std"] = float(values.std())
        return out


def cross_validate(
    rows: SignalSet,
    fit_encoder: FitEncoder,
    embed: Embed,
    class_names: Sequence[str],
    settings: PatientCVSettings = PatientCVSettings(),
    *,
    level: str = "subject",
    say: Callable[[str], None] | None = None,
) -> PatientCVResult:
    """Leave-patients-out CV of a recipe: pretrain per fold, probe, pool, score.

    Args:
        rows: every labelled row, with ``ids[level]`` (patient codes).
        fit_encoder: pretrains an encoder on the training rows of a fold.
        embed: (encoder, rows) -> (N, D) embeddings.
        class_names: name of each label code.
    """
    from tscl.eval.label_fractions import stratified_fraction

    if rows.y is None or level not in rows.ids:
        raise DataError("patient CV", f"needs labels and '{level}' ids on every row")
    y, groups = np.asarray(rows.y), np.asarray(rows.ids[level])
    names = rows.id_names.get(level) if rows.id_names else None
    folds = patient_folds(groups, y, settings.folds, settings.seed)
    check_folds(folds, groups)
    predictions: dict[tuple[float, int], np.ndarray] = {}
    for k, split in enumerate(folds):
        train, test = rows.subset(split.train), rows.subset(split.test)
        encoder = fit_encoder(train, k)
        z_train, z_test = embed(encoder, train), embed(encoder, test)
        for fraction in settings.fractions:
            seeds = settings.label_seeds if fraction < 1 else settings.label_seeds[:1]
            for seed in seeds:
                chosen = (
                    np.arange(len(train))
                    if fraction >= 1
                    else stratified_fraction(train.y, fraction, seed=seed)
                )
                probe = fit_probe(z_train[chosen], train.y[chosen], settings.C)
                out = predictions.setdefault((fraction, seed), np.full(len(y), -1))
                out[split.test] = probe.predict(z_test)
        if say is not None:
            say(f"patient CV fold {k + 1}/{len(folds)} done")
    runs = {
        key: scores(y, pred, class_names, settings.scored, settings.subsets)
        for key, pred in predictions.items()
    }
    fold_names = [
        sorted({names[g] if names else str(g) for g in groups[split.test]})
        for split in folds
    ]
    return PatientCVResult(runs=runs, predictions=predictions, folds=fold_names, y=y)
