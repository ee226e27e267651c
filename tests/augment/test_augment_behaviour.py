"""What each augmentation does, checked on inputs whose output is known."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch
import tsaug

from tscl.augment import (
    ChannelDropout,
    CropResize,
    FrequencyMask,
    Jitter,
    MagnitudeWarp,
    Permutation,
    Scaling,
    TimestampMask,
    TimeWarp,
    TsaugAugment,
)
from tscl.augment.time_warp import warp_knots
from tscl.errors import ConfigError, DataError


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def ramp(batch_size: int, length: int, channels: int = 1) -> torch.Tensor:
    """(B, C, T) where every channel reads its own time index."""
    return (
        torch.arange(length, dtype=torch.float64)
        .expand(batch_size, channels, length)
        .clone()
    )


def test_jitter_noise_level_follows_the_scale() -> None:
    x = (
        torch.randn(64, 2, 500, generator=torch.Generator().manual_seed(0))
        * torch.tensor([1.0, 5.0])[:, None]
    )
    residual = Jitter(sigma=0.1, seed=0)(x) - x
    ratio = residual.std(dim=-1) / x.std(dim=-1)  # (B, C)
    assert ratio.mean().item() == pytest.approx(0.1, rel=0.02)
    absolute = Jitter(sigma=0.1, relative_to="absolute", seed=0)(x) - x
    assert absolute.std().item() == pytest.approx(0.1, rel=0.02)


def test_scaling_is_one_factor_per_sample_and_channel() -> None:
    x = torch.rand(256, 2, 30, dtype=torch.float64) + 1
    factor = Scaling(sigma=0.2, seed=0)(x) / x  # (B, C, T)
    assert torch.allclose(factor, factor[..., :1].expand_as(factor))
    assert factor[..., 0].mean().item() == pytest.approx(1.0, abs=0.03)
    assert factor[..., 0].std().item() == pytest.approx(0.2, rel=0.1)


def test_magnitude_warp_curve_is_smooth_and_linear_without_interior_knots() -> None:
    ones = torch.ones(4, 2, 100, dtype=torch.float64)
    straight = MagnitudeWarp(sigma=0.2, knots=0, seed=0)(ones)
    assert torch.allclose(
        straight.diff(n=2, dim=-1), torch.zeros(1, dtype=torch.float64), atol=1e-12
    )
    curve = MagnitudeWarp(sigma=0.2, knots=4, seed=0)(ones)
    assert curve.diff(dim=-1).abs().max() < 0.15  # no jumps on 100 samples
    assert curve.diff(n=2, dim=-1).abs().max() < 0.02  # and no kinks
    # each channel has its own curve
    assert not torch.allclose(curve[0, 0], curve[0, 1])


def test_time_warp_speeds_have_the_requested_ratio_and_keep_the_ends() -> None:
    speeds = torch.rand(
        50, 4, generator=torch.Generator().manual_seed(0), dtype=torch.float64
    )
    knots = warp_knots(
        speeds, torch.full((50, 1), 3.0, dtype=torch.float64), length=101
    )
    pieces = knots.diff(dim=1)  # (B, 4) durations of the equally long output pieces
    assert torch.allclose(
        pieces.amax(dim=1) / pieces.amin(dim=1), torch.tensor(3.0, dtype=torch.float64)
    )
    out = TimeWarp(seed=0)(ramp(32, 101))  # reading a ramp gives the warp itself
    assert (out.diff(dim=-1) >= 0).all()
    assert torch.allclose(out[..., 0], torch.tensor(0.0, dtype=torch.float64))
    assert torch.allclose(out[..., -1], torch.tensor(100.0, dtype=torch.float64))


def test_permutation_moves_whole_pieces() -> None:
    out = Permutation(max_segments=4, seed=0)(ramp(64, 50, channels=2))
    # a permutation
    assert torch.equal(out.sort(dim=-1).values, ramp(64, 50, channels=2))
    assert torch.equal(out[:, 0], out[:, 1])  # channels move together
    jumps = (out[:, 0].diff(dim=-1) != 1).sum(dim=-1)  # piece boundaries that moved
    assert jumps.max() <= 3 and (jumps > 0).float().mean() > 0.5


def test_crop_resize_reads_one_linear_window() -> None:
    out = CropResize(min_ratio=0.5, seed=0)(ramp(200, 101))[:, 0]
    start, length = out[:, 0], out[:, -1] - out[:, 0] + 1
    assert torch.allclose(start, start.round()) and torch.allclose(
        length, length.round()
    )
    assert length.min() >= 51 and length.max() <= 101 and (start + length <= 101).all()
    assert torch.allclose(
        out.diff(dim=-1), ((length - 1) / 100)[:, None].expand(-1, 100)
    )


def test_timestamp_mask_zeroes_all_channels_of_a_timestamp() -> None:
    x = torch.ones(32, 3, 400)
    out = TimestampMask(p=0.3, seed=0)(x)
    masked = out == 0
    assert torch.equal(masked[:, 0], masked[:, 2])
    assert masked.float().mean().item() == pytest.approx(0.3, abs=0.01)


def test_frequency_mask_only_removes_bins() -> None:
    x = torch.randn(
        8, 2, 128, generator=torch.Generator().manual_seed(0), dtype=torch.float64
    )
    before = torch.fft.rfft(x).abs()
    after = torch.fft.rfft(FrequencyMask(ratio=0.3, seed=0)(x)).abs()
    kept = torch.isclose(after, before, atol=1e-9)
    removed = after < 1e-9
    assert (kept | removed).all()
    assert removed.float().mean().item() == pytest.approx(0.3, abs=0.05)
    assert torch.allclose(FrequencyMask(ratio=0.0)(x), x)


def test_channel_dropout_keeps_at_least_one_channel() -> None:
    x = torch.ones(100, 4, 10)
    out = ChannelDropout(p=1.0, seed=0)(x)
    # exactly one survivor
    assert torch.equal(out.amax(dim=-1).sum(dim=1), torch.ones(100))
    single = torch.randn(5, 1, 10)
    assert torch.equal(ChannelDropout(p=0.9)(single), single)


def test_tsaug_adapter_runs_tsaug_and_checks_shape() -> None:
    x = torch.randn(4, 2, 30, dtype=torch.float64)
    out = TsaugAugment(tsaug.Reverse())(x)
    assert out.dtype == torch.float32 and torch.allclose(out, x.flip(-1).float())
    with pytest.raises(DataError, match="changed the batch shape"):
        TsaugAugment(tsaug.Crop(size=10))(x)
    with pytest.raises(DataError, match="tsaug augmenter"):
        TsaugAugment(pipeline=3)


def test_bad_hyperparameters_raise_config_errors() -> None:
    with pytest.raises(ConfigError, match="max_speed_ratio"):
        TimeWarp(max_speed_ratio=1.0)
    with pytest.raises(ConfigError, match="Jitter.relative_to"):
        Jitter(relative_to="peak")
    with pytest.raises(ConfigError, match="CropResize.min_ratio"):
        CropResize(min_ratio=1.5)
