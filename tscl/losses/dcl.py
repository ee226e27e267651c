"""Decoupled contrastive loss (DCL): InfoNCE without the positive in the denominator.

Paper: Yeh et al. 2022, "Decoupled Contrastive Learning"
(https://arxiv.org/abs/2110.06848).
"""

from __future__ import annotations

from tscl.losses.infonce import InfoNCELoss


class DCLLoss(InfoNCELoss):
    """NT-Xent whose denominator holds negatives only.

    ``DCLLoss(temperature)(z_a, z_b, groups=None)``: z_a, z_b (B, D); for anchor
    i with positive p, loss_i = -s_ip/t + log sum_{k negative} exp(s_ik/t).
    With ``groups`` ((B,) ids), samples sharing a group are extra positives and
    are removed from the denominator too. Returns a scalar.
    """

    def __init__(self, temperature: float = 0.1) -> None:
        super().__init__(
            temperature=temperature, exclude_positives_from_denominator=True
        )
