"""The training loop shared by every method.

A *method* is an ``nn.Module`` with an ``encoder`` attribute whose
``forward(x, generator) -> dict[str, Tensor]`` returns at least ``"loss"``;
it owns whatever else it trains (heads, learned augmentations). Calling the
module (not a named method) lets ``DistributedDataParallel`` wrap it. The loop
owns the optimiser, schedule, clipping, averaged encoder, mixed precision,
validation loss, progress bar and atomic checkpoints, and resumes bit-exactly
on the CPU from any checkpoint.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn
from tqdm.auto import tqdm

from tscl.config import TrainConfig
from tscl.errors import ConfigError
from tscl.train.averaging import build_averaged
from tscl.train.checkpoint import (
    capture_rng_state,
    load_checkpoint,
    restore_rng_state,
    save_checkpoint,
)
from tscl.train.device import autocast, resolve_device, resolve_precision

StepCallback = Callable[[int, dict[str, float]], None]


@dataclass
class TrainResult:
    """What ``fit`` leaves: the trained method, its averaged encoder and the loss history."""

    method: nn.Module
    averaged: nn.Module | None
    steps: int
    history: list[dict[str, float]] = field(default_factory=list)
    checkpoint: Path | None = None
    seconds: float = 0.0

    @property
    def encoder(self) -> nn.Module:
        """The encoder to use for inference: the averaged copy when there is one."""
        if self.averaged is not None:
            return self.averaged.module
        return self.method.encoder


@dataclass(frozen=True)
class Distributed:
    """This process's place in data-parallel training (rank 0 of 1 when alone).

    ``wrap`` turns the method into its parallel form (e.g. DDP); every rank draws
    the same batch order and takes its own slice of each global batch.
    """

    rank: int = 0
    world_size: int = 1
    wrap: Callable[[nn.Module], nn.Module] | None = None


def build_schedule(
    optimizer: torch.optim.Optimizer, settings: TrainConfig, max_steps: int
) -> torch.optim.lr_scheduler.LambdaLR:
    """Linear warm-up, then constant or cosine decay to zero at ``max_steps``."""
    if settings.schedule not in ("constant", "cosine"):
        raise ConfigError(
            f"train.schedule: '{settings.schedule}' is not one of constant, cosine"
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


class BatchSampler:
    """Shuffled, drop-last batches over N samples, reproducible from a generator.

    With ``world_size`` > 1 each global batch is ``batch_size * world_size``
    samples and rank r takes slice r. The current permutation and position are
    part of the checkpoint.
    """

    def __init__(
        self,
        num_samples: int,
        batch_size: int,
        generator: torch.Generator,
        rank: int = 0,
        world_size: int = 1,
    ) -> None:
        self.num_samples = num_samples
        self.batch_size = max(1, min(batch_size, num_samples // world_size))
        self.generator = generator
        self.rank, self.world_size = rank, world_size
        self.order = torch.empty(0, dtype=torch.long)
        self.position = 0

    def next(self) -> Tensor:
        span = self.batch_size * self.world_size
        if self.position + span > len(self.order):
            self.order = torch.randperm(self.num_samples, generator=self.generator)
            self.position = 0
        start = self.position + self.rank * self.batch_size
        self.position += span
        return self.order[start : start + self.batch_size]

    def state_dict(self) -> dict[str, Any]:
        return {"order": self.order, "position": self.position}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.order, self.position = state["order"], state["position"]


@torch.no_grad()
def validation_loss(
    method: nn.Module, data: Tensor, batch_size: int, device: torch.device, seed: int
) -> float:
    """Mean training objective on held-out data, with fixed randomness so values compare."""
    generator = torch.Generator().manual_seed(seed)
    was_training = method.training
    method.eval()
    rng = torch.get_rng_state()
    torch.manual_seed(seed)
    losses = []
    for start in range(0, len(data) - 1, batch_size):
        batch = data[start : start + batch_size]
        if len(batch) < 2:
            break
        losses.append(float(method(batch.to(device), generator)["loss"]))
    torch.set_rng_state(rng)
    method.train(was_training)
    return sum(losses) / max(1, len(losses))


def build_optimizer(method: nn.Module, settings: TrainConfig) -> torch.optim.Optimizer:
    """AdamW over every trainable parameter (fused kernels where this torch has them)."""
    parameters = [p for p in method.parameters() if p.requires_grad]
    try:
        return torch.optim.AdamW(
            parameters, lr=settings.lr, weight_decay=settings.weight_decay, fused=True
        )
    except (RuntimeError, TypeError):  # fused AdamW is not built for every device
        return torch.optim.AdamW(
            parameters, lr=settings.lr, weight_decay=settings.weight_decay
        )


def fit(
    method: nn.Module,
    data: Tensor,
    settings: TrainConfig,
    *,
    max_steps: int,
    val_data: Tensor | None = None,
    checkpoint_path: str | Path | None = None,
    resume: str | Path | None = None,
    callbacks: Sequence[StepCallback] = (),
    config_text: str = "",
    distributed: Distributed = Distributed(),
) -> TrainResult:
    """Trains ``method`` on ``data`` (N, C, T) for ``max_steps`` optimiser steps.

    Args:
        method: see the module docstring.
        data: training samples, (N, C, T) float32, NaN allowed where the method handles it.
        settings: optimiser / runtime settings.
        max_steps: total number of steps (a resumed run continues up to it).
        val_data: held-out samples for the validation loss (every ``settings.val_every`` steps).
        checkpoint_path: where checkpoints go (every ``checkpoint_every`` steps and at the end).
        resume: a checkpoint to continue from.
        callbacks: called after each logged step with ``(step, metrics)`` (rank 0 only).
        config_text: the run's YAML config, stored inside checkpoints.
        distributed: rank, world size and wrapper for data-parallel training.
    """
    trainer = _Trainer(method, data, settings, max_steps, distributed)
    if resume is not None:
        trainer.load(load_checkpoint(resume))
    return trainer.run(val_data, checkpoint_path, callbacks, config_text)


class _Trainer:
    """The state of one ``fit`` call (kept private: ``fit`` is the interface)."""

    def __init__(
        self,
        method: nn.Module,
        data: Tensor,
        settings: TrainConfig,
        max_steps: int,
        distributed: Distributed,
    ) -> None:
        if settings.num_threads:
            torch.set_num_threads(settings.num_threads)
        self.settings, self.data, self.max_steps = settings, data, max_steps
        self.distributed = distributed
        self.device = resolve_device(settings.device)
        self.amp_dtype = resolve_precision(settings.precision, self.device)
        torch.manual_seed(settings.seed + distributed.rank)
        # Batch order is shared by all ranks; crops, masks and dropout differ per rank.
        self.order_generator = torch.Generator().manual_seed(settings.seed)
        self.generator = torch.Generator().manual_seed(settings.seed + distributed.rank)
        self.method = method.to(self.device)
        self.model = distributed.wrap(self.method) if distributed.wrap else self.method
        self.averaged = build_averaged(
            method.encoder, settings.averaging, settings.ema_decay
        )
        self.optimizer = build_optimizer(method, settings)
        self.scheduler = build_schedule(self.optimizer, settings, max_steps)
        self.sampler = BatchSampler(
            len(data),
            settings.batch_size,
            self.order_generator,
            distributed.rank,
            distributed.world_size,
        )
        self.history: list[dict[str, float]] = []
        self.step = 0

    def state(self, config_text: str) -> dict[str, Any]:
        return {
            "method": self.method.state_dict(),
            "averaged": None if self.averaged is None else self.averaged.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "scaler": None,  # bf16 autocast needs no loss scaling
            "sampler": self.sampler.state_dict(),
            "rng": capture_rng_state(self.generator),
            "order_rng": self.order_generator.get_state(),
            "history": self.history,
            "step": self.step,
            "config": config_text,
        }

    def load(self, state: dict[str, Any]) -> None:
        self.method.load_state_dict(state["method"])
        if self.averaged is not None and state.get("averaged") is not None:
            self.averaged.load_state_dict(state["averaged"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        self.sampler.load_state_dict(state["sampler"])
        restore_rng_state(state["rng"], self.generator)
        self.order_generator.set_state(state["order_rng"])
        self.history, self.step = state["history"], state["step"]

    def train_step(self) -> dict[str, Tensor]:
        batch = self.data[self.sampler.next()].to(self.device, non_blocking=True)
        with autocast(self.device, self.amp_dtype):
            terms = self.model(batch, self.generator)
        self.optimizer.zero_grad(set_to_none=True)
        terms["loss"].backward()
        if self.settings.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(
                self.method.parameters(), self.settings.grad_clip
            )
        self.optimizer.step()
        self.scheduler.step()
        if self.averaged is not None:
            self.averaged.update_parameters(self.method.encoder)
        self.step += 1
        return terms

    def run(
        self,
        val_data: Tensor | None,
        checkpoint_path: str | Path | None,
        callbacks: Sequence[StepCallback],
        config_text: str,
    ) -> TrainResult:
        settings, is_main = self.settings, self.distributed.rank == 0
        if settings.compile:
            self.method.encoder.compile()

        def checkpoint() -> Path | None:
            if checkpoint_path is None or not is_main:
                return None
            return save_checkpoint(checkpoint_path, self.state(config_text))

        self.method.train()
        started = window_start = time.perf_counter()
        window_samples = 0
        bar = tqdm(
            total=self.max_steps,
            initial=self.step,
            disable=True
            if not (settings.progress and is_main)
            else None,  # None: off when not a TTY
            desc="pretrain",
            leave=False,
        )
        while self.step < self.max_steps:
            terms = self.train_step()
            window_samples += self.sampler.batch_size * self.distributed.world_size
            step = self.step
            metrics: dict[str, float] = {}
            if (
                val_data is not None
                and settings.val_every
                and step % settings.val_every == 0
            ):
                metrics["val_loss"] = validation_loss(
                    self.method,
                    val_data,
                    settings.batch_size,
                    self.device,
                    settings.seed,
                )
            if (
                metrics
                or step % max(1, settings.log_every) == 0
                or step == self.max_steps
            ):
                now = time.perf_counter()
                metrics.update({k: float(v.detach()) for k, v in terms.items()})
                metrics["lr"] = self.scheduler.get_last_lr()[0]
                metrics["samples_per_s"] = window_samples / max(
                    now - window_start, 1e-9
                )
                window_start, window_samples = now, 0
                self.history.append({"step": step, **metrics})
                bar.set_postfix(
                    loss=f"{metrics['loss']:.4f}", sps=f"{metrics['samples_per_s']:.0f}"
                )
                for callback in callbacks if is_main else ():
                    callback(step, metrics)
            bar.update(1)
            if (
                settings.checkpoint_every
                and step % settings.checkpoint_every == 0
                and step < self.max_steps
            ):
                checkpoint()
        bar.close()
        self.method.eval()
        return TrainResult(
            method=self.method,
            averaged=self.averaged,
            steps=self.step,
            history=self.history,
            checkpoint=checkpoint(),
            seconds=time.perf_counter() - started,
        )
