"""Averaged copies of the encoder (SWA as in TS2Vec, or an EMA) used for inference."""

from __future__ import annotations

from torch import nn
from torch.optim.swa_utils import (
    AveragedModel,
    get_ema_multi_avg_fn,
    get_swa_multi_avg_fn,
)

from tscl.errors import ConfigError

AVERAGING_MODES = ("swa", "ema", "none")  # train.averaging


def build_averaged(
    module: nn.Module, mode: str, ema_decay: float = 0.999
) -> AveragedModel | None:
    """``swa``: running mean of the weights; ``ema``: exponential; ``none``: no copy.

    As in TS2Vec, the SWA mean starts with the initial weights (one sample
    before the first step), so after n steps it averages n + 1 weight sets.
    Both averages update all parameters at once (foreach kernels).
    """
    if mode == "none":
        return None
    if mode == "swa":
        averaged = AveragedModel(module, multi_avg_fn=get_swa_multi_avg_fn())
        averaged.update_parameters(module)  # the initial weights are sample 1
        return averaged
    if mode == "ema":
        return AveragedModel(module, multi_avg_fn=get_ema_multi_avg_fn(ema_decay))
    raise ConfigError(
        f"train.averaging: '{mode}' is not one of {', '.join(AVERAGING_MODES)}"
    )
