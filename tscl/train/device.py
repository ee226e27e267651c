"""Device and precision selection: CUDA when present, the CPU otherwise."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch

from tscl.errors import ConfigError

PRECISIONS = ("auto", "fp32", "bf16")  # train.precision


def resolve_device(spec: str = "auto") -> torch.device:
    """``auto`` -> the first CUDA device if there is one, else the CPU."""
    if spec == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(spec)
    except RuntimeError as err:
        raise ConfigError(
            f"train.device: '{spec}' is not a device (auto, cpu, cuda, cuda:N)"
        ) from err
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError(
            f"train.device: '{spec}' requested but no CUDA device is available"
        )
    return device


def resolve_precision(spec: str, device: torch.device) -> torch.dtype | None:
    """The autocast dtype: bf16 on CUDA for ``auto``; None means full fp32."""
    if spec == "fp32" or (spec == "auto" and device.type != "cuda"):
        return None
    if spec in ("auto", "bf16"):
        return torch.bfloat16
    raise ConfigError(
        f"train.precision: '{spec}' is not one of {', '.join(PRECISIONS)}"
    )


@contextlib.contextmanager
def autocast(device: torch.device, dtype: torch.dtype | None) -> Iterator[None]:
    """Mixed precision when ``dtype`` is set, a no-op otherwise."""
    if dtype is None:
        yield
        return
    with torch.autocast(device_type=device.type, dtype=dtype):
        yield
