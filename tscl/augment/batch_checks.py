"""Validation of augmentation inputs and hyperparameters (one-line user errors)."""

from __future__ import annotations

from torch import Tensor

from tscl.errors import ConfigError, DataError


def check_signal_batch(x: Tensor, owner: str, min_length: int = 1) -> None:
    """Raises DataError unless ``x`` is a floating (B, C, T) batch with T >= min_length."""
    if x.ndim != 3 or not x.is_floating_point():
        raise DataError(
            f"{owner} input",
            f"expected a floating (B, C, T) tensor, got {x.dtype} of shape {tuple(x.shape)}",
        )
    if x.shape[-1] < min_length:
        raise DataError(
            f"{owner} input",
            f"expected at least {min_length} timestamps, got {x.shape[-1]}",
        )


def check_range(value: float, name: str, low: float, high: float) -> None:
    """Raises ConfigError unless low <= value <= high."""
    if not low <= value <= high:
        raise ConfigError(f"{name} must lie in [{low}, {high}], got {value}")
