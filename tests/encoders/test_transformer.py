"""PatchTransformer: patching, padding, missing patches, positions."""

from __future__ import annotations

import pytest
import torch

from tscl.encoders.transformer import PatchTransformer, sinusoidal_positions
from tscl.errors import ConfigError, DataError


def small(**kwargs: object) -> PatchTransformer:
    torch.manual_seed(0)
    settings = {
        "patch_len": 5,
        "d_model": 8,
        "num_heads": 2,
        "num_layers": 2,
        "dropout": 0.0,
    }
    settings.update(kwargs)
    return PatchTransformer(2, **settings).eval()  # type: ignore[arg-type]


def test_patches_are_tokens_of_all_channels() -> None:
    encoder = small()
    seen: list[torch.Tensor] = []
    encoder.embed.register_forward_hook(lambda _m, inputs, _o: seen.append(inputs[0]))
    x = torch.arange(20.0).view(1, 2, 10)  # channel 0: 0..9, channel 1: 10..19
    encoder(x)
    # Token k holds channel 0 steps 5k..5k+4, then channel 1 steps 5k..5k+4.
    expected = torch.tensor(
        [[[0.0, 1, 2, 3, 4, 10, 11, 12, 13, 14], [5, 6, 7, 8, 9, 15, 16, 17, 18, 19]]]
    )
    torch.testing.assert_close(seen[0], expected)


def test_missing_patches_do_not_change_observed_ones() -> None:
    encoder = small()
    x = torch.randn(2, 2, 20)  # 4 patches
    x[:, :, 5:10] = float("nan")  # patch 1 missing
    longer = torch.cat(
        [x, torch.full((2, 2, 10), float("nan"))], dim=-1
    )  # 2 more missing
    out, out_longer = encoder(x), encoder(longer)
    assert out_longer.shape == (2, 8, 6)
    kept = [0, 2, 3]
    torch.testing.assert_close(
        out[..., kept], out_longer[..., kept], atol=1e-5, rtol=1e-4
    )


def test_ragged_tail_is_padded_as_missing() -> None:
    encoder = small()
    x = torch.randn(1, 2, 12)  # 2 full patches + 2 steps
    padded = torch.cat([x, torch.full((1, 2, 3), float("nan"))], dim=-1)
    assert encoder(x).shape == (1, 8, 3)
    torch.testing.assert_close(encoder(x), encoder(padded))


def test_learned_positions_limit_length() -> None:
    encoder = small(positional="learned", max_patches=3)
    assert encoder(torch.randn(1, 2, 15)).shape == (1, 8, 3)
    with pytest.raises(DataError, match="max_patches"):
        encoder(torch.randn(1, 2, 16))


def test_sinusoidal_positions_values() -> None:
    codes = sinusoidal_positions(3, 4, torch.device("cpu"))
    # dim 4 -> 2 frequencies, 1 and 10000 ** -0.5 = 0.01; sin and cos interleaved.
    angles = torch.tensor([[0.0, 0.0], [1.0, 0.01], [2.0, 0.02]])
    expected = torch.stack([angles.sin(), angles.cos()], dim=-1).reshape(3, 4)
    torch.testing.assert_close(codes, expected)
    assert sinusoidal_positions(5, 7, torch.device("cpu")).shape == (5, 7)


def test_bad_settings_raise() -> None:
    with pytest.raises(ConfigError, match="positional"):
        PatchTransformer(1, positional="rotary")
    with pytest.raises(ConfigError, match="num_heads"):
        PatchTransformer(1, d_model=10, num_heads=3)
