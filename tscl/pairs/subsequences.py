"""Subsequence positives (CoLES): random slices of one window or sequence are positives.

Babaev et al. 2022, "CoLES", https://arxiv.org/abs/2002.08232. The slices are
drawn on the data side (``data.source=slices``: ``SignalSliceSource`` for
signals, ``EventSliceSource`` for events), each row carrying the data-set row
it came from in ``batch.index``; rows with equal index are positives.
"""

from __future__ import annotations

from torch import Tensor

from tscl.errors import DataError
from tscl.losses.infonce import info_nce
from tscl.pairs.base import InfoNCEPairs, pool
from tscl.pairs.masks import equal_id_mask
from tscl.types import SignalBatch


class SlicePositives(InfoNCEPairs):
    """Multi-positive InfoNCE over one view of the slices, grouped by ``batch.index``."""

    num_views = 1

    def forward(
        self,
        z_a: Tensor,
        z_b: Tensor | None,
        batch: SignalBatch,
        *,
        steps: Tensor | None = None,
        z_extra: Tensor | None = None,
    ) -> dict[str, Tensor]:
        """(n, D, T') slice embeddings and batch.index (n,) -> {"loss"}."""
        if batch.index is None:
            raise DataError("slices pairs", "needs batch.index (the row of each slice)")
        z = pool(z_a, steps)  # (n, D)
        try:
            loss = info_nce(
                z, equal_id_mask(batch.index.to(z.device)), self.temperature
            )
        except DataError as err:
            raise DataError(
                "slices pairs",
                "no two rows of the batch share a source row; draw batches with data.source=slices",
            ) from err
        return {"loss": loss}
