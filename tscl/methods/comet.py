"""COMET: hierarchical positives at the observation, sample, trial and patient levels.

Wang et al. 2023, "Contrast Everything", NeurIPS, https://arxiv.org/abs/2310.14017.
Views are two timestamp-masked (and slightly jittered) copies of each window,
time-aligned, so the observation level can contrast timestamps; batches come
from the grouped source (recipe default ``data.source=grouped``) so every
level has positives.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from torch import nn

from tscl.augment import Jitter, TimestampMask
from tscl.methods.contrastive import Contrastive
from tscl.pairs.base import PairStrategy
from tscl.pairs.hierarchical import HierarchicalPositives


def masked_views(p: float = 0.3) -> nn.Module:
    """COMET's timestamp masking, plus a small jitter so encoders without their own
    masking still see two different views."""
    return nn.Sequential(TimestampMask(p=p), Jitter(sigma=0.01))


class COMET(Contrastive):
    """Contrastive(pairs=hierarchical) on masked, time-aligned views.

    Args:
        weights: level weights (preset "equal" / "ptb", 4 numbers, or a mapping).
        temperature: softmax temperature of every level.
        augment, pairs, max_train_length, augment_every, augment_lr: as ``Contrastive``.
    """

    def __init__(
        self,
        encoder: nn.Module,
        *,
        weights: str | Sequence[float] | Mapping[str, float] = "equal",
        temperature: float = 0.1,
        augment: nn.Module | None = None,
        pairs: PairStrategy | None = None,
        max_train_length: int = 3000,
        augment_every: int = 1,
        augment_lr: float = 0.0,
    ) -> None:
        default = HierarchicalPositives(weights=weights, temperature=temperature)
        super().__init__(
            encoder,
            pairs=pairs if pairs is not None else default,
            augment=augment if augment is not None else masked_views(),
            max_train_length=max_train_length,
            augment_every=augment_every,
            augment_lr=augment_lr,
        )
