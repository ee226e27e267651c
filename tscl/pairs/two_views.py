"""Two views of one sample are positives (SimCLR, NT-Xent form).

Chen et al. 2020, "A Simple Framework for Contrastive Learning of Visual
Representations", https://arxiv.org/abs/2002.05709.
"""

from __future__ import annotations

import torch
from torch import Tensor

from tscl.losses.infonce import info_nce, view_positive_mask
from tscl.pairs.base import InfoNCEPairs, pool
from tscl.types import SignalBatch


class ViewPositives(InfoNCEPairs):
    """Instance InfoNCE over the 2B pooled views: the other view of a row is its positive."""

    def forward(
        self,
        z_a: Tensor,
        z_b: Tensor | None,
        batch: SignalBatch,
        *,
        steps: Tensor | None = None,
        z_extra: Tensor | None = None,
    ) -> dict[str, Tensor]:
        """(B, D, T') views -> {"loss"}."""
        assert z_b is not None
        z = torch.cat([pool(z_a, steps), pool(z_b, steps)])  # (2B, D)
        rows = torch.arange(z_a.shape[0], device=z.device)
        return {"loss": info_nce(z, view_positive_mask(rows, 2), self.temperature)}
