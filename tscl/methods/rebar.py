"""REBAR: the candidate that best reconstructs a masked anchor is its positive.

Xu et al. 2024, ICLR, https://arxiv.org/abs/2311.00519. Stage 1 (``prepare``,
before the first step) trains and checkpoints the cross-attention
reconstructor; stage 2 trains the encoder on retrieved positives
(``tscl.pairs.retrieval``). No augmentation by default: the positive is
another sample.
"""

from __future__ import annotations

from torch import nn

from tscl.methods.contrastive import Contrastive
from tscl.pairs.base import PairStrategy
from tscl.pairs.retrieval import RetrievalPositives


class REBAR(Contrastive):
    """Contrastive(pairs=retrieval).

    Args:
        num_candidates: K candidates scored per anchor.
        within_negatives: other candidates used as within-series negatives.
        temperature: softmax temperature of the InfoNCE terms.
        stage1_steps: steps of stage-1 training of the reconstructor.
        checkpoint: a saved stage-1 model to reuse (skips stage 1).
        augment, pairs, max_train_length, augment_every, augment_lr: as ``Contrastive``.
    """

    def __init__(
        self,
        encoder: nn.Module,
        *,
        num_candidates: int = 20,
        within_negatives: int = 3,
        temperature: float = 0.1,
        stage1_steps: int = 300,
        checkpoint: str = "",
        augment: nn.Module | None = None,
        pairs: PairStrategy | None = None,
        max_train_length: int = 3000,
        augment_every: int = 1,
        augment_lr: float = 0.0,
    ) -> None:
        default = RetrievalPositives(
            num_candidates=num_candidates,
            within_negatives=within_negatives,
            temperature=temperature,
            stage1_steps=stage1_steps,
            checkpoint=checkpoint,
        )
        super().__init__(
            encoder,
            pairs=pairs if pairs is not None else default,
            augment=augment,
            max_train_length=max_train_length,
            augment_every=augment_every,
            augment_lr=augment_lr,
        )
