"""Honest model selection: validation arrays without the test split, and validation scores.

A trial pretrains on the training part and is scored by a probe fitted on
training embeddings and evaluated on validation embeddings. Data sets with a
validation split (patients of MIT-BIH) use it; UCR/UEA archives, which only
have an official train/test split, hold out a stratified part of the training
split. The test split is removed before any trial sees the arrays.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import torch
from torch import nn

from tscl.config import RunConfig
from tscl.data.training import SignalSet, TrainingData
from tscl.embedding import embed
from tscl.errors import ConfigError, DataError
from tscl.eval import PROBES
from tscl.eval.label_fractions import stratified_fraction
from tscl.sweep.space import METRICS
from tscl.train.averaging import build_averaged
from tscl.train.build import build_method
from tscl.train.run import load_data


def rescale(data: TrainingData, mode: str) -> TrainingData:
    """Per-channel standardisation refitted on the training split (after a carve)."""
    from tscl.domains.archive.load import fit_scaler

    scaler = fit_scaler(data.train_x, mode)
    if scaler is None:
        return data
    parts = {}
    for name in ("train", "val", "test"):
        part = getattr(data, name)
        parts[name] = (
            None
            if part is None
            else replace(part, x=scaler.transform(part.x).astype(np.float32))
        )
    preprocessing = {**data.preprocessing, "scaler": scaler.to_dict()}
    return replace(data, **parts, preprocessing=preprocessing)


def carve_validation(arrays: TrainingData, fraction: float, seed: int) -> TrainingData:
    """Moves a stratified ``fraction`` of the training split to validation; drops the test split.

    Each class gives round(fraction * count) samples, at least one
    (``stratified_fraction``); no scaler is carried over (refit on the rest).
    """
    if arrays.train_y is None:
        name = str(arrays.source.get("dataset", "data set"))
        raise DataError(name, "sweeps need training labels to score trials")
    held = stratified_fraction(arrays.train_y, fraction, seed)
    kept = np.setdiff1d(np.arange(len(arrays.train_y)), held)
    assert isinstance(arrays.train, SignalSet)
    return TrainingData(
        train=arrays.train.subset(kept),
        test=arrays.train.subset(held[:0]),
        val=arrays.train.subset(held),
        class_names=arrays.class_names,
        preprocessing={**arrays.preprocessing, "scaler": None},
        source={**arrays.source, "validation": {"fraction": fraction, "seed": seed}},
    )


def selection_arrays(config: RunConfig, val_fraction: float) -> TrainingData:
    """Train and validation arrays (N, C, T) for model selection; the test split is empty.

    Without a validation split, ``val_fraction`` of the training split is held
    out (stratified, seeded by ``train.seed``) and normalisation is fitted on
    the rest only.

    Raises:
        ConfigError: grouped data (patients) without a validation split.
        DataError: when the data set has no labels for the training or validation part.
    """
    arrays = load_data(config)
    if arrays.val is None and config.data.split == "group":
        raise ConfigError(
            f"data.val_fraction: set it > 0 for {config.dataset}, so trials are scored on "
            "held-out patients (a per-sample hold-out would put one patient on both sides)"
        )
    if arrays.val is None:
        if arrays.scaler is not None:  # fitted on the whole training split: refit
            raw = replace(config.data, normalize="none")
            arrays = load_data(replace(config, data=raw))
        arrays = carve_validation(arrays, val_fraction, config.train.seed)
        arrays = rescale(arrays, config.data.normalize)
    if arrays.train_y is None or arrays.val_y is None:
        raise DataError(
            config.dataset, "sweeps need labelled training and validation splits"
        )
    return replace(arrays, test=arrays.train.subset(np.arange(0)))


def cap_validation(arrays: TrainingData, max_val: int, seed: int) -> TrainingData:
    """At most ``max_val`` validation rows, a class-stratified draw (0 or fewer rows: unchanged).

    Drawn once by the sweep driver, so every trial is scored on the same rows.
    """
    if max_val <= 0 or arrays.val_y is None or max_val >= len(arrays.val_y):
        return arrays
    assert arrays.val is not None
    chosen = stratified_fraction(arrays.val_y, max_val / len(arrays.val_y), seed)
    source = {
        **arrays.source,
        "validation_rows": {"of": len(arrays.val_y), "scored": len(chosen)},
    }
    return replace(arrays, val=arrays.val.subset(chosen), source=source)


def checkpoint_encoder(
    config: RunConfig, in_channels: int, state: Mapping[str, Any]
) -> nn.Module:
    """The inference encoder of a training checkpoint: the averaged copy when there is one."""
    with torch.random.fork_rng(devices=[]):  # building must not move the training RNG
        method = build_method(config, in_channels)
    method.load_state_dict(state["method"])
    averaged = build_averaged(
        method.encoder, config.train.averaging, config.train.ema_decay
    )
    if averaged is None or state.get("averaged") is None:
        return method.encoder.eval()
    averaged.load_state_dict(state["averaged"])
    return averaged.module.eval()


def validation_scores(
    encoder: nn.Module,
    arrays: TrainingData,
    *,
    probe: str,
    seed: int = 0,
    device: str = "auto",
    max_train: int = 0,
) -> dict[str, float]:
    """A probe fitted on training embeddings and scored on validation embeddings.

    Args:
        encoder: (B, C, T) -> (B, D, T'); embeddings are max-pooled over time.
        arrays: training (N, C, T) and validation (M, C, T) series with labels.
        probe: a name in ``tscl.eval.PROBES`` (its settings are chosen by CV on training only).
        max_train: fit the probe on a stratified subsample of this many training series (0 = all).

    Returns:
        ``val_accuracy``, ``val_macro_f1``, ``val_auroc``, ``val_auprc``.
    """
    assert arrays.train_y is not None and arrays.val_x is not None
    assert arrays.val_y is not None
    train_x, train_y = arrays.train_x, arrays.train_y
    if 0 < max_train < len(train_y):
        chosen = stratified_fraction(train_y, max_train / len(train_y), seed)
        train_x, train_y = train_x[chosen], train_y[chosen]
    train_repr = embed(encoder, train_x, device=device)  # (N, D)
    val_repr = embed(encoder, arrays.val_x, device=device)  # (M, D)
    scores = PROBES[probe](train_repr, train_y, val_repr, arrays.val_y, seed=seed)
    return {name: float(scores[name.removeprefix("val_")]) for name in METRICS}
