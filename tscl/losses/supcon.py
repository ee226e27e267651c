"""Supervised contrastive loss (SupCon): positives are the samples with the same label.

Paper: Khosla et al. 2020, "Supervised Contrastive Learning"
(https://arxiv.org/abs/2004.11362), the "L_out" form.
"""

from __future__ import annotations

from torch import Tensor

from tscl.errors import DataError
from tscl.losses.infonce import InfoNCELoss, view_positive_mask


class SupConLoss(InfoNCELoss):
    """Multi-positive InfoNCE where equal labels (or groups) are positives.

    Two call forms:

    - ``SupConLoss()(z, labels)``: z (N, D), labels (N,); one view per sample,
      every other sample with the same label is a positive.
    - ``SupConLoss()(z_a, z_b, groups)``: two views (B, D); the other view and
      every view of a sample in the same group are positives (PairLoss
      protocol). Without ``groups`` this is NT-Xent at this temperature.

    Returns a scalar. Anchors without any positive are ignored.
    """

    def __init__(self, temperature: float = 0.1) -> None:
        super().__init__(temperature=temperature)

    def forward(self, z_a: Tensor, z_b: Tensor, groups: Tensor | None = None) -> Tensor:
        """z (N, D) with labels (N,), or z_a, z_b (B, D) with optional groups (B,)."""
        if z_b.ndim == 1:
            if groups is not None:
                raise DataError(
                    "SupConLoss input",
                    "pass either (z, labels) or (z_a, z_b, groups), not labels and groups",
                )
            return self.forward_labels(z_a, labels=z_b)
        return super().forward(z_a, z_b, groups)

    def forward_labels(self, z: Tensor, labels: Tensor) -> Tensor:
        """Single-view SupCon: z (N, D), labels (N,) -> scalar."""
        if labels.shape != (z.shape[0],):
            raise DataError(
                "SupConLoss labels",
                f"expected shape ({z.shape[0]},), got {tuple(labels.shape)}",
            )
        return self.forward_mask(
            z, view_positive_mask(labels.to(z.device), num_views=1)
        )
