"""One optimizer and learning-rate schedule per parameter group of a method.

A method may name its parameter groups (``parameter_groups() -> {name:
parameters}``, e.g. an encoder and a learned augmentation network) and the
order in which they step (``step_groups(step) -> [names]``, e.g. alternating
steps); without them it is one group, "main", holding every trainable
parameter. ``optimizer_options(name) -> {"lr": ..., "weight_decay": ...}``
overrides the run's settings for one group.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from tscl.config import TrainConfig
from tscl.errors import ConfigError

MAIN_GROUP = "main"

SCHEDULES = ("constant", "cosine")  # train.schedule


def parameter_groups(method: nn.Module) -> dict[str, list[nn.Parameter]]:
    """The method's named parameter groups (trainable parameters only)."""
    named = getattr(method, "parameter_groups", None)
    if named is None:
        return {MAIN_GROUP: [p for p in method.parameters() if p.requires_grad]}
    groups = {
        name: [p for p in params if p.requires_grad] for name, params in named().items()
    }
    seen: set[int] = set()
    for name, params in groups.items():
        if not params:
            raise ConfigError(
                f"method parameter group '{name}' has no trainable parameters"
            )
        if seen & {id(p) for p in params}:
            raise ConfigError(
                f"method parameter group '{name}' shares parameters with another"
            )
        seen |= {id(p) for p in params}
    return groups


def step_groups(method: nn.Module, step: int, names: Sequence[str]) -> list[str]:
    """The groups to step at ``step`` (0-based), in order: the method's, or every group."""
    order = getattr(method, "step_groups", None)
    chosen = list(names) if order is None else list(order(step))
    unknown = [name for name in chosen if name not in names]
    if unknown:
        raise ConfigError(
            f"method steps unknown parameter group(s) {unknown}; groups: {list(names)}"
        )
    return chosen


def build_optimizer(
    parameters: list[nn.Parameter],
    settings: TrainConfig,
    *,
    lr: float | None = None,
    weight_decay: float | None = None,
) -> torch.optim.Optimizer:
    """AdamW over ``parameters`` (fused kernels where this torch has them)."""
    options = {
        "lr": settings.lr if lr is None else lr,
        "weight_decay": settings.weight_decay if weight_decay is None else weight_decay,
    }
    try:
        return torch.optim.AdamW(parameters, **options, fused=True)
    except (RuntimeError, TypeError):  # fused AdamW is not built for every device
        return torch.optim.AdamW(parameters, **options)


def build_schedule(
    optimizer: torch.optim.Optimizer, settings: TrainConfig, max_steps: int
) -> torch.optim.lr_scheduler.LambdaLR:
    """Linear warm-up, then constant or cosine decay to zero at ``max_steps``."""
    if settings.schedule not in SCHEDULES:
        raise ConfigError(
            f"train.schedule: '{settings.schedule}' is not one of {', '.join(SCHEDULES)}"
        )
    warmup = settings.warmup_steps

    def factor(step: int) -> float:
        if warmup and step < warmup:
            return (step + 1) / warmup
        if settings.schedule == "constant":
            return 1.0
        progress = (step - warmup) / max(1, max_steps - warmup)
        return 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def build_group_optimizers(
    method: nn.Module, settings: TrainConfig, max_steps: int
) -> tuple[
    dict[str, torch.optim.Optimizer], dict[str, torch.optim.lr_scheduler.LambdaLR]
]:
    """An optimizer and a schedule for each parameter group of ``method``."""
    options = getattr(method, "optimizer_options", None)
    optimizers, schedules = {}, {}
    for name, params in parameter_groups(method).items():
        extra = dict(options(name)) if options is not None else {}
        unknown = set(extra) - {"lr", "weight_decay"}
        if unknown:
            raise ConfigError(
                f"optimizer_options('{name}'): unknown keys {sorted(unknown)}"
            )
        optimizers[name] = build_optimizer(params, settings, **extra)
        schedules[name] = build_schedule(optimizers[name], settings, max_steps)
    return optimizers, schedules
