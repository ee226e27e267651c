"""TS2Vec: hierarchical contrasting of overlapping random crops.

Yue et al., "TS2Vec: Towards Universal Representation of Time Series",
AAAI 2022, https://arxiv.org/abs/2106.10466. Two crops of one series overlap
on ``crop_len`` steps; the same timestamp in both crops is a positive, and
the loss contrasts instances and timestamps after each max-pool over time.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from tscl.losses.hierarchical import TS2VecLoss


def _randint(
    low: int, high: int, generator: torch.Generator, size: int | None = None
) -> Tensor:
    """Integers in [low, high) from ``generator`` (a scalar tensor when size is None)."""
    shape = (1,) if size is None else (size,)
    values = torch.randint(low, high, shape, generator=generator)
    return values[0] if size is None else values


def take_per_row(x: Tensor, starts: Tensor, length: int) -> Tensor:
    """Per-sample windows: (B, C, T), starts (B,) -> (B, C, length)."""
    index = starts.to(x.device)[:, None] + torch.arange(
        length, device=x.device
    )  # (B, L)
    index = index[:, None, :].expand(-1, x.size(1), -1)  # (B, L) -> (B, C, L)
    return torch.gather(x, 2, index)


class TS2Vec(nn.Module):
    """The TS2Vec training objective around any encoder ``(B, C, T) -> (B, D, T)``.

    Args:
        encoder: a time-resolved encoder (TS2Vec's own is ``DilatedConvEncoder``).
        alpha: weight of the instance term against the temporal term.
        temporal_unit: pooling levels below which the temporal term is skipped.
        max_train_length: longer batches are randomly cropped to this length first.
    """

    def __init__(
        self,
        encoder: nn.Module,
        *,
        alpha: float = 0.5,
        temporal_unit: int = 0,
        max_train_length: int = 3000,
    ) -> None:
        super().__init__()
        self.encoder = encoder
        self.loss = TS2VecLoss(alpha=alpha, temporal_unit=temporal_unit)
        self.temporal_unit = temporal_unit
        self.max_train_length = max_train_length

    def forward(self, x: Tensor, generator: torch.Generator) -> dict[str, Tensor]:
        """Loss on one batch ``x`` (B, C, T); crops are drawn from ``generator``."""
        if x.size(-1) > self.max_train_length:
            start = int(_randint(0, x.size(-1) - self.max_train_length + 1, generator))
            x = x[..., start : start + self.max_train_length]
        length = x.size(-1)
        crop_len = int(_randint(2 ** (self.temporal_unit + 1), length + 1, generator))
        crop_left = int(_randint(0, length - crop_len + 1, generator))
        crop_right = crop_left + crop_len
        extend_left = int(_randint(0, crop_left + 1, generator))
        extend_right = int(_randint(crop_right, length + 1, generator))
        offset = _randint(
            -extend_left, length - extend_right + 1, generator, size=x.size(0)
        )
        # View a covers [extend_left, crop_right), view b covers [crop_left, extend_right); both hold the overlap.
        z_a = self.encoder(
            take_per_row(x, offset + extend_left, crop_right - extend_left)
        )
        z_b = self.encoder(
            take_per_row(x, offset + crop_left, extend_right - crop_left)
        )
        z_a, z_b = z_a[..., -crop_len:], z_b[..., :crop_len]  # (B, D, crop_len) each
        return {"loss": self.loss(z_a, z_b)}


def default_steps(num_values: int) -> int:
    """TS2Vec's iteration rule: 200, or 600 when the data holds more than 100,000 values."""
    return 200 if num_values <= 100_000 else 600
