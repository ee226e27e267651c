"""Supervised positives (SupCon): rows with the same label are positives.

Khosla et al. 2020, "Supervised Contrastive Learning",
https://arxiv.org/abs/2004.11362 (the L_out form, through the InfoNCE core).
"""

from __future__ import annotations

import torch
from torch import Tensor

from tscl.errors import DataError
from tscl.losses.infonce import info_nce, view_positive_mask
from tscl.pairs.base import InfoNCEPairs, pool
from tscl.pairs.masks import supervised_ids
from tscl.types import SignalBatch


class SupervisedPositives(InfoNCEPairs):
    """Every view of every row with the same label is a positive; unlabelled rows
    (y < 0) keep only their own other view.

    """

    def forward(
        self,
        z_a: Tensor,
        z_b: Tensor | None,
        batch: SignalBatch,
        *,
        steps: Tensor | None = None,
        z_extra: Tensor | None = None,
    ) -> dict[str, Tensor]:
        """(B, D, T') views and batch.y (B,) -> {"loss"}."""
        if batch.y is None:
            raise DataError("supervised pairs", "the batch has no labels (batch.y)")
        assert z_b is not None
        z = torch.cat([pool(z_a, steps), pool(z_b, steps)])  # (2B, D)
        ids = supervised_ids(batch.y.to(z.device))
        return {"loss": info_nce(z, view_positive_mask(ids, 2), self.temperature)}
