"""Random smooth monotone time warping, parameterised as tsaug's ``TimeWarp``.

The time line is cut into ``n_speed_change + 1`` equal pieces, each played at a
random speed such that the fastest is ``max_speed_ratio`` times the slowest;
the cumulative time is smoothed with a monotone cubic (PCHIP) and the series is
read at the warped times by linear interpolation. Um et al. 2017
(https://arxiv.org/abs/1706.00527) introduced time warping for sensor data.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from tscl.augment.batch_checks import check_range, check_signal_batch
from tscl.augment.pchip import pchip_interpolate
from tscl.augment.random_source import RandomSource
from tscl.augment.resample import resample
from tscl.errors import ConfigError


def warp_knots(speeds: Tensor, ratio: Tensor, length: int) -> Tensor:
    """Warped times at the piece boundaries from raw random speeds.

    Args:
        speeds: (B, P) raw draws from U[0, 1), one per piece.
        ratio: (B, 1) wanted max/min speed ratio, > 1.
        length: T; the warp maps [0, T - 1] onto itself.

    Returns:
        (B, P + 1) increasing knot values from 0 to T - 1.
    """
    fastest = speeds.amax(dim=1, keepdim=True)  # (B, 1)
    slowest = speeds.amin(dim=1, keepdim=True)  # (B, 1)
    # Shift every speed by one constant so that fastest / slowest == ratio.
    speeds = speeds - (fastest - ratio * slowest) / (1 - ratio)
    total = speeds.sum(dim=1, keepdim=True)  # (B, 1)
    elapsed = speeds.cumsum(dim=1) / total * (length - 1)  # (B, P)
    return torch.cat([torch.zeros_like(elapsed[:, :1]), elapsed], dim=1)


class TimeWarp(nn.Module):
    """Random smooth monotone time warp. (B, C, T) -> (B, C, T).

    ``TimeWarp(n, r)`` draws from the same distribution as
    ``tsaug.TimeWarp(n_speed_change=n, max_speed_ratio=r)``; each sample gets its
    own warp, shared by its channels. NaN gaps move with the data (see
    ``resample``).

    Args:
        n_speed_change: number of speed changes.
        max_speed_ratio: ratio of the fastest to the slowest speed (> 1), or a
            (low, high) range to draw it from per sample.
        prob: probability that a sample is augmented.
        seed: optional seed of a private generator (else the global torch RNG).
    """

    def __init__(
        self,
        n_speed_change: int = 3,
        max_speed_ratio: float | tuple[float, float] = 3.0,
        prob: float = 1.0,
        seed: int | None = None,
    ) -> None:
        super().__init__()
        check_range(n_speed_change, "TimeWarp.n_speed_change", 1, 100_000)
        low, high = (
            max_speed_ratio
            if isinstance(max_speed_ratio, (tuple, list))
            else (max_speed_ratio,) * 2
        )
        if not 1 < low <= high:
            raise ConfigError(
                "TimeWarp.max_speed_ratio must be > 1 (or a range low <= high above 1),"
                f" got {max_speed_ratio}"
            )
        check_range(prob, "TimeWarp.prob", 0.0, 1.0)
        self.n_speed_change = int(n_speed_change)
        self.ratio_range = (float(low), float(high))
        self.prob = prob
        self.random = RandomSource(seed)

    def warp(
        self,
        batch_size: int,
        length: int,
        device: torch.device,
        dtype: torch.dtype = torch.float32,
    ) -> Tensor:
        """Draws B warps: (B, T) source times for every output time, in ``dtype``."""
        low, high = self.ratio_range
        draws = self.random.uniform((batch_size, self.n_speed_change + 2), device)
        draws = draws.to(dtype)  # (B, P + 1): one ratio and P raw speeds per sample
        ratio = low + (high - low) * draws[:, :1]  # (B, 1)
        speeds = draws[:, 1:]  # (B, P)
        knots_y = warp_knots(speeds, ratio, length)  # (B, P + 1)
        knots_x = torch.linspace(
            0, length - 1, self.n_speed_change + 2, device=device, dtype=dtype
        )
        times = torch.arange(length, device=device, dtype=knots_x.dtype)
        return pchip_interpolate(knots_x, knots_y, times)

    def forward(self, x: Tensor) -> Tensor:
        """(B, C, T) -> (B, C, T)."""
        check_signal_batch(x, "TimeWarp", min_length=2)
        # float64 data gets float64 times; everything else float32 (exact enough).
        dtype = torch.float64 if x.dtype == torch.float64 else torch.float32
        augmented = resample(x, self.warp(x.shape[0], x.shape[-1], x.device, dtype))
        return self.random.apply_per_sample(x, augmented, self.prob)
