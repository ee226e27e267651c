"""Reading a batch of series at fractional time positions (linear, NaN-aware)."""

from __future__ import annotations

import torch
from torch import Tensor


def _interpolate(x: Tensor, positions: Tensor) -> Tensor:
    """Linear interpolation without NaN handling.

    Written as few, mostly in-place steps: on CPU, allocating large temporaries
    costs as much as the arithmetic.

    Args:
        x: (B, C, T) signals, T >= 2.
        positions: (B, T') positions, same dtype as ``x``; outside [0, T - 1]
            they read the ends.

    Returns:
        (B, C, T') values.
    """
    num_channels, length = x.shape[1], x.shape[2]
    weight = positions.clamp(0, length - 1)  # (B, T')
    left = weight.long().clamp_(max=length - 2)  # (B, T'); truncation == floor here
    weight = weight.sub_(left).unsqueeze(1)  # (B, T') -> (B, 1, T')
    index = left.unsqueeze(1).expand(-1, num_channels, -1)  # (B, T') -> (B, C, T')
    x_left = x.gather(-1, index)  # (B, C, T')
    x_right = x[..., 1:].gather(-1, index)  # (B, C, T'): the sample after x_left
    return x_left.lerp_(x_right, weight)


def _interpolate_with_gaps(x: Tensor, positions: Tensor, missing: Tensor) -> Tensor:
    """Interpolates observed values and the missing-indicator side by side.

    With weight w of the missing neighbours, the observed ones carry 1 - w, so
    (interpolated observed values) / (1 - w) is their weighted mean.
    """
    num_channels = x.shape[1]
    observed = torch.where(missing, torch.zeros_like(x), x)
    stacked = torch.cat([observed, missing.to(x.dtype)], dim=1)  # (B, 2C, T)
    sampled = _interpolate(stacked, positions)  # (B, 2C, T')
    value, missing_weight = sampled[:, :num_channels], sampled[:, num_channels:]
    value = value / (1 - missing_weight)
    return value.masked_fill_(missing_weight > 0.5, float("nan"))


def resample(x: Tensor, positions: Tensor) -> Tensor:
    """Linear interpolation of each series at its own fractional positions.

    NaN gaps move with the data and never leak into observed values: an output
    is NaN exactly when the missing neighbours outweigh the observed ones
    (missing weight > 0.5, i.e. the nearest sample is missing); otherwise it is
    the weighted mean of the observed neighbours. One host sync (whether ``x``
    has any NaN) picks the faster gap-free path.

    Args:
        x: (B, C, T) signals.
        positions: (B, T') positions in [0, T - 1] (clamped), one row per sample,
            shared by its channels.

    Returns:
        (B, C, T') resampled signals, dtype of ``x``.
    """
    batch_size, num_channels, length = x.shape
    if length == 1:
        return x.expand(batch_size, num_channels, positions.shape[1]).clone()
    # Interpolation weights need float32 / float64; half precision is upcast.
    work = x if x.dtype in (torch.float32, torch.float64) else x.float()
    positions = positions.to(work.dtype)
    # A NaN anywhere makes the sum NaN: a cheap reduction instead of a full mask.
    if bool(work.sum().isnan()):
        return _interpolate_with_gaps(work, positions, work.isnan()).to(x.dtype)
    return _interpolate(work, positions).to(x.dtype)
