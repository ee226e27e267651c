"""ProjectionHead and time pooling."""

from __future__ import annotations

import pytest
import torch

from tscl.encoders.heads import ProjectionHead
from tscl.encoders.pooling import MaxPoolTime, max_pool_time
from tscl.errors import DataError


def test_head_on_pooled_and_per_step_inputs() -> None:
    torch.manual_seed(0)
    head = ProjectionHead(6, hidden_dim=10, out_dim=4)
    assert head(torch.randn(5, 6)).shape == (5, 4)
    head.eval()  # BatchNorm on running stats: each step is projected on its own
    z = torch.randn(3, 6, 7)
    out = head(z)
    assert out.shape == (3, 4, 7)
    for t in range(7):
        torch.testing.assert_close(out[:, :, t], head(z[:, :, t]))


def test_head_without_batch_norm_is_two_linears() -> None:
    head = ProjectionHead(3, hidden_dim=2, out_dim=1, batch_norm=False)
    first, last = head.mlp[0], head.mlp[3]
    with torch.no_grad():
        first.weight.copy_(torch.tensor([[1.0, 0.0, 0.0], [0.0, -1.0, 0.0]]))
        first.bias.zero_()
        last.weight.copy_(torch.tensor([[2.0, 3.0]]))
        last.bias.fill_(0.5)
    # relu([1, -2]) = [1, 0] -> 2 * 1 + 0.5; relu([-1, 4]) = [0, 4] -> 3 * 4 + 0.5
    z = torch.tensor([[1.0, 2.0, 9.0], [-1.0, -4.0, 9.0]])
    torch.testing.assert_close(head(z), torch.tensor([[2.5], [12.5]]))


def test_head_rejects_wrong_width() -> None:
    with pytest.raises(DataError, match=r"expected \(B, 6\)"):
        ProjectionHead(6)(torch.randn(2, 5))


def test_max_pool_time_hand_values() -> None:
    z = torch.tensor([[[1.0, 5.0, 3.0], [-2.0, float("nan"), -4.0]]])  # (1, 2, 3)
    torch.testing.assert_close(max_pool_time(z), torch.tensor([[5.0, -2.0]]))
    mask = torch.tensor([[True, False, True]])
    torch.testing.assert_close(max_pool_time(z, mask), torch.tensor([[3.0, -2.0]]))
    nothing = torch.zeros(1, 3, dtype=torch.bool)
    torch.testing.assert_close(MaxPoolTime()(z, nothing), torch.zeros(1, 2))


def test_max_pool_gradient_goes_to_the_argmax() -> None:
    z = torch.tensor([[[1.0, 5.0, 3.0]]], requires_grad=True)
    max_pool_time(z).sum().backward()
    assert z.grad is not None
    assert z.grad.tolist() == [[[0.0, 1.0, 0.0]]]
