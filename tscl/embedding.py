"""Embeddings of a data set with a trained encoder: (N, D) per row, in row order."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from tscl.data.training import DataSet, SignalSet
from tscl.encoders.pooling import max_pool_time
from tscl.train.device import resolve_device


@torch.no_grad()
def embed(
    encoder: nn.Module, x: Any, *, batch_size: int = 64, device: str = "auto"
) -> np.ndarray:
    """Full-series embeddings of signals: (N, C, T) -> (N, D), max-pooled over time."""
    return embed_set(encoder, SignalSet(x=x), batch_size=batch_size, device=device)


@torch.no_grad()
def embed_set(
    encoder: nn.Module, data: DataSet, *, batch_size: int = 64, device: str = "auto"
) -> np.ndarray:
    """(N, D) embeddings of every row of ``data``.

    Encoders with an ``embed(batch) -> (B, D)`` method (event-sequence encoders)
    use it; signal encoders are max-pooled over time, (B, D, T) -> (B, D).
    """
    from tscl.data.event_batches import iter_event_batches
    from tscl.data.sources import iter_signal_batches

    target = resolve_device(device)
    encoder = encoder.to(target).eval()
    if isinstance(data, SignalSet):
        batches = iter_signal_batches(data, batch_size)
    else:
        batches = iter_event_batches(data, batch_size)
    parts = []
    for batch in batches:
        batch = batch.to(target)
        if hasattr(encoder, "embed"):
            z = encoder.embed(batch)
        else:
            z = max_pool_time(encoder(batch.x))  # (B, D, T) -> (B, D)
        parts.append(z.float().cpu())
    encoder.cpu()
    if not parts:
        return np.empty((0, int(getattr(encoder, "out_dim", 0))), dtype=np.float32)
    return torch.cat(parts).numpy()
