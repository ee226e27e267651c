"""EEG augmentations: band stop, sign flip, amplitude scaling, circular shift.

Each maps (B, C, T) -> (B, C, T) on ``x.device`` with random parameters drawn
per sample at every call (``RandomSource``); NaN gaps stay NaN. The generic
``channel_dropout`` (``tscl.augment``) covers electrode loss. Band stop follows
the frequency-band masking of Mohsenvand et al. 2020, "Contrastive
Representation Learning for Electroencephalogram Classification"
(https://proceedings.mlr.press/v136/mohsenvand20a.html); sign flip and time
shift are among the EEG transforms of Rommel et al. 2022, "Data augmentation
for learning predictive models on EEG" (https://arxiv.org/abs/2206.14483).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from tscl.augment.batch_checks import check_range, check_signal_batch
from tscl.augment.frequency_mask import remove_frequencies
from tscl.augment.random_source import RandomSource
from tscl.augment.time_shift import shift_in_time
from tscl.errors import ConfigError

_INF = float("inf")


class BandStop(nn.Module):
    """Zeroes one random frequency band per sample (all its channels) via the rFFT.

    The band is ``[f - width_hz / 2, f + width_hz / 2]`` with the centre ``f``
    uniform on ``[min_hz, max_hz]``. NaN gaps are filled with the channel mean
    for the transform and restored afterwards. (B, C, T) -> (B, C, T).

    Args:
        fs: sampling rate of the input in Hz.
        width_hz: width of the removed band.
        min_hz, max_hz: range of the band centre (max_hz <= fs / 2).
        prob: probability that a sample is augmented.
        seed: optional seed of a private generator (else the global torch RNG).
    """

    def __init__(
        self,
        fs: float,
        width_hz: float = 4.0,
        min_hz: float = 1.0,
        max_hz: float = 40.0,
        prob: float = 1.0,
        seed: int | None = None,
    ) -> None:
        super().__init__()
        check_range(fs, "BandStop.fs", 1e-9, _INF)
        check_range(width_hz, "BandStop.width_hz", 0.0, fs / 2)
        check_range(max_hz, "BandStop.max_hz", 0.0, fs / 2)
        check_range(min_hz, "BandStop.min_hz", 0.0, max_hz)
        check_range(prob, "BandStop.prob", 0.0, 1.0)
        self.fs, self.width_hz, self.prob = fs, width_hz, prob
        self.min_hz, self.max_hz = min_hz, max_hz
        self.random = RandomSource(seed)

    def forward(self, x: Tensor) -> Tensor:
        """(B, C, T) -> (B, C, T)."""
        check_signal_batch(x, "BandStop")

        def stop_band(_: Tensor) -> Tensor:
            freqs = torch.fft.rfftfreq(x.shape[-1], d=1.0 / self.fs).to(x.device)
            draw = self.random.uniform((x.shape[0], 1, 1), x.device)  # (B, 1, 1)
            centre = self.min_hz + draw * (self.max_hz - self.min_hz)
            return (freqs - centre).abs() <= self.width_hz / 2  # (B, 1, F)

        augmented = remove_frequencies(x, stop_band)
        return self.random.apply_per_sample(x, augmented.to(x.dtype), self.prob)


class SignFlip(nn.Module):
    """Multiplies each sample by -1 with probability ``p`` (polarity inversion).

    (B, C, T) -> (B, C, T); NaN stays NaN.
    """

    def __init__(self, p: float = 0.5, seed: int | None = None) -> None:
        super().__init__()
        check_range(p, "SignFlip.p", 0.0, 1.0)
        self.p = p
        self.random = RandomSource(seed)

    def forward(self, x: Tensor) -> Tensor:
        """(B, C, T) -> (B, C, T)."""
        check_signal_batch(x, "SignFlip")
        flip = self.random.uniform((x.shape[0], 1, 1), x.device) < self.p  # (B, 1, 1)
        return torch.where(flip, -x, x)


class AmplitudeScaling(nn.Module):
    """Multiplies each sample (all channels alike) by a gain uniform on [low, high].

    (B, C, T) -> (B, C, T); NaN stays NaN.
    """

    def __init__(
        self, low: float = 0.5, high: float = 2.0, seed: int | None = None
    ) -> None:
        super().__init__()
        check_range(low, "AmplitudeScaling.low", 0.0, _INF)
        check_range(high, "AmplitudeScaling.high", low, _INF)
        self.low, self.high = low, high
        self.random = RandomSource(seed)

    def forward(self, x: Tensor) -> Tensor:
        """(B, C, T) -> (B, C, T)."""
        check_signal_batch(x, "AmplitudeScaling")
        draw = self.random.uniform((x.shape[0], 1, 1), x.device)  # (B, 1, 1)
        return x * (self.low + draw * (self.high - self.low)).to(x.dtype)


class CircularShift(nn.Module):
    """Rolls each sample in time by an integer shift uniform on [-max_shift, max_shift].

    Samples pushed past the end re-enter at the start (``torch.roll`` per
    sample); NaN gaps move with the data. (B, C, T) -> (B, C, T).

    Args:
        max_shift: largest shift in samples (0 = any shift of the window).
        seed: optional seed of a private generator (else the global torch RNG).
    """

    def __init__(self, max_shift: int = 0, seed: int | None = None) -> None:
        super().__init__()
        if (
            isinstance(max_shift, bool)
            or not isinstance(max_shift, int)
            or max_shift < 0
        ):
            raise ConfigError(
                f"CircularShift.max_shift must be an int >= 0, got {max_shift!r}"
            )
        self.max_shift = max_shift
        self.random = RandomSource(seed)

    def forward(self, x: Tensor) -> Tensor:
        """(B, C, T) -> (B, C, T)."""
        check_signal_batch(x, "CircularShift")
        length = x.shape[-1]
        limit = min(self.max_shift if self.max_shift else length - 1, length - 1)
        bound = torch.full((x.shape[0],), limit, device=x.device, dtype=torch.long)
        shift = self.random.integers(-bound, bound)  # (B,)
        return shift_in_time(x, shift)


AUGMENTATIONS = {
    "band_stop": BandStop,
    "sign_flip": SignFlip,
    "amplitude_scaling": AmplitudeScaling,
    "circular_shift": CircularShift,
}
