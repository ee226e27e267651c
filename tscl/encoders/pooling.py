"""Pooling of per-timestep representations over time."""

from __future__ import annotations

import torch
from torch import Tensor, nn


def max_pool_time(z: Tensor, mask: Tensor | None = None) -> Tensor:
    """Max over time of the valid steps. (B, D, T) -> (B, D).

    A step is valid where ``mask`` is True (all steps if None) and the value
    is not NaN. A (row, feature) with no valid step pools to 0, never to -inf
    or NaN.

    Args:
        z: representations, (B, D, T).
        mask: (B, T) bool, True for steps to pool over.
    """
    invalid = torch.isnan(z)  # (B, D, T)
    if mask is not None:
        invalid = invalid | ~mask.unsqueeze(1)  # (B, T) -> (B, 1, T)
    pooled = z.masked_fill(invalid, float("-inf")).amax(dim=-1)  # (B, D)
    return pooled.masked_fill(invalid.all(dim=-1), 0.0)


class MaxPoolTime(nn.Module):
    """Module form of :func:`max_pool_time`. (B, D, T) -> (B, D)."""

    def forward(self, z: Tensor, mask: Tensor | None = None) -> Tensor:
        return max_pool_time(z, mask)
