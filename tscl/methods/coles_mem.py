"""CoLES + masked event modelling: the joint sum, and the hybrid that aligns the two embeddings.

The event-sequence self-supervision literature (MLEM, Moskvoretskii et al.
2024, https://arxiv.org/abs/2401.15935) finds that neither contrastive nor
generative pretraining wins everywhere, that their naive sum underperforms,
and that aligning the two embeddings works best. Both run here on one
encoder over a batch of CoLES slices (``data.source=slices``):

* the contrastive embedding of a slice is the encoder's embedding of the
  slice as it is (CoLES loss over slices of one sequence, ``tscl.methods.coles``);
* the generative embedding is its embedding with events hidden, from which the
  masked-event heads predict what was hidden (``tscl.methods.masked_events``).

``align=False`` (recipe ``coles_mem``) sums the two losses. ``align=True``
adds a contrastive term over both embeddings stacked as two views: every
embedding, clean or masked, of any slice of the same sequence is a positive,
every other one a negative, so the generative embedding is pulled onto the
contrastive one of its sequence (the hybrid).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from tscl.errors import DataError
from tscl.losses.infonce import info_nce
from tscl.methods.coles import coles_loss, slice_positive_mask
from tscl.methods.masked_events import MaskedEventModel
from tscl.types import EventBatch


class CoLESMaskedEvents(nn.Module):
    """CoLES and masked event modelling on one event encoder.

    Args:
        encoder: an ``EventSequenceEncoder``.
        temperature: of the contrastive (and alignment) InfoNCE.
        mask_rate, mask_mode, numeric_weight: as in ``MaskedEventModel``.
        generative_weight: weight of the masked-event loss.
        align: add the alignment term (the hybrid).
        align_weight: its weight.
        hard_negatives: keep each row's k hardest negatives (None: all).
    """

    def __init__(
        self,
        encoder: nn.Module,
        *,
        temperature: float = 0.1,
        mask_rate: float = 0.15,
        mask_mode: str = "events",
        numeric_weight: float = 1.0,
        generative_weight: float = 1.0,
        align: bool = False,
        align_weight: float = 1.0,
        hard_negatives: int | None = None,
    ) -> None:
        super().__init__()
        if not temperature > 0:
            raise DataError(
                "coles_mem temperature",
                f"expected a positive number, got {temperature}",
            )
        self.encoder = encoder
        self.generative = MaskedEventModel(
            encoder,
            mask_rate=mask_rate,
            mask_mode=mask_mode,
            numeric_weight=numeric_weight,
        )
        self.temperature = temperature
        self.generative_weight, self.align, self.align_weight = (
            generative_weight,
            align,
            align_weight,
        )
        self.hard_negatives = hard_negatives

    def forward(
        self, batch: EventBatch, generator: torch.Generator | None = None
    ) -> dict[str, Tensor]:
        """{"loss", "contrastive", "generative", ["align"], "mem_<field>"...} of one slice batch."""
        if batch.index is None:
            raise DataError(
                "coles_mem batch",
                "needs batch.index (the sequence of each slice); use data.source=slices",
            )
        index = batch.index.to(batch.device)
        z_clean = self.encoder.embed(batch)  # (n, D)
        contrastive = coles_loss(
            z_clean, index, self.temperature, hard_negatives=self.hard_negatives
        )
        _, z_masked, generative = self.generative.encode_masked(batch, generator)
        terms = {k: v for k, v in generative.items() if k != "loss"}
        loss = contrastive + self.generative_weight * generative["loss"]
        terms.update(contrastive=contrastive, generative=generative["loss"])
        if self.align:
            both = torch.cat([z_clean, z_masked], dim=0)  # 2 x (n, D) -> (2n, D)
            positives = slice_positive_mask(index.repeat(2))  # any view, same sequence
            aligned = info_nce(
                both, positives, self.temperature, hard_negatives=self.hard_negatives
            )
            loss = loss + self.align_weight * aligned
            terms["align"] = aligned
        return {"loss": loss, **terms}
