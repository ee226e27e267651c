"""Random removal of frequency components, the frequency-domain view of TF-C.

Zhang et al. 2022, "Self-Supervised Contrastive Pre-Training For Time Series
via Time-Frequency Consistency" (https://arxiv.org/abs/2206.08496).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn

from tscl.augment.batch_checks import check_range, check_signal_batch
from tscl.augment.random_source import RandomSource


def remove_frequencies(x: Tensor, removed: Callable[[Tensor], Tensor]) -> Tensor:
    """Zeroes the rFFT bins ``removed(spectrum)`` marks, per channel, and transforms back.

    NaN gaps are filled with the channel mean for the transform and restored
    afterwards; half precision is computed in float32.

    Args:
        x: (B, C, T) signals.
        removed: (B, C, T // 2 + 1) complex spectrum -> a bool mask broadcasting to it.

    Returns:
        (B, C, T) in float32 or float64.
    """
    # FFTs need float32 or float64 on every device; half precision is upcast.
    signal = x if x.dtype in (torch.float32, torch.float64) else x.float()
    # A NaN anywhere makes the sum NaN: one cheap check (a host sync).
    missing = signal.isnan() if bool(signal.sum().isnan()) else None
    if missing is not None:
        signal = torch.where(missing, signal.nanmean(dim=-1, keepdim=True), signal)
    spectrum = torch.fft.rfft(signal, dim=-1)  # (B, C, T // 2 + 1)
    spectrum = spectrum.masked_fill(removed(spectrum), 0)
    augmented = torch.fft.irfft(spectrum, n=x.shape[-1], dim=-1)  # (B, C, T)
    if missing is not None:
        augmented = augmented.masked_fill_(missing, float("nan"))
    return augmented


class FrequencyMask(nn.Module):
    """Zeroes random rFFT bins of each channel and transforms back.

    Each bin (the mean bin included) of each sample and channel is zeroed with
    probability ``ratio``. NaN gaps are filled with the channel mean for the
    transform and restored afterwards. (B, C, T) -> (B, C, T).

    Args:
        ratio: probability that a frequency bin is removed.
        prob: probability that a sample is augmented.
        seed: optional seed of a private generator (else the global torch RNG).
    """

    def __init__(
        self, ratio: float = 0.1, prob: float = 1.0, seed: int | None = None
    ) -> None:
        super().__init__()
        check_range(ratio, "FrequencyMask.ratio", 0.0, 1.0)
        check_range(prob, "FrequencyMask.prob", 0.0, 1.0)
        self.ratio, self.prob = ratio, prob
        self.random = RandomSource(seed)

    def forward(self, x: Tensor) -> Tensor:
        """(B, C, T) -> (B, C, T)."""
        check_signal_batch(x, "FrequencyMask")
        augmented = remove_frequencies(
            x,
            lambda spectrum: (
                self.random.uniform(tuple(spectrum.shape), x.device) < self.ratio
            ),
        )
        return self.random.apply_per_sample(x, augmented.to(x.dtype), self.prob)
