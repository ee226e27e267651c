"""``eval.protocol=patient_cv``: a run's recipe cross-validated leave-patients-out, and its final probe.

For each fold the run's own config pretrains a fresh encoder on the other
folds' rows (nothing of the held-out patients, labels or signals, reaches it);
``patient_cv.cross_validate`` probes and scores the pooled out-of-fold
predictions. The run's main encoder is pretrained on every patient, and
``final_probe`` fits the probe the model carries (``EncoderBundle.classifier``)
on all its labelled rows. The per-channel scaling of the rows was fitted on all
the run's patients (one mean and scale per channel, no labels); the encoders
and probes of each fold see only their training patients.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from tscl.data.training import SignalSet, TrainingData
from tscl.errors import ConfigError
from tscl.eval.patient_cv import (
    PatientCVResult,
    PatientCVSettings,
    cross_validate,
    fit_probe,
)
from tscl.eval.probe_state import probe_to_state


def cv_settings(config: Any) -> PatientCVSettings:
    """The protocol's settings: ``eval.folds``, ``eval.label_fractions``, ``eval.label_seeds``."""
    return PatientCVSettings(
        folds=int(config.eval.folds),
        fractions=tuple(float(f) for f in config.eval.label_fractions),
        label_seeds=tuple(int(s) for s in config.eval.label_seeds),
        seed=int(config.train.seed),
    )


def labelled_rows(data: TrainingData) -> SignalSet:
    """The run's training rows, which the protocol folds (val / test parts stay out).

    A run that cross-validates on every patient sets ``data.val_fraction`` and
    ``data.test_fraction`` to 0.
    """
    if not isinstance(data.train, SignalSet) or data.train.y is None:
        raise ConfigError("eval.protocol 'patient_cv' needs labelled signal windows")
    return data.train


def fold_pretrainer(
    config: Any,
    data: TrainingData,
    transform: Callable[[SignalSet], SignalSet] | None = None,
) -> Callable[[SignalSet, int], Any]:
    """``fit_encoder`` for ``patient_cv.cross_validate``: the run's recipe pretrained
    (quietly, in a temporary folder) on a fold's training rows, ``transform``-ed first."""

    def fit_encoder(train: SignalSet, fold: int) -> Any:
        from tscl.train.run import pretrain

        rows = train if transform is None else transform(train)
        fold_data = dataclasses.replace(data, train=rows, val=None, test=rows)
        quiet = dataclasses.replace(
            config, train=dataclasses.replace(config.train, progress=False)
        )
        with tempfile.TemporaryDirectory(prefix=f"tscl_cv{fold}_") as folder:
            return pretrain(quiet, run_dir=Path(folder), data=fold_data).bundle.encoder

    return fit_encoder


def patient_cv(
    config: Any,
    data: TrainingData,
    *,
    say: Callable[[str], None] | None = None,
) -> PatientCVResult:
    """Leave-patients-out CV of the run's recipe on all its labelled rows."""
    from tscl.embedding import embed_set

    rows = labelled_rows(data)
    device = config.train.device

    def embed(encoder: Any, part: SignalSet) -> np.ndarray:
        return embed_set(encoder, part, device=device)

    return cross_validate(
        rows,
        fold_pretrainer(config, data),
        embed,
        data.class_names,
        cv_settings(config),
        say=say,
    )


def final_probe(encoder: Any, data: TrainingData, config: Any) -> dict[str, Any]:
    """The probe the model carries: fitted on every labelled row's embedding (100% of labels)."""
    from tscl.embedding import embed_set

    rows = labelled_rows(data)
    z = embed_set(encoder, rows, device=config.train.device)
    probe = fit_probe(z, rows.y, cv_settings(config).C)  # C = 1, the judged probe's
    return probe_to_state(probe, data.class_names)
