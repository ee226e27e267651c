"""Averaged copies of the encoder (SWA as in TS2Vec, or an EMA) used for inference."""

from __future__ import annotations

from torch import nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

from tscl.errors import ConfigError


def build_averaged(
    module: nn.Module, mode: str, ema_decay: float = 0.999
) -> AveragedModel | None:
    """``swa``: running mean of the weights over all steps; ``ema``: exponential; ``none``: no copy."""
    if mode == "none":
        return None
    if mode == "swa":
        return AveragedModel(module)
    if mode == "ema":
        return AveragedModel(module, multi_avg_fn=get_ema_multi_avg_fn(ema_decay))
    raise ConfigError(f"train.averaging: '{mode}' is not one of swa, ema, none")
