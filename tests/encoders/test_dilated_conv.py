"""Behaviour of the TS2Vec encoder: size, masks, NaNs, causality, padding."""

from __future__ import annotations

import pytest
import torch

from tscl.encoders.dilated_conv import DilatedConvEncoder, SamePadConv
from tscl.encoders.masking import continuous_mask, timestamp_mask
from tscl.errors import ConfigError


def count(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_parameter_count_matches_ts2vec() -> None:
    # input 1->64 (128) + 10 blocks 64->64 (2 * (64*64*3 + 64) each = 24704)
    # + final block 64->320 (61760 + 307520 + 1x1 projector 20800) = 637248.
    assert count(DilatedConvEncoder(1)) == 637_248
    # Each extra input channel adds one weight per hidden unit.
    assert count(DilatedConvEncoder(12)) == 637_248 + 11 * 64


def test_blocks_use_doubling_dilations() -> None:
    encoder = DilatedConvEncoder(1, depth=4)
    dilations = [block.conv1.conv.dilation[0] for block in encoder.blocks]
    assert dilations == [1, 2, 4, 8, 16]
    assert [b.projector is not None for b in encoder.blocks] == [False] * 4 + [True]


@pytest.mark.parametrize("kernel_size", [2, 3, 4, 5])
@pytest.mark.parametrize("dilation", [1, 3])
@pytest.mark.parametrize("causal", [False, True])
def test_same_pad_conv_keeps_length(
    kernel_size: int, dilation: int, causal: bool
) -> None:
    conv = SamePadConv(2, 3, kernel_size, dilation, causal)
    for length in (1, 6, 13):
        assert conv(torch.randn(2, 2, length)).shape == (2, 3, length)


@pytest.mark.parametrize("kernel_size", [2, 3, 5])
@pytest.mark.parametrize("dilation", [1, 3, 8, 64])
@pytest.mark.parametrize("causal", [False, True])
def test_centre_tap_shortcut_equals_the_convolution(
    kernel_size: int, dilation: int, causal: bool
) -> None:
    # channels() runs a conv whose dilation spans the series as its centre tap
    # alone; values and gradients must be those of Conv1d with its padding.
    torch.manual_seed(0)
    conv = SamePadConv(3, 4, kernel_size, dilation, causal)
    for length in (1, 5, 13, 40):
        x = torch.randn(2, 3, length, requires_grad=True)
        expected, got = conv(x), conv.channels(x)
        torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-5)
        weight = torch.randn_like(expected)
        grads = torch.autograd.grad((expected * weight).sum(), [x, conv.conv.weight])
        fast = torch.autograd.grad((got * weight).sum(), [x, conv.conv.weight])
        torch.testing.assert_close(fast[0], grads[0])
        torch.testing.assert_close(fast[1], grads[1], rtol=1e-4, atol=1e-5)
    if (
        kernel_size % 2 or causal
    ):  # the tap reading step t itself exists: the shortcut ran
        assert conv.centre_tap(1) is not None


def test_same_pad_conv_centres_an_odd_field() -> None:
    conv = SamePadConv(1, 1, kernel_size=3, dilation=2)
    with torch.no_grad():
        conv.conv.weight.copy_(torch.tensor([[[1.0, 10.0, 100.0]]]))
        conv.conv.bias.zero_()
    x = torch.zeros(1, 1, 7)
    x[0, 0, 3] = 1.0
    # Output t = x[t-2] + 10 x[t] + 100 x[t+2], zeros outside.
    expected = torch.tensor([0.0, 100.0, 0.0, 10.0, 0.0, 1.0, 0.0])
    torch.testing.assert_close(conv(x)[0, 0], expected)


@pytest.mark.parametrize("kernel_size", [2, 3])
def test_causal_encoder_ignores_the_future(kernel_size: int) -> None:
    torch.manual_seed(0)
    encoder = DilatedConvEncoder(
        2, hidden_dims=8, output_dims=6, depth=4, kernel_size=kernel_size, causal=True
    ).eval()
    x = torch.randn(2, 2, 50)
    changed = x.clone()
    changed[..., 31:] = torch.randn(2, 2, 19) * 5
    out, out_changed = encoder(x), encoder(changed)
    torch.testing.assert_close(out[..., :31], out_changed[..., :31])
    assert not torch.allclose(out[..., 31:], out_changed[..., 31:])


def test_non_causal_encoder_sees_the_future() -> None:
    torch.manual_seed(0)
    encoder = DilatedConvEncoder(2, hidden_dims=8, output_dims=6, depth=4).eval()
    x = torch.randn(1, 2, 50)
    changed = x.clone()
    changed[..., 31:] += 1.0
    assert not torch.allclose(encoder(x)[..., :31], encoder(changed)[..., :31])


def test_all_nan_steps_act_as_masked_steps() -> None:
    torch.manual_seed(0)
    encoder = DilatedConvEncoder(3, hidden_dims=8, output_dims=6, depth=3).eval()
    x = torch.randn(2, 3, 30)
    with_gaps = x.clone()
    with_gaps[0, :, 5:9] = float("nan")
    keep = torch.ones(2, 30, dtype=torch.bool)
    keep[0, 5:9] = False
    torch.testing.assert_close(encoder(with_gaps), encoder(x, mask=keep))


def test_partial_nan_reads_as_zero() -> None:
    torch.manual_seed(0)
    encoder = DilatedConvEncoder(3, hidden_dims=8, output_dims=6, depth=3).eval()
    x = torch.randn(1, 3, 20)
    x_nan, x_zero = x.clone(), x.clone()
    x_nan[0, 1, 7] = float("nan")
    x_zero[0, 1, 7] = 0.0
    torch.testing.assert_close(encoder(x_nan), encoder(x_zero))


def test_training_masks_and_drops_eval_does_not() -> None:
    torch.manual_seed(0)
    encoder = DilatedConvEncoder(1, hidden_dims=8, output_dims=6, depth=2)
    x = torch.randn(2, 1, 40)
    encoder.eval()
    first, second = encoder(x), encoder(x)
    torch.testing.assert_close(first, second)
    encoder.train()
    assert not torch.allclose(encoder(x), first)
    # In training, an explicit all-true mask leaves only dropout: ~10% zeros.
    zeros = (encoder(x, mask="all_true") == 0).float().mean()
    assert 0.05 < zeros < 0.15


def test_binomial_mask_keeps_about_half() -> None:
    torch.manual_seed(0)
    keep = timestamp_mask("binomial", 64, 500, torch.device("cpu"))
    assert keep.shape == (64, 500) and keep.dtype == torch.bool
    assert abs(keep.float().mean().item() - 0.5) < 0.01


def test_continuous_mask_hides_runs() -> None:
    torch.manual_seed(0)
    keep = continuous_mask(200, 100, torch.device("cpu"))  # 5 runs of 10 steps
    hidden = (~keep).sum(dim=1)
    assert hidden.min() >= 10 and hidden.max() <= 50
    # Hidden steps come in runs: the number of run starts is at most 5.
    starts = (~keep[:, 1:] & keep[:, :-1]).sum(dim=1) + (~keep[:, 0]).long()
    assert starts.max() <= 5


def test_mask_last_and_all_true() -> None:
    keep = timestamp_mask("mask_last", 2, 4, torch.device("cpu"))
    assert keep.tolist() == [[True, True, True, False]] * 2
    assert timestamp_mask("all_true", 2, 3, torch.device("cpu")).all()


def test_bad_masks_raise_config_error() -> None:
    with pytest.raises(ConfigError, match="mask_mode"):
        DilatedConvEncoder(1, mask_mode="bernoulli")
    encoder = DilatedConvEncoder(1, hidden_dims=4, output_dims=4, depth=1)
    with pytest.raises(ConfigError, match="bool tensor of shape"):
        encoder(torch.randn(2, 1, 10), mask=torch.ones(2, 9, dtype=torch.bool))


def test_lengths_batch_equals_separate_calls() -> None:
    """Rows right-padded into one batch with their true lengths encode as if alone."""
    torch.manual_seed(0)
    encoder = DilatedConvEncoder(2, hidden_dims=16, output_dims=8, depth=4).eval()
    long, short = torch.randn(3, 2, 50), torch.randn(2, 2, 37)
    padded = torch.nn.functional.pad(short, (0, 13), value=float("nan"))
    together = encoder(
        torch.cat([long, padded]), lengths=torch.tensor([50, 50, 50, 37, 37])
    )
    torch.testing.assert_close(together[:3], encoder(long), atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(
        together[3:, :, :37], encoder(short), atol=1e-5, rtol=1e-5
    )
    assert torch.all(together[3:, :, 37:] == 0)
