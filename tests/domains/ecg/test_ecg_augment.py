"""ECG augmentations: the contract (shape, dtype, device, NaN, seeds) and behaviours."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch

import tscl.augment
from tscl.data.read_wfdb import read_wfdb
from tscl.domains.ecg.augment import (
    AUGMENTATIONS,
    AmplitudeScale,
    BaselineWander,
    LeadDropout,
    MuscleNoise,
    PowerlineNoise,
    TimeShift,
)
from tscl.domains.ecg.preprocess import CleanSettings, clean
from tscl.errors import ConfigError

FS = 360.0
DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


@pytest.fixture(scope="module")
def beats(mitdb: Path) -> torch.Tensor:
    """(8, 2, 720) float32: eight 2-s stretches of cleaned record 101, MLII and V1."""
    series = clean(
        read_wfdb(mitdb / "101", sampto=16 * 360), CleanSettings(leads=("MLII", "V1"))
    )
    x = series.values[:, : 8 * 720].reshape(2, 8, 720).transpose(1, 0, 2)
    return torch.from_numpy(np.ascontiguousarray(x))


def _power_at(x: torch.Tensor, freq_hz: float) -> torch.Tensor:
    """(B, C, T) -> (B, C) power of the ``freq_hz`` component (sin/cos projection)."""
    t = torch.arange(x.shape[-1], dtype=torch.float64) / FS
    wave = torch.exp(-2j * math.pi * freq_hz * t)
    return (x.double().cpu().to(torch.complex128) @ wave).abs() ** 2


def test_names_do_not_clash_with_generic_augmentations() -> None:
    assert not set(AUGMENTATIONS) & set(tscl.augment.AUGMENTATIONS)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", sorted(AUGMENTATIONS))
def test_contract(name: str, device: str, beats: torch.Tensor) -> None:
    x = beats.clone().to(device)
    x[0, 1, 100:140] = float("nan")
    module = AUGMENTATIONS[name](seed=3)
    out = module(x)
    assert out.shape == x.shape and out.dtype == x.dtype and out.device == x.device
    if name != "time_shift":  # a shift moves the gap with the signal
        assert torch.isnan(out[0, 1, 100:140]).all()
        assert not torch.isnan(out[1]).any()
    again = AUGMENTATIONS[name](seed=3)(x)
    torch.testing.assert_close(out, again, equal_nan=True)
    if name != "lead_dropout":  # dropout with p=0.2 may leave rows alike
        assert not torch.equal(out[1] - x[1], out[2] - x[2])  # drawn per sample


@pytest.mark.parametrize("name", sorted(AUGMENTATIONS))
def test_rhythm_channels_pass_unchanged(name: str, beats: torch.Tensor) -> None:
    rr = torch.ones(8, 4, beats.shape[-1]) * torch.arange(1.0, 5.0)[None, :, None]
    x = torch.cat([beats, rr], dim=1)  # (B, 2 leads + 4 RR, T)
    out = AUGMENTATIONS[name](leads=2, seed=0)(x)
    torch.testing.assert_close(out[:, 2:], rr)


@pytest.mark.parametrize("freq_hz", [50.0, 60.0])
def test_powerline_noise_adds_energy_at_its_frequency(
    beats: torch.Tensor, freq_hz: float
) -> None:
    out = PowerlineNoise(amplitude=0.2, frequency_hz=freq_hz, seed=0)(beats)
    gain = _power_at(out, freq_hz) / _power_at(beats, freq_hz)  # (B, C)
    assert gain.median() > 10
    added = out - beats
    # the added signal is a pure tone at freq_hz: its power there is all its energy
    # (2 s hold whole periods; |projection|^2 = (T / 2)^2 A^2, energy = T A^2 / 2)
    energy = (added.double() ** 2).sum(-1)
    tone = _power_at(added, freq_hz) * 2 / added.shape[-1]
    torch.testing.assert_close(tone, energy, rtol=1e-3, atol=1e-9)
    assert (added.std(-1) <= 0.2 * beats.std(-1) / math.sqrt(2) + 1e-6).all()
    torch.testing.assert_close(
        _power_at(out, 10.0), _power_at(beats, 10.0), rtol=1e-2, atol=1e-6
    )


def test_baseline_wander_is_slow(beats: torch.Tensor) -> None:
    out = BaselineWander(amplitude=0.5, min_hz=0.1, max_hz=0.5, seed=1)(beats)
    added = torch.fft.rfft((out - beats).double(), dim=-1).abs() ** 2  # (B, C, F)
    freqs = torch.fft.rfftfreq(beats.shape[-1], d=1 / FS)
    assert (added[..., freqs <= 2.0].sum(-1) / added.sum(-1) > 0.95).all()


def test_muscle_noise_lies_in_its_band(beats: torch.Tensor) -> None:
    out = MuscleNoise(sigma=0.1, low_hz=20.0, seed=2)(beats)
    added = out - beats
    spectrum = torch.fft.rfft(added.double(), dim=-1).abs() ** 2
    freqs = torch.fft.rfftfreq(beats.shape[-1], d=1 / FS)
    assert (spectrum[..., freqs < 19.0].sum(-1) < 1e-6 * spectrum.sum(-1)).all()
    ratio = added.std(-1) / beats.std(-1)
    torch.testing.assert_close(ratio, torch.full_like(ratio, 0.1), rtol=0.02, atol=0)


def test_amplitude_scale_ratio_within_bounds(beats: torch.Tensor) -> None:
    out = AmplitudeScale(low=0.7, high=1.3, seed=0)(beats)
    ratio = out.abs().amax(-1) / beats.abs().amax(-1)  # (B, C): one gain per lead
    assert ((ratio >= 0.7 - 1e-6) & (ratio <= 1.3 + 1e-6)).all()
    torch.testing.assert_close(out, beats * ratio[..., None])
    assert ratio.std() > 0.05  # gains differ across samples and leads


def test_lead_dropout_never_drops_every_lead(beats: torch.Tensor) -> None:
    x = beats.repeat(8, 1, 1)  # (64, 2, T)
    out = LeadDropout(p=1.0, seed=0)(x)
    zeroed = (out == 0).all(dim=-1)  # (B, C)
    assert (zeroed.sum(dim=1) == 1).all()
    some = LeadDropout(p=0.5, seed=0)(x)
    zeroed = (some == 0).all(dim=-1)
    assert zeroed.any() and not zeroed.all(dim=1).any()
    single = beats[:, :1]
    torch.testing.assert_close(LeadDropout(p=1.0)(single), single)


def test_time_shift_rolls_or_pads(beats: torch.Tensor) -> None:
    out = TimeShift(max_shift=30, mode="circular", seed=0)(beats)
    shifts = []
    for row in range(len(beats)):
        match = [
            s for s in range(-30, 31) if torch.equal(out[row], beats[row].roll(s, -1))
        ]
        assert match, f"row {row} is not a roll of its input"
        shifts.append(match[0])
    assert len(set(shifts)) > 1
    padded = TimeShift(max_shift=30, mode="pad", seed=0)(beats)
    gaps = torch.isnan(padded[:, 0]).sum(-1)  # (B,)
    np.testing.assert_array_equal(gaps.numpy(), np.abs(shifts))


def test_constructors_validate() -> None:
    with pytest.raises(ConfigError):
        PowerlineNoise(frequency_hz=200.0, fs=360.0)
    with pytest.raises(ConfigError):
        AmplitudeScale(low=1.2, high=0.9)
    with pytest.raises(ConfigError):
        LeadDropout(p=1.5)
    with pytest.raises(ConfigError):
        TimeShift(mode="reflect")
    with pytest.raises(ConfigError):
        MuscleNoise(leads=0)
