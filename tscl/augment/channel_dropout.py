"""Random dropout of whole channels (sensor failure / missing lead)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from tscl.augment.batch_checks import check_range, check_signal_batch
from tscl.augment.random_source import RandomSource


class ChannelDropout(nn.Module):
    """Zeroes each channel of each sample with probability ``p``.

    At least one channel per sample is always kept (a random one is restored
    when all would drop), so single-channel input passes unchanged. NaN gaps
    stay NaN. No rescaling. (B, C, T) -> (B, C, T).

    Args:
        p: probability that a channel is dropped.
        seed: optional seed of a private generator (else the global torch RNG).
    """

    def __init__(self, p: float = 0.1, seed: int | None = None) -> None:
        super().__init__()
        check_range(p, "ChannelDropout.p", 0.0, 1.0)
        self.p = p
        self.random = RandomSource(seed)

    def forward(self, x: Tensor) -> Tensor:
        """(B, C, T) -> (B, C, T)."""
        check_signal_batch(x, "ChannelDropout")
        batch_size, num_channels, _ = x.shape
        shape = (batch_size, num_channels)
        keep = self.random.uniform(shape, x.device) >= self.p  # (B, C)
        # A sample that would lose every channel keeps one random channel.
        rescued = self.random.uniform(shape, x.device).argmax(dim=1)  # (B,)
        none_kept = ~keep.any(dim=1, keepdim=True)  # (B, 1)
        rescue = F.one_hot(rescued, num_channels).bool() & none_kept  # (B, C)
        keep = (keep | rescue).unsqueeze(-1)  # (B, C) -> (B, C, 1)
        return torch.where(keep | x.isnan(), x, torch.zeros_like(x))
