"""Projection heads that map representations into the space the loss sees."""

from __future__ import annotations

from torch import Tensor, nn

from tscl.errors import DataError


class ProjectionHead(nn.Module):
    """MLP head: Linear -> BatchNorm -> ReLU -> Linear (SimCLR style).

    Accepts pooled representations (B, D) or per-step ones (B, D, T); the
    latter are projected step by step, with BatchNorm statistics taken over
    all B * T steps.

    Args:
        in_dim: D, the encoder's ``out_dim``.
        hidden_dim: width of the hidden layer.
        out_dim: size of the projection.
        batch_norm: put BatchNorm after the first Linear.
    """

    def __init__(
        self,
        in_dim: int,
        hidden_dim: int = 512,
        out_dim: int = 128,
        batch_norm: bool = True,
    ) -> None:
        super().__init__()
        self.in_dim = in_dim
        self.out_dim = out_dim
        self.mlp = nn.Sequential(
            nn.Linear(in_dim, hidden_dim),
            nn.BatchNorm1d(hidden_dim) if batch_norm else nn.Identity(),
            nn.ReLU(),
            nn.Linear(hidden_dim, out_dim),
        )

    def forward(self, z: Tensor) -> Tensor:
        """Projects (B, in_dim) -> (B, out_dim) or (B, in_dim, T) -> (B, out_dim, T)."""
        if z.dim() not in (2, 3) or z.shape[1] != self.in_dim:
            raise DataError(
                "z",
                f"expected (B, {self.in_dim}) or (B, {self.in_dim}, T), got {tuple(z.shape)}",
            )
        if z.dim() == 2:
            return self.mlp(z)
        batch, dim, length = z.shape
        steps = z.transpose(1, 2).reshape(
            batch * length, dim
        )  # (B, D, T) -> (B * T, D)
        out = self.mlp(steps)  # (B * T, out_dim)
        return out.view(batch, length, -1).transpose(
            1, 2
        )  # -> (B, T, out) -> (B, out, T)
