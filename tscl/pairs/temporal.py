"""Same sample and same timestamp are positives, at every time scale (TS2Vec's loss).

Yue et al. 2022, "TS2Vec", https://arxiv.org/abs/2106.10466: instance-wise plus
temporal contrast after each max-pool over time. The views must be aligned in
time (the same input step at each position).
"""

from __future__ import annotations

from torch import Tensor

from tscl.losses.hierarchical import TS2VecLoss
from tscl.pairs.base import PairStrategy
from tscl.types import SignalBatch


class TemporalPositives(PairStrategy):
    """TS2Vec's hierarchical instance + temporal loss on the two time-aligned views.

    Args:
        alpha: weight of the instance term against the temporal term.
        temporal_unit: pooling levels below which the temporal term is skipped.
    """

    def __init__(self, alpha: float = 0.5, temporal_unit: int = 0) -> None:
        super().__init__()
        self.loss = TS2VecLoss(alpha=alpha, temporal_unit=temporal_unit)

    def forward(
        self,
        z_a: Tensor,
        z_b: Tensor | None,
        batch: SignalBatch,
        *,
        steps: Tensor | None = None,
        z_extra: Tensor | None = None,
    ) -> dict[str, Tensor]:
        """(B, D, T) aligned views -> {"loss"} (padded steps are zeros, as TS2Vec)."""
        assert z_b is not None
        return {"loss": self.loss(z_a.nan_to_num(0.0), z_b.nan_to_num(0.0))}
