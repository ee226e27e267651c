"""CoLES: contrastive learning of event sequences from their random slices.

Babaev et al., "CoLES: Contrastive Learning for Event Sequences with
Self-Supervision", SIGMOD 2022, https://arxiv.org/abs/2002.08232. A batch holds
several random contiguous slices of each sequence (``EventSliceSource``); slices
of one sequence (equal ``batch.index``) are positives, every other slice a
negative. Signal windows work the same way: ``data.source=slices``
(``SignalSliceSource``) draws NaN-padded random slices of each window, and
the encoder's output is max-pooled over each slice's observed steps. The loss here is the multi-positive InfoNCE of ``tscl.losses`` over
the (n, n) cosine-similarity matrix of the slice embeddings (one matrix
product); ``objective="margin"`` is the paper's margin loss over all positive
pairs and each slice's hardest negatives, its distances one matrix product too
(``tscl.losses.margin``). ``hard_negatives`` = k keeps only each slice's k
hardest negatives in either loss.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from tscl.errors import DataError
from tscl.losses.infonce import info_nce
from tscl.losses.margin import margin_contrastive_loss
from tscl.pairs.base import observed_steps, pool
from tscl.pairs.masks import equal_id_mask
from tscl.types import EventBatch, SignalBatch


def slice_positive_mask(index: Tensor) -> Tensor:
    """(n,) sequence row of each slice -> (n, n) bool, True for other slices of the same row."""
    return equal_id_mask(index)


OBJECTIVES = ("infonce", "margin")


def coles_loss(
    z: Tensor,
    index: Tensor,
    temperature: float,
    *,
    objective: str = "infonce",
    margin: float = 0.5,
    hard_negatives: int | None = None,
) -> Tensor:
    """Multi-positive InfoNCE of slice embeddings z (n, D) grouped by ``index`` (n,).

    For slice i with positives P(i) (the other slices of its sequence) and
    s_ik = cos(z_i, z_k): loss_i = -1/|P(i)| sum_{p in P(i)} log softmax_{k != i}(s_ik / t)[p],
    averaged over the slices that have a positive. ``objective="margin"``:
    ``tscl.losses.margin.margin_contrastive_loss`` with ``margin``.
    """
    if index.shape != (z.shape[0],):
        raise DataError(
            "coles index", f"expected shape ({z.shape[0]},), got {tuple(index.shape)}"
        )
    positives = slice_positive_mask(index.to(z.device))
    if objective == "margin":
        return margin_contrastive_loss(
            z, positives, margin=margin, hard_negatives=hard_negatives
        )
    return info_nce(z, positives, temperature, hard_negatives=hard_negatives)


class CoLES(nn.Module):
    """The CoLES objective around an event encoder with ``embed(EventBatch) -> (n, D)``
    or a signal encoder ``(n, C, L) -> (n, D, L')`` (max-pooled over observed steps).

    Args:
        encoder: e.g. ``EventSequenceEncoder`` or ``DilatedConvEncoder``.
        temperature: softmax temperature of the InfoNCE loss.
        projection_dim: 0 = contrast the encoder's embeddings directly; > 0 adds
            a linear projection used only by the loss.
        objective: "infonce" (default) or "margin" (the paper's margin loss).
        margin: the margin of ``objective="margin"``.
        hard_negatives: keep each slice's k hardest negatives (None: all).
    """

    def __init__(
        self,
        encoder: nn.Module,
        *,
        temperature: float = 0.1,
        projection_dim: int = 0,
        objective: str = "infonce",
        margin: float = 0.5,
        hard_negatives: int | None = None,
    ) -> None:
        super().__init__()
        if not temperature > 0:
            raise DataError(
                "CoLES temperature", f"expected a positive number, got {temperature}"
            )
        if objective not in OBJECTIVES:
            raise DataError(
                "CoLES objective", f"expected one of {OBJECTIVES}, got {objective!r}"
            )
        self.encoder = encoder
        self.temperature = temperature
        self.loss_options = {
            "objective": objective,
            "margin": margin,
            "hard_negatives": hard_negatives,
        }
        self.projection = (
            nn.Linear(encoder.out_dim, projection_dim)
            if projection_dim > 0
            else nn.Identity()
        )

    def embed(self, batch: EventBatch | SignalBatch) -> Tensor:
        """(n, D) slice embeddings before the projection."""
        if isinstance(batch, SignalBatch):
            return pool(self.encoder(batch.x), observed_steps(batch.x))  # (n, D)
        return self.encoder.embed(batch)

    def forward(
        self, batch: EventBatch | SignalBatch, generator: torch.Generator | None = None
    ) -> dict[str, Tensor]:
        """Loss over the slices of one batch; ``generator`` is unused (slices come drawn)."""
        if batch.index is None:
            raise DataError(
                "CoLES batch", "needs batch.index (the sequence of each slice)"
            )
        z = self.projection(self.embed(batch))  # (n, D)
        return {
            "loss": coles_loss(z, batch.index, self.temperature, **self.loss_options)
        }
