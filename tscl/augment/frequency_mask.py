"""Random removal of frequency components, the frequency-domain view of TF-C.

Zhang et al. 2022, "Self-Supervised Contrastive Pre-Training For Time Series
via Time-Frequency Consistency" (https://arxiv.org/abs/2206.08496).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from tscl.augment.batch_checks import check_range, check_signal_batch
from tscl.augment.random_source import RandomSource


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
        # FFTs need float32 or float64 on every device; half precision is upcast.
        signal = x if x.dtype in (torch.float32, torch.float64) else x.float()
        # A NaN anywhere makes the sum NaN: one cheap check (a host sync).
        missing = signal.isnan() if bool(signal.sum().isnan()) else None
        if missing is not None:
            signal = torch.where(missing, signal.nanmean(dim=-1, keepdim=True), signal)
        spectrum = torch.fft.rfft(signal, dim=-1)  # (B, C, T // 2 + 1)
        removed = self.random.uniform(tuple(spectrum.shape), x.device) < self.ratio
        spectrum = spectrum.masked_fill_(removed, 0)
        augmented = torch.fft.irfft(spectrum, n=x.shape[-1], dim=-1)  # (B, C, T)
        if missing is not None:
            augmented = augmented.masked_fill_(missing, float("nan"))
        return self.random.apply_per_sample(x, augmented.to(x.dtype), self.prob)
