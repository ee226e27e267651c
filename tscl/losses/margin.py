"""Pairwise-distance margin loss with hard-negative selection (CoLES's original objective).

Babaev et al. 2022, "CoLES", https://arxiv.org/abs/2002.08232, section 3.2:
positive pairs are pulled together (squared distance), each anchor's ``k``
nearest negatives are pushed beyond a margin (squared hinge). pytorch-lifestream
(``ContrastiveLoss`` + ``HardNegativePairSelector``) forms an (n, n, d)
difference tensor to get the distances; here every pairwise distance comes from
one (n, d) x (d, n) matrix product: |a - b|^2 = |a|^2 + |b|^2 - 2 a.b.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from tscl.errors import DataError
from tscl.losses.infonce import hardest, pair_ids, view_positive_mask

DISTANCE_EPS = 1e-12  # keeps sqrt differentiable where two rows coincide


def pairwise_sq_distances(z: Tensor) -> Tensor:
    """(n, d) -> (n, n) squared Euclidean distances from one matrix product (>= 0)."""
    norms = (z * z).sum(dim=-1)  # (n,)
    gram = z @ z.transpose(-1, -2)  # (n, n)
    return (norms[:, None] + norms[None, :] - 2 * gram).clamp(min=0)


def margin_contrastive_loss(
    z: Tensor,
    positive_mask: Tensor,
    *,
    margin: float = 0.5,
    hard_negatives: int | None = 5,
    normalize: bool = True,
) -> Tensor:
    """Contrastive margin loss over all positive pairs and each anchor's hard negatives.

    With d_ij = |z_i - z_j| (rows L2-normalised when ``normalize``), P the
    positive pairs (i < j, ``positive_mask``) and N the (anchor, negative)
    pairs, each anchor's ``hard_negatives`` nearest negatives (all when None)::

        loss = (sum_{(i,j) in P} d_ij^2 + sum_{(i,j) in N} max(0, margin - d_ij)^2) / (|P| + |N|)

    Args:
        z: (n, d) embeddings.
        positive_mask: (n, n) bool, True where row j is a positive of row i
            (symmetric; the diagonal is ignored).

    Returns:
        The scalar loss.
    """
    n = z.shape[0]
    if z.ndim != 2 or positive_mask.shape != (n, n):
        raise DataError(
            "margin loss",
            f"expected z (n, d) and a mask (n, n), got {tuple(z.shape)} and {tuple(positive_mask.shape)}",
        )
    z = F.normalize(z, dim=-1) if normalize else z
    squared = pairwise_sq_distances(z)  # (n, n)
    off_diagonal = ~torch.eye(n, dtype=torch.bool, device=z.device)
    positives = positive_mask.bool() & off_diagonal
    negatives = ~positive_mask.bool() & off_diagonal
    if hard_negatives is not None:  # the nearest negatives: highest -distance
        negatives = hardest(-squared, negatives, hard_negatives)
    upper = torch.ones_like(positives).triu(diagonal=1)
    pairs = positives & upper  # each unordered positive pair once
    if not bool(pairs.any()):
        raise DataError("margin loss", "no two rows are positives of each other")
    distance = (squared + DISTANCE_EPS).sqrt()
    positive_terms = squared[pairs]
    negative_terms = F.relu(margin - distance[negatives]).pow(2)
    total = positive_terms.sum() + negative_terms.sum()
    return total / (positive_terms.numel() + negative_terms.numel())


class MarginContrastiveLoss(nn.Module):
    """Two-view margin loss (PairLoss protocol): row i of z_a and z_b are positives."""

    def __init__(
        self,
        margin: float = 0.5,
        hard_negatives: int | None = 5,
        normalize: bool = True,
    ) -> None:
        super().__init__()
        self.margin, self.hard_negatives, self.normalize = (
            margin,
            hard_negatives,
            normalize,
        )

    def forward(self, z_a: Tensor, z_b: Tensor, groups: Tensor | None = None) -> Tensor:
        """(B, D), (B, D), optional (B,) group ids -> scalar."""
        ids = pair_ids(z_a, z_b, groups)
        return margin_contrastive_loss(
            torch.cat([z_a, z_b], dim=0),  # 2 x (B, D) -> (2B, D), view-major
            view_positive_mask(ids, num_views=2),
            margin=self.margin,
            hard_negatives=self.hard_negatives,
            normalize=self.normalize,
        )
