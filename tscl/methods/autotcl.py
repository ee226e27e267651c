"""AutoTCL: TS2Vec's crops and loss on views from a learned augmentation network.

Zheng et al. 2024, "Parametric Augmentation for Time Series Contrastive
Learning", ICLR, https://arxiv.org/abs/2402.10434. The augmentation network
(``tscl.augment.learned.LearnedAugmentation``) and the encoder have their own
optimizers and step in alternation (``tscl.methods.alternation``); the
encoder's objective is TS2Vec's instance + temporal (local) InfoNCE on the
learned views, or any ``pairs=`` strategy.
"""

from __future__ import annotations

from torch import nn

from tscl.augment.learned import LearnedAugmentation
from tscl.methods.ts2vec import TS2Vec
from tscl.pairs.base import PairStrategy


class AutoTCL(TS2Vec):
    """TS2Vec with ``augment=[learned]`` by default.

    Args:
        augment: the view pipeline; default one ``LearnedAugmentation``.
        augment_every: the augmentation network steps every this many steps.
        augment_lr: its learning rate (0 = the run's ``train.lr``).
        info_weight, keep_target, keep_weight: its objective's terms.
        alpha, temporal_unit, max_train_length, pairs: as ``TS2Vec``.
    """

    def __init__(
        self,
        encoder: nn.Module,
        *,
        augment: nn.Module | None = None,
        pairs: PairStrategy | None = None,
        alpha: float = 0.5,
        temporal_unit: int = 0,
        max_train_length: int = 3000,
        augment_every: int = 1,
        augment_lr: float = 0.0,
        info_weight: float = 1.0,
        keep_target: float = 0.8,
        keep_weight: float = 1.0,
    ) -> None:
        super().__init__(
            encoder,
            alpha=alpha,
            temporal_unit=temporal_unit,
            max_train_length=max_train_length,
            augment=augment
            if augment is not None
            else nn.Sequential(LearnedAugmentation()),
            pairs=pairs,
            augment_every=augment_every,
            augment_lr=augment_lr,
            info_weight=info_weight,
            keep_target=keep_target,
            keep_weight=keep_weight,
        )
