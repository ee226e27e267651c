"""Magnitude warping: multiply by a smooth random curve.

Um et al. 2017 (https://arxiv.org/abs/1706.00527), with a monotone cubic
(PCHIP) curve through the knots instead of a natural spline, so the curve
never overshoots its knots.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from tscl.augment.batch_checks import check_range, check_signal_batch
from tscl.augment.pchip import pchip_interpolate
from tscl.augment.random_source import RandomSource


class MagnitudeWarp(nn.Module):
    """Multiplies each channel by a smooth curve through ``knots + 2`` random knots.

    Knot values ~ N(1, sigma), drawn per sample and channel at equally spaced
    times (both ends included). (B, C, T) -> (B, C, T); NaN gaps stay NaN.

    Args:
        sigma: standard deviation of the knot values.
        knots: number of interior knots.
        prob: probability that a sample is augmented.
        seed: optional seed of a private generator (else the global torch RNG).
    """

    def __init__(
        self,
        sigma: float = 0.2,
        knots: int = 4,
        prob: float = 1.0,
        seed: int | None = None,
    ) -> None:
        super().__init__()
        check_range(sigma, "MagnitudeWarp.sigma", 0.0, float("inf"))
        check_range(knots, "MagnitudeWarp.knots", 0, 10_000)
        check_range(prob, "MagnitudeWarp.prob", 0.0, 1.0)
        self.sigma, self.knots, self.prob = sigma, int(knots), prob
        self.random = RandomSource(seed)

    def forward(self, x: Tensor) -> Tensor:
        """(B, C, T) -> (B, C, T)."""
        check_signal_batch(x, "MagnitudeWarp", min_length=2)
        batch_size, num_channels, length = x.shape
        num_knots = self.knots + 2
        dtype = torch.float64 if x.dtype == torch.float64 else torch.float32
        values = 1 + self.sigma * self.random.normal(
            (batch_size * num_channels, num_knots), x.device
        ).to(dtype)
        # (K,)
        knot_times = torch.linspace(
            0, length - 1, num_knots, device=x.device, dtype=dtype
        )
        times = torch.arange(length, device=x.device, dtype=knot_times.dtype)  # (T,)
        curve = pchip_interpolate(knot_times, values, times)  # (B*C, T)
        curve = curve.view(batch_size, num_channels, length)  # (B*C, T) -> (B, C, T)
        return self.random.apply_per_sample(x, x * curve.to(x.dtype), self.prob)
