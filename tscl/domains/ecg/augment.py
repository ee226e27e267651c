"""ECG augmentations: the noise and recording artefacts real ECGs carry.

Each maps (B, C, T) -> (B, C, T) on ``x.device``, draws its random parameters
per sample at every call (``RandomSource``: the global torch RNG or a private
seed) and keeps NaN gaps NaN. ``leads`` (default: all channels) is the number
of leading channels that hold ECG leads: the channels after them (the RR
rhythm channels of ``beats.BeatSettings(rhythm="channels")``) pass unchanged.
Noise levels are relative to each sample's per-lead standard deviation.
Clifford et al., "Advanced Methods and Tools for ECG Data Analysis" (2006),
ch. 3, describes the artefacts (baseline wander, powerline, muscle noise).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from tscl.augment.batch_checks import check_range, check_signal_batch
from tscl.augment.channel_dropout import ChannelDropout
from tscl.augment.jitter import channel_scale
from tscl.augment.random_source import RandomSource
from tscl.augment.time_shift import shift_in_time
from tscl.errors import ConfigError

INF = float("inf")


def _num_leads(x: Tensor, leads: int | None) -> int:
    return x.shape[1] if leads is None else min(leads, x.shape[1])


def _check_leads(leads: int | None, owner: str) -> None:
    if leads is not None and leads < 1:
        raise ConfigError(f"{owner}.leads must be >= 1 or None, got {leads}")


def _check_fs(fs: float, frequencies: tuple[float, ...], owner: str) -> None:
    check_range(fs, f"{owner}.fs", 1e-9, INF)
    for frequency in frequencies:
        check_range(frequency, f"{owner} frequency", 0.0, fs / 2)


def _with_rest(x: Tensor, augmented_leads: Tensor) -> Tensor:
    """(B, n, T) augmented leads + the untouched channels n.. of x -> (B, C, T)."""
    return torch.cat([augmented_leads, x[:, augmented_leads.shape[1] :]], dim=1)


def _time(x: Tensor, fs: float) -> Tensor:
    """(T,) seconds of each step, on x's device."""
    return torch.arange(x.shape[-1], device=x.device, dtype=torch.float32) / fs


class BaselineWander(nn.Module):
    """Adds slow sinusoids (breathing, electrode motion) to the leads.

    Per sample: ``components`` frequencies in [min_hz, max_hz] and phases
    shared by the leads; per lead an amplitude in [0, amplitude] x the lead's std.

    Args:
        amplitude: largest amplitude relative to the lead's std.
        min_hz, max_hz: frequency range of the wander.
        components: sinusoids summed.
        fs: sampling rate in Hz.
    """

    def __init__(
        self,
        amplitude: float = 0.3,
        min_hz: float = 0.05,
        max_hz: float = 0.5,
        components: int = 2,
        fs: float = 360.0,
        leads: int | None = None,
        prob: float = 1.0,
        seed: int | None = None,
    ) -> None:
        super().__init__()
        check_range(amplitude, "BaselineWander.amplitude", 0.0, INF)
        check_range(min_hz, "BaselineWander.min_hz", 0.0, max_hz)
        check_range(components, "BaselineWander.components", 1, 16)
        check_range(prob, "BaselineWander.prob", 0.0, 1.0)
        _check_fs(fs, (max_hz,), "BaselineWander")
        _check_leads(leads, "BaselineWander")
        self.amplitude, self.min_hz, self.max_hz = amplitude, min_hz, max_hz
        self.components, self.fs, self.leads, self.prob = components, fs, leads, prob
        self.random = RandomSource(seed)

    def forward(self, x: Tensor) -> Tensor:
        """(B, C, T) -> (B, C, T)."""
        check_signal_batch(x, "BaselineWander")
        signal = x[:, : _num_leads(x, self.leads)]  # (B, n, T)
        batch, num_leads, _ = signal.shape
        shape = (batch, 1, self.components, 1)
        frequency = self.min_hz + (self.max_hz - self.min_hz) * self.random.uniform(
            shape, x.device
        )
        phase = 2 * math.pi * self.random.uniform(shape, x.device)
        amplitude = self.random.uniform(
            (batch, num_leads, self.components, 1), x.device
        )
        # (B, 1, K, 1) * (T,) -> (B, 1, K, T); weighted sum over K -> (B, n, T)
        waves = torch.sin(2 * math.pi * frequency * _time(x, self.fs) + phase)
        wander = (amplitude * waves).sum(dim=2) * self.amplitude
        augmented = signal + (wander * channel_scale(signal, "std")).to(x.dtype)
        return self.random.apply_per_sample(x, _with_rest(x, augmented), self.prob)


class PowerlineNoise(nn.Module):
    """Adds mains interference: a sinusoid at ``frequency_hz`` (50 or 60 Hz).

    Per sample a phase; per lead an amplitude in [0, amplitude] x the lead's std.

    Args:
        amplitude: largest amplitude relative to the lead's std.
        frequency_hz: mains frequency.
        fs: sampling rate in Hz (MIT-BIH: 360).
    """

    def __init__(
        self,
        amplitude: float = 0.1,
        frequency_hz: float = 60.0,
        fs: float = 360.0,
        leads: int | None = None,
        prob: float = 1.0,
        seed: int | None = None,
    ) -> None:
        super().__init__()
        check_range(amplitude, "PowerlineNoise.amplitude", 0.0, INF)
        check_range(prob, "PowerlineNoise.prob", 0.0, 1.0)
        _check_fs(fs, (frequency_hz,), "PowerlineNoise")
        _check_leads(leads, "PowerlineNoise")
        self.amplitude, self.frequency_hz, self.fs = amplitude, frequency_hz, fs
        self.leads, self.prob = leads, prob
        self.random = RandomSource(seed)

    def forward(self, x: Tensor) -> Tensor:
        """(B, C, T) -> (B, C, T)."""
        check_signal_batch(x, "PowerlineNoise")
        signal = x[:, : _num_leads(x, self.leads)]  # (B, n, T)
        batch, num_leads, _ = signal.shape
        phase = 2 * math.pi * self.random.uniform((batch, 1, 1), x.device)
        amplitude = self.amplitude * self.random.uniform(
            (batch, num_leads, 1), x.device
        )
        # (T,) -> (B, 1, T) tone, scaled per lead -> (B, n, T)
        tone = torch.sin(2 * math.pi * self.frequency_hz * _time(x, self.fs) + phase)
        noise = amplitude * channel_scale(signal, "std") * tone
        augmented = signal + noise.to(x.dtype)
        return self.random.apply_per_sample(x, _with_rest(x, augmented), self.prob)


class MuscleNoise(nn.Module):
    """Adds electromyographic noise: Gaussian noise band-limited to [low_hz, high_hz].

    White noise is filtered in the frequency domain (``torch.fft``), rescaled to
    unit std per sample and lead, and added at ``sigma`` x the lead's std.

    Args:
        sigma: noise std relative to the lead's std.
        low_hz, high_hz: noise band (high_hz None: up to fs / 2).
        fs: sampling rate in Hz.
    """

    def __init__(
        self,
        sigma: float = 0.05,
        low_hz: float = 20.0,
        high_hz: float | None = None,
        fs: float = 360.0,
        leads: int | None = None,
        prob: float = 1.0,
        seed: int | None = None,
    ) -> None:
        super().__init__()
        high = fs / 2 if high_hz is None else high_hz
        check_range(sigma, "MuscleNoise.sigma", 0.0, INF)
        check_range(low_hz, "MuscleNoise.low_hz", 0.0, high)
        check_range(prob, "MuscleNoise.prob", 0.0, 1.0)
        _check_fs(fs, (high,), "MuscleNoise")
        _check_leads(leads, "MuscleNoise")
        self.sigma, self.low_hz, self.high_hz, self.fs = sigma, low_hz, high, fs
        self.leads, self.prob = leads, prob
        self.random = RandomSource(seed)

    def forward(self, x: Tensor) -> Tensor:
        """(B, C, T) -> (B, C, T)."""
        check_signal_batch(x, "MuscleNoise", min_length=2)
        signal = x[:, : _num_leads(x, self.leads)]  # (B, n, T)
        length = signal.shape[-1]
        white = self.random.normal(tuple(signal.shape), x.device)
        spectrum = torch.fft.rfft(white, dim=-1)  # (B, n, T // 2 + 1)
        frequency = torch.fft.rfftfreq(length, d=1 / self.fs).to(x.device)
        band = (frequency >= self.low_hz) & (frequency <= self.high_hz)
        noise = torch.fft.irfft(spectrum * band, n=length, dim=-1)  # (B, n, T)
        noise = noise / noise.std(dim=-1, keepdim=True).clamp_min(1e-12)
        scaled = self.sigma * channel_scale(signal, "std") * noise
        augmented = signal + scaled.to(x.dtype)
        return self.random.apply_per_sample(x, _with_rest(x, augmented), self.prob)


class AmplitudeScale(nn.Module):
    """Multiplies each lead of each sample by a gain drawn from U[low, high].

    Electrode contact and placement change the amplitude lead by lead.
    """

    def __init__(
        self,
        low: float = 0.8,
        high: float = 1.25,
        leads: int | None = None,
        prob: float = 1.0,
        seed: int | None = None,
    ) -> None:
        super().__init__()
        check_range(low, "AmplitudeScale.low", 1e-9, INF)
        check_range(high, "AmplitudeScale.high", low, INF)
        check_range(prob, "AmplitudeScale.prob", 0.0, 1.0)
        _check_leads(leads, "AmplitudeScale")
        self.low, self.high, self.leads, self.prob = low, high, leads, prob
        self.random = RandomSource(seed)

    def forward(self, x: Tensor) -> Tensor:
        """(B, C, T) -> (B, C, T)."""
        check_signal_batch(x, "AmplitudeScale")
        signal = x[:, : _num_leads(x, self.leads)]  # (B, n, T)
        draw = self.random.uniform((signal.shape[0], signal.shape[1], 1), x.device)
        gain = self.low + (self.high - self.low) * draw  # (B, n, 1)
        augmented = signal * gain.to(x.dtype)
        return self.random.apply_per_sample(x, _with_rest(x, augmented), self.prob)


class LeadDropout(nn.Module):
    """Zeroes whole leads with probability ``p`` each; never every lead of a sample.

    ``tscl.augment.ChannelDropout`` restricted to the leads (rhythm channels
    stay); single-lead input passes unchanged.
    """

    def __init__(
        self, p: float = 0.2, leads: int | None = None, seed: int | None = None
    ) -> None:
        super().__init__()
        _check_leads(leads, "LeadDropout")
        self.dropout = ChannelDropout(p=p, seed=seed)
        self.p, self.leads = p, leads

    def forward(self, x: Tensor) -> Tensor:
        """(B, C, T) -> (B, C, T)."""
        check_signal_batch(x, "LeadDropout")
        return _with_rest(x, self.dropout(x[:, : _num_leads(x, self.leads)]))


class TimeShift(nn.Module):
    """Shifts each sample's leads by an integer in [-max_shift, max_shift] steps.

    "circular" wraps the samples that leave one end round to the other; "pad"
    marks the steps shifted in as not observed (NaN).
    """

    def __init__(
        self,
        max_shift: int = 18,
        mode: str = "circular",
        leads: int | None = None,
        prob: float = 1.0,
        seed: int | None = None,
    ) -> None:
        super().__init__()
        check_range(max_shift, "TimeShift.max_shift", 0, INF)
        check_range(prob, "TimeShift.prob", 0.0, 1.0)
        if mode not in ("circular", "pad"):
            raise ConfigError(f"TimeShift.mode must be circular or pad, got {mode!r}")
        _check_leads(leads, "TimeShift")
        self.max_shift, self.mode = int(max_shift), mode
        self.leads, self.prob = leads, prob
        self.random = RandomSource(seed)

    def forward(self, x: Tensor) -> Tensor:
        """(B, C, T) -> (B, C, T)."""
        check_signal_batch(x, "TimeShift")
        signal = x[:, : _num_leads(x, self.leads)]  # (B, n, T)
        bound = torch.full((signal.shape[0],), self.max_shift, device=x.device)
        shift = self.random.integers(-bound, bound)  # (B,)
        augmented = shift_in_time(signal, shift, pad_nan=self.mode == "pad")
        return self.random.apply_per_sample(x, _with_rest(x, augmented), self.prob)


AUGMENTATIONS = {
    "baseline_wander": BaselineWander,
    "powerline_noise": PowerlineNoise,
    "muscle_noise": MuscleNoise,
    "amplitude_scale": AmplitudeScale,
    "lead_dropout": LeadDropout,
    "time_shift": TimeShift,
}
