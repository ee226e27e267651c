"""NT-Xent, the SimCLR loss.

Paper: Chen et al. 2020, "A Simple Framework for Contrastive Learning of Visual
Representations" (https://arxiv.org/abs/2002.05709).
"""

from __future__ import annotations

from tscl.losses.infonce import InfoNCELoss


class NTXentLoss(InfoNCELoss):
    """Normalised temperature-scaled cross entropy over 2B views.

    ``NTXentLoss(temperature)(z_a, z_b, groups=None)``: z_a, z_b (B, D), row i of
    each is a positive pair; the other 2B - 2 rows are negatives. With
    ``groups`` ((B,) ids), samples sharing a group are extra positives.
    Returns a scalar.
    """

    def __init__(self, temperature: float = 0.5) -> None:
        super().__init__(temperature=temperature)
