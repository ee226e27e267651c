"""Timestamp masks and NaN handling shared by the encoders.

TS2Vec (Yue et al. 2022, https://arxiv.org/abs/2106.10466) hides random
timestamps of the projected input during training, and treats timestamps that
hold no observation as hidden too. These functions build those masks as tensor
ops on the input's device.
"""

from __future__ import annotations

import torch
from torch import Tensor

from tscl.errors import ConfigError

MASK_MODES = ("binomial", "continuous", "all_true", "mask_last")


def fill_missing(x: Tensor) -> tuple[Tensor, Tensor]:
    """Zero-fills NaNs and reports which timestamps hold any observation.

    A timestamp where every channel is NaN is "unobserved": the encoders zero
    its projected input, as TS2Vec does. A NaN in only some channels is
    replaced by 0 and the timestamp stays observed.

    Args:
        x: signals, (B, C, T).

    Returns:
        The filled signals (B, C, T) and the observed mask (B, T), True where at
        least one channel is finite.
    """
    missing = torch.isnan(x)  # (B, C, T)
    observed = ~missing.all(dim=1)  # (B, T)
    return x.masked_fill(missing, 0.0), observed


def binomial_mask(
    batch: int, length: int, device: torch.device, p: float = 0.5
) -> Tensor:
    """Keeps each timestamp independently with probability ``p``. Returns (B, T) bool."""
    return torch.rand(batch, length, device=device) < p


def continuous_mask(
    batch: int,
    length: int,
    device: torch.device,
    num_segments: int = 5,
    fraction: float = 0.1,
) -> Tensor:
    """Hides ``num_segments`` random runs of ``fraction * T`` timestamps per row.

    Returns:
        (B, T) bool, False inside the hidden runs.
    """
    run = max(int(fraction * length), 1)
    starts = torch.randint(
        0, max(length - run + 1, 1), (batch, num_segments, 1), device=device
    )
    steps = torch.arange(length, device=device)  # (T,)
    # (B, S, 1) vs (T,) -> (B, S, T): True inside segment s of row b.
    hidden = (steps >= starts) & (steps < starts + run)
    return ~hidden.any(dim=1)


def timestamp_mask(
    mode: str | Tensor, batch: int, length: int, device: torch.device
) -> Tensor:
    """Builds the (B, T) keep-mask named by ``mode`` (or checks a given one).

    Args:
        mode: "binomial" (p=0.5), "continuous", "all_true", "mask_last" (hides
            only the last step), or a bool tensor (B, T).
        batch: B.
        length: T.
        device: where the mask is built.

    Returns:
        (B, T) bool, True where the timestamp is kept.
    """
    if isinstance(mode, Tensor):
        if mode.shape != (batch, length) or mode.dtype != torch.bool:
            raise ConfigError(
                f"mask: expected a bool tensor of shape {(batch, length)}, "
                f"got {mode.dtype} {tuple(mode.shape)}"
            )
        return mode.to(device)
    if mode == "binomial":
        return binomial_mask(batch, length, device)
    if mode == "continuous":
        return continuous_mask(batch, length, device)
    keep = torch.ones(batch, length, dtype=torch.bool, device=device)
    if mode == "all_true":
        return keep
    if mode == "mask_last":
        keep[:, -1] = False
        return keep
    raise ConfigError(
        f"mask: expected one of {MASK_MODES} or a bool tensor, got {mode!r}"
    )
