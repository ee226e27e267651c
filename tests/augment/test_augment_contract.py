"""Contract of every AUGMENTATIONS entry: shape, dtype, device, randomness, NaN gaps."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import torch
import tsaug
from torch import nn

from tscl.augment import AUGMENTATIONS
from tscl.errors import DataError

# Constructor arguments for entries that have no defaults.
REQUIRED_ARGS: dict[str, dict[str, Any]] = {
    "tsaug": {"pipeline": tsaug.AddNoise(scale=0.1) + tsaug.TimeWarp()}
}
# These move samples in time, so NaN gaps move with the data instead of staying put.
MOVES_TIME = {"time_warp", "crop_resize", "permutation"}
NAMES = sorted(AUGMENTATIONS)


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    """Tiny ops run faster on one thread, above all on a shared, loaded CPU."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def build(name: str, **kwargs: Any) -> nn.Module:
    return AUGMENTATIONS[name](**REQUIRED_ARGS.get(name, {}), **kwargs)


def signal_batch(
    batch_size: int = 8, dtype: torch.dtype = torch.float32
) -> torch.Tensor:
    """(B, 3, 64) smooth, distinct channels: sines plus a ramp."""
    t = torch.linspace(0, 1, 64, dtype=dtype)
    # (3, 64)
    channels = torch.stack([torch.sin(6 * t), torch.cos(11 * t) + 2, 3 * t - 1])
    return channels.expand(batch_size, -1, -1).clone()  # identical samples: (B, 3, 64)


@pytest.mark.parametrize("name", NAMES)
def test_keeps_shape_dtype_device_and_finite(name: str) -> None:
    x = signal_batch()
    out = build(name)(x)
    assert (
        out.shape == x.shape and out.dtype == torch.float32 and out.device == x.device
    )
    assert torch.isfinite(out).all()
    if name != "tsaug":  # the adapter returns float32 by design
        x64 = signal_batch(dtype=torch.float64)
        assert build(name)(x64).dtype == torch.float64


@pytest.mark.parametrize("name", NAMES)
def test_samples_get_their_own_random_parameters(name: str) -> None:
    torch.manual_seed(0)
    out = build(name)(signal_batch(batch_size=16))  # 16 identical inputs
    distinct = {tuple(sample.flatten().tolist()) for sample in out}
    # Three channels allow only 7 distinct channel-dropout patterns.
    minimum = 2 if name == "channel_dropout" else 9
    assert len(distinct) >= minimum, (
        f"only {len(distinct)} distinct outputs for 16 samples"
    )


@pytest.mark.parametrize("name", NAMES)
def test_seed_reproduces_and_consecutive_calls_differ(name: str) -> None:
    x = signal_batch()
    first, second = build(name, seed=123), build(name, seed=123)
    out = first(x)
    assert torch.equal(out, second(x))
    assert not torch.equal(out, first(x))
    torch.manual_seed(5)
    global_first = build(name)(x)
    torch.manual_seed(5)
    # the global torch RNG drives the rest
    assert torch.equal(global_first, build(name)(x))


@pytest.mark.parametrize("name", NAMES)
def test_nan_gaps_are_kept_and_do_not_spread(name: str) -> None:
    x = signal_batch()
    x[:, 1, 20:30] = float("nan")
    x[:, :, 50] = float("nan")
    if name == "tsaug":
        with pytest.raises(DataError, match="NaN"):
            build(name)(x)
        return
    out = build(name, seed=7)(x)
    if name in MOVES_TIME:
        # The same draws applied to the missing-indicator: a sample is missing
        # exactly where missing inputs weigh more than half (float rounding
        # makes near-ties ambiguous, so those are skipped).
        moved = build(name, seed=7)(x.isnan().double())
        decided = (moved - 0.5).abs() > 1e-4
        assert torch.equal(out.isnan()[decided], (moved > 0.5)[decided])
        assert decided.float().mean() > 0.99
    else:
        assert torch.equal(out.isnan(), x.isnan())
    assert torch.isfinite(out[~out.isnan()]).all()


@pytest.mark.parametrize(
    "name",
    [n for n in NAMES if "prob" in AUGMENTATIONS[n].__init__.__code__.co_varnames],
)
def test_prob_zero_is_identity_and_prob_applies_per_sample(name: str) -> None:
    x = signal_batch(batch_size=64)
    assert torch.equal(build(name, prob=0.0)(x), x)
    torch.manual_seed(1)
    out = build(name, prob=0.5)(x)
    untouched = (out == x).flatten(1).all(dim=1).float().mean().item()
    assert 0.25 < untouched < 0.75


def test_composes_in_sequential() -> None:
    pipeline = nn.Sequential(*(build(name) for name in NAMES))
    out = pipeline(signal_batch())
    assert out.shape == (8, 3, 64) and torch.isfinite(out).all()


@pytest.mark.parametrize("name", NAMES)
def test_rejects_non_batch_input(name: str) -> None:
    with pytest.raises(DataError, match="B, C, T"):
        build(name)(torch.randn(3, 64))
