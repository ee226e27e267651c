"""NNCLR: the nearest neighbour of a view in a memory bank is its positive.

Dwibedi et al. 2021, https://arxiv.org/abs/2104.14548; the miner is
``tscl.pairs.nearest.NearestNeighbourMiner``.
"""

from __future__ import annotations

from torch import nn

from tscl.methods.contrastive import Contrastive
from tscl.methods.simclr import default_views
from tscl.pairs.base import PairStrategy
from tscl.pairs.nearest import NearestNeighbourPositives


class NNCLR(Contrastive):
    """Contrastive(pairs=nearest) with jitter + scaling views.

    Args:
        bank_size: memory-bank queue length.
        temperature: softmax temperature of the InfoNCE core.
        augment, pairs, max_train_length, augment_every, augment_lr: as ``Contrastive``.
    """

    def __init__(
        self,
        encoder: nn.Module,
        *,
        bank_size: int = 4096,
        temperature: float = 0.1,
        augment: nn.Module | None = None,
        pairs: PairStrategy | None = None,
        max_train_length: int = 3000,
        augment_every: int = 1,
        augment_lr: float = 0.0,
    ) -> None:
        default = NearestNeighbourPositives(
            bank_size=bank_size, temperature=temperature
        )
        super().__init__(
            encoder,
            pairs=pairs if pairs is not None else default,
            augment=augment if augment is not None else default_views(),
            max_train_length=max_train_length,
            augment_every=augment_every,
            augment_lr=augment_lr,
        )
