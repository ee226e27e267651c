"""Where augmentations draw random numbers: the global torch RNG or a private seeded one."""

from __future__ import annotations

import torch
from torch import Tensor


class RandomSource:
    """Draws random tensors directly on the batch's device.

    With ``seed=None`` every draw uses the global generator of that device, which
    the trainer seeds and checkpoints. With an integer seed the source owns a
    ``torch.Generator``, created lazily on the first device it is asked for and
    re-created from the same seed if the device changes.

    Args:
        seed: optional seed of a private generator.
    """

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed
        self._generator: torch.Generator | None = None

    def generator(self, device: torch.device) -> torch.Generator | None:
        """The private generator on ``device``, or None for the global one."""
        if self.seed is None:
            return None
        if self._generator is None or self._generator.device != device:
            self._generator = torch.Generator(device=device)
            self._generator.manual_seed(self.seed)
        return self._generator

    def uniform(self, shape: tuple[int, ...], device: torch.device) -> Tensor:
        """float32 draws from U[0, 1) of ``shape``."""
        return torch.rand(shape, generator=self.generator(device), device=device)

    def normal(self, shape: tuple[int, ...], device: torch.device) -> Tensor:
        """float32 draws from N(0, 1) of ``shape``."""
        return torch.randn(shape, generator=self.generator(device), device=device)

    def integers(self, low: Tensor, high: Tensor) -> Tensor:
        """One integer per element, uniform on [low, high] (both inclusive).

        Args:
            low: integer tensor of lower bounds.
            high: integer tensor of upper bounds, same shape, ``high >= low``.

        Returns:
            int64 tensor of the bounds' shape and device.
        """
        draw = self.uniform(tuple(low.shape), low.device)
        span = (high - low + 1).to(draw.dtype)
        # The clamp guards the (measure-zero) float rounding of draw * span to span.
        return low + torch.minimum((draw * span).long(), high - low)

    def apply_per_sample(self, x: Tensor, augmented: Tensor, prob: float) -> Tensor:
        """Keeps ``augmented`` for each sample with probability ``prob``, else ``x``.

        Args:
            x: (B, C, T) input batch.
            augmented: (B, C, T) augmented batch.
            prob: per-sample probability of augmenting; 1.0 draws nothing.

        Returns:
            (B, C, T) mix of the two.
        """
        if prob >= 1.0:
            return augmented
        chosen = self.uniform((x.shape[0], 1, 1), x.device) < prob  # (B, 1, 1)
        return torch.where(chosen, augmented, x)
