"""Shifting each sample in time by its own number of steps (circularly, or padding with NaN)."""

from __future__ import annotations

import torch
from torch import Tensor


def shift_in_time(x: Tensor, shift: Tensor, *, pad_nan: bool = False) -> Tensor:
    """Output step t of sample b is input step t - shift[b].

    Args:
        x: (B, C, T) signals.
        shift: (B,) integer shifts (positive: later in time).
        pad_nan: mark the steps shifted in as not observed (NaN) instead of
            wrapping the steps that leave one end round to the other.

    Returns:
        (B, C, T).
    """
    batch, channels, length = x.shape
    source = torch.arange(length, device=x.device)[None, :] - shift[:, None]  # (B, T)
    index = source.remainder(length)[:, None, :].expand(batch, channels, length)
    shifted = x.gather(2, index)
    if pad_nan:
        inside = (source >= 0) & (source < length)
        shifted = shifted.masked_fill(~inside[:, None, :], float("nan"))
    return shifted
