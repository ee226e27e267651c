"""Fine-tuning: encoder + max-pool over time + linear head, cross-entropy.

Works with any encoder that maps (B, C, T) -> (B, out_dim, T'). The best
epoch is the one with the highest validation macro-F1 (the earliest on ties);
its weights are the ones returned.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from tscl.encoders.pooling import max_pool_time
from tscl.errors import ConfigError, DataError
from tscl.eval.metrics import classification_metrics


class PooledClassifier(nn.Module):
    """Encoder, max-pool over time, then a linear layer. (B, C, T) -> (B, K) logits.

    Args:
        encoder: (B, C, T) -> (B, out_dim, T').
        classes: the label of each logit, (K,).
        frozen: keep the encoder fixed; it then stays in eval mode (no
            dropout, no BatchNorm statistic updates) even in ``train()``.
    """

    def __init__(
        self, encoder: nn.Module, classes: np.ndarray, frozen: bool = False
    ) -> None:
        super().__init__()
        self.encoder = encoder.requires_grad_(not frozen)
        self.head = nn.Linear(int(encoder.out_dim), len(classes))
        self.classes = np.asarray(classes)
        self.frozen = frozen

    def train(self, mode: bool = True) -> PooledClassifier:
        super().train(mode)
        if self.frozen:
            self.encoder.eval()
        return self

    def forward(self, x: Tensor) -> Tensor:
        z = self.encoder(x)  # (B, D, T')
        return self.head(max_pool_time(z))  # (B, D) -> (B, K)


def check_signals(name: str, x: np.ndarray, y: np.ndarray | None = None) -> Tensor:
    """Validates signals (N, C, T) (and labels (N,)); returns a float32 tensor."""
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 3 or len(x) == 0 or (y is not None and np.shape(y) != (len(x),)):
        raise DataError(
            name,
            f"expected signals (N, C, T) with N > 0 and labels (N,), got {x.shape}"
            + ("" if y is None else f" and {np.shape(y)}"),
        )
    return torch.from_numpy(x)


def module_device(module: nn.Module) -> torch.device:
    """Where the module's parameters live (CPU for a module without any)."""
    parameter = next(module.parameters(), None)
    return torch.device("cpu") if parameter is None else parameter.device


def cuda_indices(device: torch.device) -> list[int]:
    """The CUDA device whose RNG ``fork_rng`` must save and restore, if any."""
    if device.type != "cuda":
        return []
    return [torch.cuda.current_device() if device.index is None else device.index]


def shuffled_batches(num_samples: int, batch_size: int) -> list[Tensor]:
    """Random index batches; a last batch of one joins the one before it.

    A batch of one would break BatchNorm in training mode.
    """
    batches = list(torch.randperm(num_samples).split(batch_size))
    if len(batches) > 1 and len(batches[-1]) == 1:
        batches[-2:] = [torch.cat(batches[-2:])]
    return batches


def train_epoch(
    model: PooledClassifier,
    optimizer: torch.optim.Optimizer,
    x: Tensor,
    targets: Tensor,
    *,
    batch_size: int,
    device: torch.device,
) -> float:
    """One shuffled pass over (x (N, C, T), targets (N,)); returns the mean loss."""
    model.train()
    total = 0.0
    for index in shuffled_batches(len(x), batch_size):
        logits = model(x[index].to(device))  # (b, K)
        loss = F.cross_entropy(logits, targets[index].to(device))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(index)
    return total / len(x)


@torch.no_grad()
def predict_proba(
    model: PooledClassifier,
    x: np.ndarray,
    *,
    batch_size: int = 256,
    device: str | torch.device | None = None,
) -> np.ndarray:
    """Class probabilities (N, K) for signals (N, C, T); columns follow ``model.classes``.

    ``device`` defaults to the model's.
    """
    inputs = check_signals("x", x)
    device = module_device(model) if device is None else device
    model.eval()
    parts = [
        F.softmax(model(inputs[start : start + batch_size].to(device)), dim=-1).cpu()
        for start in range(0, len(inputs), batch_size)
    ]
    return torch.cat(parts).numpy()


def predict(
    model: PooledClassifier,
    x: np.ndarray,
    *,
    batch_size: int = 256,
    device: str | torch.device | None = None,
) -> np.ndarray:
    """Predicted labels (N,) for signals (N, C, T); ``device`` defaults to the model's."""
    probabilities = predict_proba(model, x, batch_size=batch_size, device=device)
    return model.classes[probabilities.argmax(axis=1)]


def fit_epochs(
    model: PooledClassifier,
    optimizer: torch.optim.Optimizer,
    train: tuple[Tensor, Tensor],
    validation: tuple[np.ndarray, np.ndarray],
    *,
    epochs: int,
    batch_size: int,
    device: torch.device,
) -> list[dict[str, Any]]:
    """Trains for ``epochs`` and loads the weights of the best validation macro-F1.

    Args:
        train: signals (N, C, T) and class indices (N,).
        validation: signals (M, C, T) and labels (M,).

    Returns:
        One dict per epoch; "best" is True for the epoch whose weights are kept.
    """
    history: list[dict[str, Any]] = []
    best_epoch = 0
    best_state: dict[str, Tensor] = {}
    for epoch in range(epochs):
        loss = train_epoch(
            model, optimizer, *train, batch_size=batch_size, device=device
        )
        predicted = predict(
            model, validation[0], batch_size=max(batch_size, 256), device=device
        )
        scores = classification_metrics(validation[1], predicted)
        if epoch == 0 or scores["macro_f1"] > history[best_epoch]["val_macro_f1"]:
            best_epoch, best_state = epoch, copy.deepcopy(model.state_dict())
        history.append(
            {
                "epoch": epoch,
                "train_loss": loss,
                "val_accuracy": scores["accuracy"],
                "val_macro_f1": scores["macro_f1"],
                "best": False,
            }
        )
    history[best_epoch]["best"] = True
    model.load_state_dict(best_state)
    return history


def fine_tune(
    encoder: nn.Module,
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_val: np.ndarray,
    y_val: np.ndarray,
    *,
    epochs: int = 50,
    lr: float = 1e-3,
    batch_size: int = 32,
    device: str | torch.device | None = None,
    seed: int = 0,
    weight_decay: float = 0.0,
    freeze_encoder: bool = False,
) -> tuple[PooledClassifier, list[dict[str, Any]]]:
    """Trains a copy of ``encoder`` with a linear head; keeps the best epoch.

    The passed encoder is not modified (it is deep-copied), so one pretrained
    encoder can be fine-tuned on several label fractions. The global torch RNG
    state is restored on return.

    Args:
        encoder: any module (B, C, T) -> (B, out_dim, T') with ``out_dim``.
        X_train: training signals, (N, C, T); may hold NaN.
        y_train: training labels, (N,); any hashable labels.
        X_val: validation signals, (M, C, T).
        y_val: validation labels, (M,).
        epochs: passes over the training set.
        lr: AdamW learning rate.
        batch_size: samples per step.
        device: where training runs; default the encoder's device.
        seed: seeds the head's initialisation, shuffling and dropout.
        weight_decay: AdamW weight decay.
        freeze_encoder: train only the head (a linear probe with max-pooling).

    Returns:
        (model with the best epoch's weights, history): one dict per epoch with
        "epoch", "train_loss", "val_accuracy", "val_macro_f1", "best".
    """
    if epochs < 1 or batch_size < 1:
        raise ConfigError(
            f"fine_tune: expected epochs >= 1 and batch_size >= 1, got {epochs}, {batch_size}"
        )
    x_train = check_signals("X_train", X_train, y_train)
    check_signals("X_val", X_val, y_val)
    classes, train_targets = np.unique(np.asarray(y_train), return_inverse=True)
    targets = torch.from_numpy(train_targets).long()
    device = module_device(encoder) if device is None else torch.device(device)
    with torch.random.fork_rng(devices=cuda_indices(device)):
        torch.manual_seed(seed)
        model = PooledClassifier(copy.deepcopy(encoder), classes, freeze_encoder).to(
            device
        )
        trainable = [p for p in model.parameters() if p.requires_grad]
        optimizer = torch.optim.AdamW(trainable, lr=lr, weight_decay=weight_decay)
        history = fit_epochs(
            model,
            optimizer,
            (x_train, targets),
            (np.asarray(X_val), np.asarray(y_val)),
            epochs=epochs,
            batch_size=batch_size,
            device=device,
        )
    return model, history
