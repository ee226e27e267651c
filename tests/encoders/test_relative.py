"""ReferenceRelativeEncoder: signal minus reference in one shared encoder, static features carried."""

from __future__ import annotations

import pytest
import torch

from tscl.encoders import ReferenceRelativeEncoder
from tscl.errors import ConfigError

SMALL = {"hidden_dims": 8, "output_dims": 6, "depth": 2}


def test_a_window_equal_to_its_reference_has_no_deviation() -> None:
    torch.manual_seed(0)
    encoder = ReferenceRelativeEncoder(2 * 1 + 3, static_channels=3, **SMALL).eval()
    beat = torch.randn(4, 1, 30)
    static = torch.tensor([0.5, 1.0, 2.0])[None, :, None].expand(4, 3, 30)
    out = encoder(torch.cat([beat, beat, static], dim=1))
    assert out.shape == (4, 6 + 1 + 3, 30) and encoder.out_dim == 10
    assert out[:, :6].abs().max() == 0  # z(signal) - z(reference)
    assert out[:, 6].max() < 1e-3  # the deviation size
    torch.testing.assert_close(out[:, 7:], static)  # rhythm carried as given


def test_the_relative_part_is_the_difference_of_the_shared_encoder() -> None:
    torch.manual_seed(0)
    encoder = ReferenceRelativeEncoder(4, static_channels=0, **SMALL).eval()
    x = torch.randn(3, 4, 25)
    out = encoder(x)
    inner = encoder.encoder
    expected = inner(x[:, :2]) - inner(x[:, 2:])
    torch.testing.assert_close(out[:, :6], expected)
    size = (expected.square().sum(1) / 6 + 1e-8).sqrt()
    torch.testing.assert_close(out[:, 6], size)


def test_without_the_difference_only_its_size_and_the_static_part_remain() -> None:
    torch.manual_seed(0)
    full = ReferenceRelativeEncoder(2 + 2, static_channels=2, **SMALL).eval()
    sized = ReferenceRelativeEncoder(
        2 + 2, static_channels=2, difference=False, **SMALL
    )
    sized.load_state_dict(full.state_dict())  # the same shared encoder
    x = torch.randn(3, 4, 20)
    out = sized.eval()(x)
    assert out.shape == (3, 1 + 2, 20) and sized.out_dim == 3
    torch.testing.assert_close(out, full(x)[:, 6:])


def test_inner_options_reach_both_halves() -> None:
    torch.manual_seed(0)
    encoder = ReferenceRelativeEncoder(2, **SMALL).eval()
    x = torch.randn(2, 2, 40)
    starts = torch.tensor([3, 10])
    windowed = encoder(x, window=(starts, 12), lengths=torch.tensor([40, 40]))
    full = encoder(x)
    for row in range(2):
        start = int(starts[row])
        torch.testing.assert_close(
            windowed[row], full[row, :, start : start + 12], atol=1e-5, rtol=1e-4
        )


def test_channel_layout_is_checked() -> None:
    with pytest.raises(ConfigError, match="2 x signal"):
        ReferenceRelativeEncoder(5, static_channels=2)
    with pytest.raises(ConfigError, match="inner"):
        ReferenceRelativeEncoder(2, inner="relative")
