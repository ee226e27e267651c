"""Every registered loss: finite scalar with finite gradients, and it falls under SGD."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch
from torch import nn

from tscl.losses import LOSSES


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    """Tiny ops run faster on one thread, above all on a shared, loaded CPU."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def embed_pair(
    name: str, encoder: nn.Module, x_a: torch.Tensor, x_b: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """(B, C, T) views -> (B, D, T) for the temporal loss, pooled (B, D) otherwise."""
    z_a, z_b = encoder(x_a), encoder(x_b)  # (B, D, T)
    if name == "ts2vec":
        return z_a, z_b
    return z_a.mean(dim=-1), z_b.mean(dim=-1)  # (B, D, T) -> (B, D)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_finite_scalar_with_gradients(name: str) -> None:
    generator = torch.Generator().manual_seed(0)
    shape = (6, 5, 8) if name == "ts2vec" else (6, 5)
    z_a = torch.randn(shape, generator=generator, requires_grad=True)
    z_b = torch.randn(shape, generator=generator, requires_grad=True)
    groups = torch.tensor([0, 0, 1, 2, 2, 3])
    for args in ((z_a, z_b), (z_a, z_b, groups)):
        loss = LOSSES[name]()(*args)
        assert loss.shape == () and torch.isfinite(loss)
        grad_a, grad_b = torch.autograd.grad(loss, (z_a, z_b))
        assert torch.isfinite(grad_a).all() and torch.isfinite(grad_b).all()
        assert grad_a.abs().sum() > 0 and grad_b.abs().sum() > 0


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_loss_falls_after_a_few_sgd_steps(name: str) -> None:
    torch.manual_seed(0)
    x = torch.randn(16, 3, 12)
    # two noisy views
    x_a, x_b = (
        x + 0.3 * torch.randn_like(x),
        x + 0.3 * torch.randn_like(x),
    )
    encoder = nn.Sequential(
        nn.Conv1d(3, 16, 3, padding=1), nn.ReLU(), nn.Conv1d(16, 8, 1)
    )
    optimizer = torch.optim.SGD(encoder.parameters(), lr=0.1)
    loss_fn = LOSSES[name]()
    losses = []
    for _ in range(20):
        loss = loss_fn(*embed_pair(name, encoder, x_a, x_b))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.9 * losses[0], losses
