"""Contrastive losses (PairLoss protocol: ``loss(z_a, z_b, groups=None) -> scalar``)
and embedding diagnostics."""

from __future__ import annotations

from tscl.losses.dcl import DCLLoss
from tscl.losses.diagnostics import alignment, uniformity
from tscl.losses.hierarchical import TS2VecLoss, hierarchical_contrastive_loss
from tscl.losses.infonce import InfoNCELoss, info_nce
from tscl.losses.margin import MarginContrastiveLoss, margin_contrastive_loss
from tscl.losses.multiview import MultiViewInfoNCELoss
from tscl.losses.ntxent import NTXentLoss
from tscl.losses.supcon import SupConLoss

LOSSES = {
    "infonce": InfoNCELoss,
    "ntxent": NTXentLoss,
    "supcon": SupConLoss,
    "dcl": DCLLoss,
    "ts2vec": TS2VecLoss,
    "multiview": MultiViewInfoNCELoss,
    "margin": MarginContrastiveLoss,
}

__all__ = [
    "LOSSES",
    "DCLLoss",
    "InfoNCELoss",
    "MarginContrastiveLoss",
    "MultiViewInfoNCELoss",
    "NTXentLoss",
    "SupConLoss",
    "TS2VecLoss",
    "alignment",
    "hierarchical_contrastive_loss",
    "info_nce",
    "margin_contrastive_loss",
    "uniformity",
]
