"""Additive Gaussian noise (jitter).

Um et al. 2017, "Data Augmentation of Wearable Sensor Data for Parkinson's
Disease Monitoring using Convolutional Neural Networks"
(https://arxiv.org/abs/1706.00527).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from tscl.augment.batch_checks import check_range, check_signal_batch
from tscl.augment.random_source import RandomSource
from tscl.errors import ConfigError

_SCALES = ("std", "range", "absolute")


def channel_scale(x: Tensor, relative_to: str) -> Tensor:
    """Per sample and channel size of the signal, ignoring NaN gaps.

    Args:
        x: (B, C, T) signals.
        relative_to: "std" (standard deviation), "range" (max - min, as tsaug's
            ``AddNoise(normalize=True)``) or "absolute" (1).

    Returns:
        (B, C, 1) scales; 0 for a channel with no observed value.
    """
    if relative_to == "absolute":
        return torch.ones_like(x[..., :1])
    scale = _plain_scale(x, relative_to)  # NaN where a channel has a gap
    # One host sync on a (B, C, 1) tensor picks the cheap gap-free path.
    if bool(scale.isnan().any()):
        scale = _gap_aware_scale(x, relative_to)
    return scale


def _plain_scale(x: Tensor, relative_to: str) -> Tensor:
    """(B, C, T) -> (B, C, 1) std or range; NaN for channels with gaps."""
    if relative_to == "range":
        return x.amax(dim=-1, keepdim=True) - x.amin(dim=-1, keepdim=True)
    return x.std(dim=-1, keepdim=True, correction=0)


def _gap_aware_scale(x: Tensor, relative_to: str) -> Tensor:
    """(B, C, T) -> (B, C, 1) std or range over the observed values only."""
    if relative_to == "range":
        high = x.nan_to_num(nan=float("-inf")).amax(dim=-1, keepdim=True)
        low = x.nan_to_num(nan=float("inf")).amin(dim=-1, keepdim=True)
        return (high - low).nan_to_num(nan=0.0, posinf=0.0, neginf=0.0)
    centred = x - x.nanmean(dim=-1, keepdim=True)
    return centred.pow(2).nanmean(dim=-1, keepdim=True).sqrt().nan_to_num(nan=0.0)


class Jitter(nn.Module):
    """Adds i.i.d. Gaussian noise: x + sigma * scale(x) * N(0, 1). (B, C, T) -> (B, C, T).

    The scale is per sample and channel (see ``channel_scale``); NaN gaps stay NaN.
    ``Jitter(sigma, relative_to="range")`` matches ``tsaug.AddNoise(scale=sigma)``.

    Args:
        sigma: noise level relative to ``relative_to``.
        relative_to: "std", "range" or "absolute".
        prob: probability that a sample is augmented.
        seed: optional seed of a private generator (else the global torch RNG).
    """

    def __init__(
        self,
        sigma: float = 0.03,
        relative_to: str = "std",
        prob: float = 1.0,
        seed: int | None = None,
    ) -> None:
        super().__init__()
        check_range(sigma, "Jitter.sigma", 0.0, float("inf"))
        check_range(prob, "Jitter.prob", 0.0, 1.0)
        if relative_to not in _SCALES:
            raise ConfigError(
                f"Jitter.relative_to must be one of {_SCALES}, got {relative_to!r}"
            )
        self.sigma, self.relative_to, self.prob = sigma, relative_to, prob
        self.random = RandomSource(seed)

    def forward(self, x: Tensor) -> Tensor:
        """(B, C, T) -> (B, C, T)."""
        check_signal_batch(x, "Jitter")
        noise = self.random.normal(tuple(x.shape), x.device).to(x.dtype)
        augmented = noise.mul_(self.sigma * channel_scale(x, self.relative_to)).add_(x)
        return self.random.apply_per_sample(x, augmented, self.prob)
