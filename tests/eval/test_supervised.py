"""Supervised training from scratch: learns a separable task, stops early, keeps the best weights."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tscl.data.training import SignalSet
from tscl.encoders.dilated_conv import DilatedConvEncoder
from tscl.errors import ConfigError
from tscl.eval.supervised import SupervisedSettings, predict_logits, train_supervised


def _tones(n: int, seed: int) -> SignalSet:
    """Class 0: a 2-cycle sine, class 1: an 8-cycle sine, (n, 1, 64), random phase."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    t = np.linspace(0, 1, 64, endpoint=False)
    cycles = np.where(y == 0, 2.0, 8.0)[:, None]
    x = np.sin(2 * np.pi * cycles * t + rng.uniform(0, 6.3, (n, 1)))
    x = x + 0.1 * rng.normal(size=x.shape)
    return SignalSet(x=x[:, None, :].astype(np.float32), y=y)


def _encoder() -> DilatedConvEncoder:
    torch.manual_seed(0)
    return DilatedConvEncoder(in_channels=1, hidden_dims=8, output_dims=8, depth=2)


def test_learns_a_separable_task_and_keeps_the_best_validation_weights() -> None:
    train, val = _tones(64, seed=0), _tones(32, seed=1)
    settings = SupervisedSettings(
        max_steps=30, batch_size=16, eval_every=10, patience=3
    )
    model, history = train_supervised(
        _encoder(), train, val, num_classes=2, settings=settings, seed=0
    )
    best = max(h["val_macro_f1"] for h in history)
    assert best >= 0.9
    predicted = predict_logits(model, val).argmax(axis=1)
    kept = float(np.mean(predicted == val.y))
    assert kept == pytest.approx(
        max(h["val_accuracy"] for h in history if h["val_macro_f1"] == best)
    )
    assert [h["step"] for h in history] == list(range(10, 31, 10))[: len(history)]


def test_stops_after_patience_evaluations_without_improvement() -> None:
    train, val = _tones(32, seed=0), _tones(16, seed=1)
    settings = SupervisedSettings(
        max_steps=400, batch_size=8, eval_every=1, patience=2, lr=0.0
    )
    _, history = train_supervised(
        _encoder(), train, val, num_classes=2, settings=settings, seed=0
    )
    assert len(history) == 3  # lr 0: nothing improves after the first evaluation


def test_rejects_a_zero_budget() -> None:
    with pytest.raises(ConfigError, match="max_steps=0"):
        SupervisedSettings(max_steps=0)
