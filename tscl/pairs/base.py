"""What every pair strategy shares: the model-side half of choosing positives.

A method encodes two views of each batch row (or one view, for slices drawn by
the batch source) into time-resolved embeddings ``z_a``, ``z_b`` (B, D, T').
A ``PairStrategy`` says which rows (and timestamps) are positives, builds the
positive masks with tensor operations on the embeddings' device, and hands
embeddings and masks to the InfoNCE core; it never reads files or knows a
domain. Strategies that choose a different sample as the positive (retrieval)
also say what the second view is made from (``partner``).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from tscl.encoders.pooling import max_pool_time
from tscl.types import SignalBatch


def observed_steps(x: Tensor) -> Tensor:
    """(B, C, T) signals -> (B, T) bool, True where any channel was observed."""
    return ~torch.isnan(x).all(dim=1)


def pool(z: Tensor, steps: Tensor | None) -> Tensor:
    """Max over the observed steps: (B, D, T') -> (B, D).

    ``steps`` (B, T) masks padded steps (NaN-padded slices) when the encoder
    keeps the input's length; encoders that shorten time (patches) pool all.
    """
    if steps is not None and steps.shape[-1] == z.shape[-1]:
        return max_pool_time(z, steps)
    return max_pool_time(z)


class PairStrategy(nn.Module):
    """Base of the model-side pair strategies (``tscl.pairs.PAIRS``).

    Attributes:
        num_views: 2 = the method encodes two views of each row; 1 = the rows
            themselves are grouped into positives (slices of one window).
        makes_partner: True when the second view comes from another sample
            (``partner``); such a strategy needs a method that asks for it.
    """

    num_views: int = 2
    makes_partner: bool = False

    def setup(self, out_dim: int) -> None:
        """Called once by the method with the encoder's output width (for memory banks)."""

    def prepare(self, context: Any) -> None:
        """What must be built before the first step (a stage-1 model): nothing by default."""

    def partner(
        self, x: Tensor, batch: SignalBatch, generator: torch.Generator
    ) -> tuple[Tensor, Tensor | None]:
        """What the second view is made from, and extra rows to encode.

        Returns ``x`` itself (two views of each sample) and no extra rows.
        Retrieval returns the retrieved positives (B, C, T) and within-series
        negatives (B, m, C, T).
        """
        return x, None

    def forward(
        self,
        z_a: Tensor,
        z_b: Tensor | None,
        batch: SignalBatch,
        *,
        steps: Tensor | None = None,
        z_extra: Tensor | None = None,
    ) -> dict[str, Tensor]:
        """Loss terms ("loss" is the total) from (B, D, T') views of the batch rows."""
        raise NotImplementedError


class InfoNCEPairs(PairStrategy):
    """A strategy whose terms are InfoNCE at one temperature.

    Args:
        temperature: softmax temperature of the InfoNCE core.
    """

    def __init__(self, temperature: float = 0.1) -> None:
        super().__init__()
        self.temperature = temperature
