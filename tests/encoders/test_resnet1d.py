"""ResNet1D: causality in eval mode, shortcut layout."""

from __future__ import annotations

import pytest
import torch

from tscl.encoders.resnet1d import ResNet1D
from tscl.errors import ConfigError


def test_causal_resnet_ignores_the_future_in_eval() -> None:
    torch.manual_seed(0)
    encoder = ResNet1D(2, hidden_dims=8, output_dims=6, num_blocks=2, causal=True)
    encoder.train()
    encoder(torch.randn(4, 2, 40))  # give BatchNorm non-trivial running stats
    encoder.eval()
    x = torch.randn(2, 2, 40)
    changed = x.clone()
    changed[..., 25:] = torch.randn(2, 2, 15) * 3
    out, out_changed = encoder(x), encoder(changed)
    torch.testing.assert_close(out[..., :25], out_changed[..., :25])
    assert not torch.allclose(out[..., 25:], out_changed[..., 25:])


def test_non_causal_resnet_sees_the_future() -> None:
    torch.manual_seed(0)
    encoder = ResNet1D(1, hidden_dims=8, output_dims=6, num_blocks=2).eval()
    x = torch.randn(1, 1, 40)
    changed = x.clone()
    changed[..., 25:] += 1.0
    assert not torch.allclose(encoder(x)[..., :25], encoder(changed)[..., :25])


def test_shortcut_is_identity_unless_width_changes() -> None:
    encoder = ResNet1D(1, hidden_dims=8, output_dims=16, num_blocks=3)
    kinds = [type(block.shortcut).__name__ for block in encoder.blocks]
    assert kinds == ["Identity", "Identity", "Sequential"]


def test_outputs_are_non_negative_after_final_relu() -> None:
    encoder = ResNet1D(3, hidden_dims=8, output_dims=6, num_blocks=1).eval()
    assert (encoder(torch.randn(2, 3, 30)) >= 0).all()


def test_bad_settings_raise() -> None:
    with pytest.raises(ConfigError, match="num_blocks"):
        ResNet1D(1, num_blocks=0)
