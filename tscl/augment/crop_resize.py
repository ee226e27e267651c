"""Random crop, linearly resized back to the input length.

As in tsaug's ``Crop(size, resize)``; the "window slicing" of Le Guennec et al.
2016 (https://shs.hal.science/halshs-01357973).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from tscl.augment.batch_checks import check_range, check_signal_batch
from tscl.augment.random_source import RandomSource
from tscl.augment.resample import resample


class CropResize(nn.Module):
    """Crops a random window and stretches it back to T. (B, C, T) -> (B, C, T).

    The crop length L is an integer uniform on [ceil(min_ratio * T),
    floor(max_ratio * T)] (at least 2) and its start an integer uniform on
    [0, T - L], per sample; ``CropResize(min_ratio)`` therefore matches
    ``tsaug.Crop(size=(ceil(min_ratio * T), T + 1), resize=T)``. Resizing is
    linear with both ends kept; NaN gaps move with the data.

    Args:
        min_ratio: smallest crop length as a fraction of T.
        max_ratio: largest crop length as a fraction of T.
        prob: probability that a sample is augmented.
        seed: optional seed of a private generator (else the global torch RNG).
    """

    def __init__(
        self,
        min_ratio: float = 0.5,
        max_ratio: float = 1.0,
        prob: float = 1.0,
        seed: int | None = None,
    ) -> None:
        super().__init__()
        check_range(min_ratio, "CropResize.min_ratio", 0.0, 1.0)
        check_range(max_ratio, "CropResize.max_ratio", min_ratio, 1.0)
        check_range(prob, "CropResize.prob", 0.0, 1.0)
        self.min_ratio, self.max_ratio, self.prob = min_ratio, max_ratio, prob
        self.random = RandomSource(seed)

    def positions(
        self,
        batch_size: int,
        length: int,
        device: torch.device,
        dtype: torch.dtype = torch.float32,
    ) -> Tensor:
        """Draws B crops: (B, T) source times for every output time, in ``dtype``."""
        shortest = max(2, math.ceil(self.min_ratio * length))
        longest = max(shortest, math.floor(self.max_ratio * length))
        crop = self.random.integers(  # (B,) crop lengths
            torch.full((batch_size,), shortest, device=device),
            torch.full((batch_size,), longest, device=device),
        )
        start = self.random.integers(torch.zeros_like(crop), length - crop)  # (B,)
        # (B,) input samples per output sample
        step = (crop - 1).to(dtype) / (length - 1)
        times = torch.arange(length, device=device, dtype=dtype)
        # (B, 1) + (B, 1) * (1, T) -> (B, T), in one buffer
        return torch.addcmul(start[:, None].to(dtype), step[:, None], times[None, :])

    def forward(self, x: Tensor) -> Tensor:
        """(B, C, T) -> (B, C, T)."""
        check_signal_batch(x, "CropResize", min_length=2)
        # float64 data gets float64 times; everything else float32 (exact enough).
        dtype = torch.float64 if x.dtype == torch.float64 else torch.float32
        positions = self.positions(x.shape[0], x.shape[-1], x.device, dtype)
        augmented = resample(x, positions)  # (B, C, T)
        return self.random.apply_per_sample(x, augmented, self.prob)
