"""Nearest-neighbour positives from a memory bank (NNCLR).

Dwibedi et al. 2021, "With a Little Help from My Friends: Nearest-Neighbor
Contrastive Learning of Visual Representations", https://arxiv.org/abs/2104.14548.
The miner swaps each anchor's embedding for its nearest neighbour (cosine) in
a queue of earlier embeddings; the loss is unchanged (InfoNCE with the other
view as the positive).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from tscl.errors import ConfigError
from tscl.losses.infonce import info_nce, view_positive_mask
from tscl.pairs.base import PairStrategy, pool
from tscl.types import SignalBatch


class NearestNeighbourMiner(nn.Module):
    """PositiveMiner: (B, D) embeddings -> (B, D) nearest bank entries (no gradient).

    The bank is a FIFO queue of ``bank_size`` L2-normalised embeddings, held as
    buffers so checkpoints carry it. Until it holds anything, the embeddings
    are returned as given.
    """

    def __init__(self, dim: int, bank_size: int = 4096) -> None:
        super().__init__()
        if bank_size < 1:
            raise ConfigError(f"pairs bank_size: expected >= 1, got {bank_size}")
        self.register_buffer("bank", torch.zeros(bank_size, dim))
        self.register_buffer("filled", torch.zeros((), dtype=torch.long))
        self.register_buffer("position", torch.zeros((), dtype=torch.long))

    @torch.no_grad()
    def forward(self, z: Tensor) -> Tensor:
        filled = int(self.filled)
        if filled == 0:
            return z.detach()
        bank = self.bank[:filled]  # (M, D)
        nearest = (F.normalize(z.detach(), dim=1) @ bank.T).argmax(dim=1)  # (B,)
        return bank[nearest].to(z.dtype)

    @torch.no_grad()
    def update(self, z: Tensor) -> None:
        """Enqueues (B, D) embeddings, overwriting the oldest."""
        size = self.bank.shape[0]
        rows = F.normalize(z.detach().float(), dim=1)[-size:]
        slots = (
            int(self.position) + torch.arange(len(rows), device=rows.device)
        ) % size
        self.bank[slots] = rows
        self.position.fill_((int(self.position) + len(rows)) % size)
        self.filled.fill_(min(size, int(self.filled) + len(rows)))


class NearestNeighbourPositives(PairStrategy):
    """Symmetric InfoNCE between NN(view a) and view b, and NN(view b) and view a.

    Args:
        bank_size: queue length of the memory bank.
        temperature: softmax temperature of the InfoNCE core.
    """

    def __init__(self, bank_size: int = 4096, temperature: float = 0.1) -> None:
        super().__init__()
        self.bank_size, self.temperature = bank_size, temperature
        self.miner: NearestNeighbourMiner | None = None

    def setup(self, out_dim: int) -> None:
        self.miner = NearestNeighbourMiner(out_dim, self.bank_size)

    def forward(
        self,
        z_a: Tensor,
        z_b: Tensor | None,
        batch: SignalBatch,
        *,
        steps: Tensor | None = None,
        z_extra: Tensor | None = None,
    ) -> dict[str, Tensor]:
        """(B, D, T') views -> {"loss"}; enqueues view a while training."""
        assert z_b is not None
        if self.miner is None:
            raise ConfigError(
                "nearest pairs: setup(out_dim) was not called by the method"
            )
        p_a, p_b = pool(z_a, steps), pool(z_b, steps)  # (B, D) each
        rows = torch.arange(p_a.shape[0], device=p_a.device)
        mask = view_positive_mask(rows, 2)
        loss_a = info_nce(torch.cat([self.miner(p_a), p_b]), mask, self.temperature)
        loss_b = info_nce(torch.cat([self.miner(p_b), p_a]), mask, self.temperature)
        if self.training:
            self.miner.update(p_a)
        return {"loss": (loss_a + loss_b) / 2}
