"""SimCLR: two augmented views of each window are positives (NT-Xent through the InfoNCE core).

Chen et al. 2020, https://arxiv.org/abs/2002.05709, with time-series
augmentations (jitter and scaling by default, as TS-TCC's weak view).
"""

from __future__ import annotations

from torch import nn

from tscl.augment import Jitter, Scaling
from tscl.methods.contrastive import Contrastive
from tscl.pairs.base import PairStrategy
from tscl.pairs.two_views import ViewPositives


def default_views() -> nn.Module:
    """Jitter then scaling: the fixed augmentation of the view-based recipes."""
    return nn.Sequential(Jitter(), Scaling())


class SimCLR(Contrastive):
    """Contrastive(pairs=views) with jitter + scaling views unless told otherwise.

    Subclasses change the default positives through ``default_pairs``.

    Args:
        temperature: softmax temperature of the InfoNCE core.
        augment, pairs, max_train_length, augment_every, augment_lr: as ``Contrastive``.
    """

    default_pairs: type[PairStrategy] = ViewPositives

    def __init__(
        self,
        encoder: nn.Module,
        *,
        temperature: float = 0.1,
        augment: nn.Module | None = None,
        pairs: PairStrategy | None = None,
        max_train_length: int = 3000,
        augment_every: int = 1,
        augment_lr: float = 0.0,
    ) -> None:
        super().__init__(
            encoder,
            pairs=pairs
            if pairs is not None
            else ViewPositives(temperature=temperature),
            augment=augment if augment is not None else default_views(),
            max_train_length=max_train_length,
            augment_every=augment_every,
            augment_lr=augment_lr,
        )
