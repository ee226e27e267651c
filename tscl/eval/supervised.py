"""Supervised training from scratch: any encoder + a linear head, cross-entropy, early stopping.

The baseline a self-supervised recipe must beat: the same encoder
architecture, freshly initialised, trained end to end on the labels. Works on
signal sets (the encoder's (B, D, T) output is max-pooled over time) and on
event sets (encoders with ``embed(batch) -> (B, D)``). Batches come from the
uniform batch sources, so lazy window sets train too. Training runs for at
most ``max_steps``; every ``eval_every`` steps the validation macro-F1 is
computed, the best weights are kept, and training stops after ``patience``
evaluations without improvement (early stopping on the validation split).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from tscl.data.training import DataSet, SignalSet
from tscl.encoders.pooling import max_pool_time
from tscl.errors import ConfigError
from tscl.eval.metrics import classification_metrics
from tscl.types import EventBatch, SignalBatch


class LinearClassifier(nn.Module):
    """Encoder, pooled embedding, linear layer: batch -> (B, K) logits."""

    def __init__(self, encoder: nn.Module, num_classes: int) -> None:
        super().__init__()
        self.encoder = encoder
        self.head = nn.Linear(int(encoder.out_dim), num_classes)

    def forward(self, batch: SignalBatch | EventBatch) -> Tensor:
        if hasattr(self.encoder, "embed"):
            z = self.encoder.embed(batch)  # (B, D)
        else:
            z = max_pool_time(self.encoder(batch.x))  # (B, D, T) -> (B, D)
        return self.head(z)


@dataclass(frozen=True)
class SupervisedSettings:
    """Step budget and optimiser of the supervised baseline."""

    max_steps: int = 200
    batch_size: int = 16
    lr: float = 1e-3
    weight_decay: float = 0.01
    eval_every: int = 25
    patience: int = 3
    balanced: bool = (
        False  # weight the loss by inverse class frequency (rare classes count)
    )

    def __post_init__(self) -> None:
        if min(self.max_steps, self.batch_size, self.eval_every, self.patience) < 1:
            raise ConfigError(
                f"supervised settings must be >= 1, got max_steps={self.max_steps}, "
                f"batch_size={self.batch_size}, eval_every={self.eval_every}, "
                f"patience={self.patience}"
            )


def _batches(data: DataSet, batch_size: int) -> Any:
    from tscl.data.event_batches import iter_event_batches
    from tscl.data.sources import iter_signal_batches

    if isinstance(data, SignalSet):
        return iter_signal_batches(data, batch_size)
    return iter_event_batches(data, batch_size)


@torch.no_grad()
def predict_logits(
    model: nn.Module, data: DataSet, *, batch_size: int = 256
) -> np.ndarray:
    """(N, K) logits of every row of ``data``, in row order."""
    was_training = model.training
    model.eval()
    parts = [model(batch).float() for batch in _batches(data, batch_size)]
    model.train(was_training)
    return torch.cat(parts).numpy()


def _source(data: DataSet, batch_size: int, seed: int) -> Any:
    from tscl.data.event_batches import EventUniformSource
    from tscl.data.sources import UniformSource

    generator = torch.Generator().manual_seed(seed)
    kind = UniformSource if isinstance(data, SignalSet) else EventUniformSource
    return kind(data, batch_size=batch_size, generator=generator)


def class_weights(y: np.ndarray, num_classes: int) -> Tensor:
    """(K,) weights n / (k * count_c) of the classes present (0 for absent ones), as sklearn's "balanced"."""
    counts = np.bincount(np.asarray(y, dtype=np.int64), minlength=num_classes)
    present = counts > 0
    weights = np.zeros(num_classes)
    weights[present] = counts.sum() / (present.sum() * counts[present])
    return torch.tensor(weights, dtype=torch.float32)


def train_supervised(
    encoder: nn.Module,
    train: DataSet,
    val: DataSet,
    *,
    num_classes: int,
    settings: SupervisedSettings,
    seed: int = 0,
) -> tuple[LinearClassifier, list[dict[str, float]]]:
    """Trains ``encoder`` + a linear head on ``train`` (labels ``y``), selected on ``val``.

    Args:
        encoder: a freshly built encoder (its weights are trained in place).
        num_classes: K; labels are the class codes 0..K-1.
        seed: seeds the head's initialisation and the batch order.

    Returns:
        (the model at the best validation macro-F1, one dict per evaluation
        with "step", "train_loss", "val_accuracy", "val_macro_f1").
    """
    if train.y is None or val.y is None:
        raise ConfigError("supervised training needs labels in train and val")
    torch.manual_seed(seed)
    model = LinearClassifier(encoder, num_classes)
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay
    )
    source = _source(train, settings.batch_size, seed)
    weight = (
        class_weights(np.asarray(train.y), num_classes) if settings.balanced else None
    )
    history: list[dict[str, float]] = []
    best_score, best_state, waited, losses = (
        -1.0,
        copy.deepcopy(model.state_dict()),
        0,
        [],
    )
    model.train()
    for step in range(1, settings.max_steps + 1):
        batch = source.next()
        loss = F.cross_entropy(model(batch), batch.y.long(), weight=weight)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(float(loss.item()))
        if step % settings.eval_every and step != settings.max_steps:
            continue
        predicted = predict_logits(model, val).argmax(axis=1)
        scores = classification_metrics(np.asarray(val.y), predicted)
        history.append(
            {
                "step": step,
                "train_loss": float(np.mean(losses)),
                "val_accuracy": scores["accuracy"],
                "val_macro_f1": scores["macro_f1"],
            }
        )
        losses = []
        if scores["macro_f1"] > best_score:
            best_score, best_state, waited = (
                scores["macro_f1"],
                copy.deepcopy(model.state_dict()),
                0,
            )
        else:
            waited += 1
            if waited >= settings.patience:
                break
    model.load_state_dict(best_state)
    return model.eval(), history
