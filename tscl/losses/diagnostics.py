"""Alignment and uniformity of embeddings on the unit hypersphere.

Paper: Wang & Isola 2020, "Understanding Contrastive Representation Learning
through Alignment and Uniformity on the Hypersphere"
(https://arxiv.org/abs/2005.10242). Both inputs are L2-normalised first, as
the metrics are defined on the sphere. Lower is better for both.
"""

from __future__ import annotations

import math

import torch.nn.functional as F
from torch import Tensor

from tscl.errors import DataError


def alignment(z_a: Tensor, z_b: Tensor, alpha: float = 2) -> Tensor:
    """Mean distance between positive pairs: E ||f(x) - f(y)||_2^alpha.

    Args:
        z_a: (B, D) embeddings; row i is a positive of row i of ``z_b``.
        z_b: (B, D) embeddings.
        alpha: exponent on the distance.

    Returns:
        Scalar in [0, 2^alpha].
    """
    if z_a.ndim != 2 or z_a.shape != z_b.shape:
        raise DataError(
            "alignment input",
            f"expected z_a, z_b of equal shape (B, D), got {tuple(z_a.shape)} and {tuple(z_b.shape)}",
        )
    distance = (F.normalize(z_a, dim=1) - F.normalize(z_b, dim=1)).norm(dim=1)  # (B,)
    return distance.pow(alpha).mean()


def uniformity(z: Tensor, t: float = 2) -> Tensor:
    """Log of the mean Gaussian potential over all pairs: log E exp(-t ||z_i - z_j||^2).

    Args:
        z: (N, D) embeddings, N >= 2; every unordered pair i < j is used.
        t: the potential's scale.

    Returns:
        Scalar in [-4t, 0]; lower means more uniform.
    """
    if z.ndim != 2 or z.shape[0] < 2:
        raise DataError(
            "uniformity input",
            f"expected (N, D) embeddings with N >= 2, got shape {tuple(z.shape)}",
        )
    squared = F.pdist(F.normalize(z, dim=1)).pow(2)  # (N*(N-1)/2,)
    # log-mean-exp, computed stably.
    return (-t * squared).logsumexp(dim=0) - math.log(squared.numel())
