"""EEG augmentations: the batch contract and each one's behaviour."""

from __future__ import annotations

import math
from typing import Any

import pytest
import torch

from tscl.augment import AUGMENTATIONS as GENERIC
from tscl.domains.eeg.augment import (
    AUGMENTATIONS,
    AmplitudeScaling,
    BandStop,
    CircularShift,
    SignFlip,
)
from tscl.errors import ConfigError

PARAMS: dict[str, dict[str, Any]] = {
    "band_stop": {"fs": 160.0},
    "sign_flip": {},
    "amplitude_scaling": {},
    "circular_shift": {"max_shift": 40},
}
FS = 160.0


def _sines(
    *freqs: float, batch: int = 4, channels: int = 3, length: int = 320
) -> torch.Tensor:
    """(B, C, T) sum of sines at ``freqs`` (whole cycles in 2 s at 160 Hz)."""
    t = torch.arange(length, dtype=torch.float64) / FS
    wave = sum(torch.sin(2 * math.pi * f * t) for f in freqs)
    return wave.expand(batch, channels, length).float().clone()


def _power(x: torch.Tensor, freq: float) -> torch.Tensor:
    """(B, C) power at one rFFT bin."""
    spectrum = torch.fft.rfft(x.double(), dim=-1)
    return spectrum[..., int(round(freq * x.shape[-1] / FS))].abs() ** 2


def test_names_do_not_clash_with_generic_augmentations() -> None:
    assert not set(AUGMENTATIONS) & set(GENERIC)
    assert set(AUGMENTATIONS) == set(PARAMS)


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_contract_shape_dtype_device_and_gaps(name: str) -> None:
    augment = AUGMENTATIONS[name](**PARAMS[name], seed=0)
    x = torch.randn(5, 4, 320)
    x[1, 2, 10:30] = float("nan")
    out = augment(x)
    assert out.shape == x.shape and out.dtype == x.dtype and out.device == x.device
    assert int(out.isnan().sum()) == 20  # gaps stay gaps (a shift moves them)
    half = augment(x.double())
    assert half.dtype == torch.float64


def test_band_stop_removes_power_only_in_its_band() -> None:
    x = _sines(10.0, 30.0)
    out = BandStop(fs=FS, width_hz=4.0, min_hz=10.0, max_hz=10.0, seed=0)(x)
    assert (_power(out, 10.0) < 1e-6 * _power(x, 10.0)).all()
    torch.testing.assert_close(_power(out, 30.0), _power(x, 30.0), rtol=1e-4, atol=0)


def test_band_stop_draws_a_band_per_sample() -> None:
    x = _sines(*range(2, 40, 2), batch=64, channels=1)
    out = BandStop(fs=FS, width_hz=1.0, min_hz=2.0, max_hz=38.0, seed=1)(x)
    removed = torch.stack([_power(out, f)[:, 0] < 1e-6 for f in range(2, 40, 2)], dim=1)
    assert (removed.sum(dim=1) <= 2).all()  # a 1 Hz band covers at most 2 of the sines
    assert len({tuple(row.tolist()) for row in removed}) > 5


def test_sign_flip_is_exact() -> None:
    x = torch.randn(6, 3, 50)
    torch.testing.assert_close(SignFlip(p=1.0)(x), -x, rtol=0, atol=0)
    torch.testing.assert_close(SignFlip(p=0.0)(x), x, rtol=0, atol=0)
    out = SignFlip(p=0.5, seed=0)(torch.randn(200, 2, 8))
    assert out.shape == (200, 2, 8)
    x = torch.randn(200, 2, 8)
    out = SignFlip(p=0.5, seed=0)(x)
    flipped = (out == -x).flatten(1).all(dim=1)
    kept = (out == x).flatten(1).all(dim=1)
    assert (flipped | kept).all() and 60 < int(flipped.sum()) < 140


def test_amplitude_scaling_uses_one_gain_per_sample() -> None:
    x = torch.rand(50, 3, 20) + 0.5
    gain = AmplitudeScaling(low=0.8, high=1.25, seed=0)(x) / x  # (B, C, T)
    assert ((gain >= 0.8 - 1e-6) & (gain <= 1.25 + 1e-6)).all()
    torch.testing.assert_close(gain, gain[:, :1, :1].expand_as(gain))
    assert gain[:, 0, 0].std() > 0.05


def test_circular_shift_rolls_each_sample_within_the_bound() -> None:
    x = torch.arange(12 * 2 * 100, dtype=torch.float32).reshape(12, 2, 100)
    out = CircularShift(max_shift=5, seed=0)(x)
    shifts = []
    for sample, rolled in zip(x, out, strict=True):
        matches = [
            s for s in range(-5, 6) if torch.equal(torch.roll(sample, s, -1), rolled)
        ]
        assert len(matches) == 1
        shifts.append(matches[0])
    assert len(set(shifts)) > 1


@pytest.mark.parametrize(
    ("cls", "kwargs"),
    [
        (BandStop, {"fs": 160.0, "max_hz": 100.0}),
        (BandStop, {"fs": 160.0, "min_hz": 50.0, "max_hz": 40.0}),
        (SignFlip, {"p": 1.5}),
        (AmplitudeScaling, {"low": 2.0, "high": 1.0}),
        (CircularShift, {"max_shift": -1}),
    ],
)
def test_bad_parameters_raise_config_errors(cls: type, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        cls(**kwargs)
