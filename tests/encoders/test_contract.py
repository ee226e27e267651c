"""Contract tests run over every signal entry of tscl.encoders.ENCODERS.

Event-sequence encoders (EVENT_ENCODERS) take an EventBatch; their contract is
in test_event_rnn.py.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
import torch

from tscl.encoders import ENCODERS, EVENT_ENCODERS

# Small widths keep each test well under a second; defaults are built once below.
SMALL: dict[str, dict[str, Any]] = {
    "dilated_conv": {"hidden_dims": 8, "output_dims": 12, "depth": 3},
    "relative": {"static_channels": 1, "hidden_dims": 8, "output_dims": 12, "depth": 3},
    "resnet1d": {"hidden_dims": 8, "output_dims": 12, "num_blocks": 2},
    "transformer": {"patch_len": 4, "d_model": 12, "num_heads": 2, "num_layers": 2},
}
NAMES = sorted(set(ENCODERS) - set(EVENT_ENCODERS))


def out_length(name: str, length: int) -> int:
    """T' for an input of T steps."""
    if name == "transformer":
        return math.ceil(length / SMALL[name]["patch_len"])
    return length


def build(name: str, in_channels: int = 3) -> torch.nn.Module:
    torch.manual_seed(0)
    return ENCODERS[name](in_channels, **SMALL[name])


def test_every_entry_has_small_settings() -> None:
    assert set(SMALL) == set(NAMES)
    assert set(EVENT_ENCODERS) <= set(ENCODERS)


@pytest.mark.parametrize("name", NAMES)
def test_default_construction_has_out_dim(name: str) -> None:
    encoder = ENCODERS[name](2)
    assert isinstance(encoder.out_dim, int) and encoder.out_dim > 0
    encoder.eval()
    out = encoder(torch.randn(2, 2, 40))
    expected_length = 40 // 8 if name == "transformer" else 40  # default patch_len 8
    assert out.shape == (2, encoder.out_dim, expected_length)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("length", [1, 2, 17, 64])
def test_shape_and_finite(name: str, training: bool, length: int) -> None:
    encoder = build(name).train(training)
    out = encoder(torch.randn(2, 3, length))
    assert out.shape == (2, encoder.out_dim, out_length(name, length))
    assert out.dtype == torch.float32
    assert torch.isfinite(out).all()


@pytest.mark.parametrize("name", NAMES)
def test_gradients_reach_every_parameter_and_input(name: str) -> None:
    encoder = build(name).train()
    x = torch.randn(3, 3, 21, requires_grad=True)
    encoder(x).square().mean().backward()
    assert (
        x.grad is not None and torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0
    )
    for pname, param in encoder.named_parameters():
        assert param.grad is not None, pname
        assert torch.isfinite(param.grad).all(), pname


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("training", [True, False])
def test_nan_input_gives_finite_output(name: str, training: bool) -> None:
    x = torch.randn(3, 3, 19)
    x[0, :, 4:9] = float("nan")  # whole timestamps missing
    x[1, 1, :] = float("nan")  # one channel missing throughout
    x[2] = float("nan")  # nothing observed at all
    encoder = build(name).train(training)
    out = encoder(x)
    assert out.shape == (3, encoder.out_dim, out_length(name, 19))
    assert torch.isfinite(out).all()


@pytest.mark.parametrize("name", NAMES)
def test_rows_are_encoded_independently_in_eval(name: str) -> None:
    encoder = build(name).eval()
    x = torch.randn(4, 3, 24)
    together = encoder(x)
    alone = torch.cat([encoder(x[i : i + 1]) for i in range(4)])
    torch.testing.assert_close(together, alone, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("name", ["dilated_conv", "resnet1d"])
def test_output_length_equals_input_length_for_many_lengths(name: str) -> None:
    encoder = build(name, in_channels=1).eval()
    for length in (1, 3, 5, 8, 31, 100):
        assert encoder(torch.randn(1, 1, length)).shape[-1] == length
