"""The training loop shared by every method.

A *method* is an ``nn.Module`` with an ``encoder`` attribute whose
``forward(batch, generator) -> dict[str, Tensor]`` returns at least ``"loss"``
for a ``SignalBatch`` or ``EventBatch``. A method with several parameter groups
(``parameter_groups()``, see ``tscl.train.optimizers``) is called once per group
it steps, as ``forward(batch, generator, group=name)``, and each call's
``"loss"`` updates that group alone with its own optimizer and schedule, in the
order ``step_groups(step)`` gives. ``prepare(context)``, when a method has it,
receives what was built before training (``TrainContext``). Calling the module
(not a named method) lets ``DistributedDataParallel`` wrap it.

The loop owns the optimizers, schedules, clipping, averaged encoder, mixed
precision, validation loss, progress bar and atomic checkpoints (all optimizers,
schedules, the batch source and every RNG), and resumes bit-exactly on the CPU.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from tscl.config import TrainConfig
from tscl.data.sources import UniformSource, iter_signal_batches
from tscl.data.training import SignalSet
from tscl.errors import TsclError
from tscl.train.averaging import build_averaged
from tscl.train.checkpoint import (
    capture_rng_state,
    load_checkpoint,
    restore_rng_state,
    save_checkpoint,
)
from tscl.train.compile_shapes import compile_dynamic
from tscl.train.device import autocast, resolve_device, resolve_precision
from tscl.train.optimizers import build_group_optimizers, step_groups
from tscl.train.progress import Progress, describe_source
from tscl.train.validation import validation_loss
from tscl.types import Batch, BatchSource

StepCallback = Callable[[int, dict[str, float]], None]
CheckpointHook = Callable[[Path, int], None]  # (checkpoint path, step), after the write
ValidationData = Callable[[], Iterable[Batch]]


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
    the same global batch and takes its own slice.
    """

    rank: int = 0
    world_size: int = 1
    wrap: Callable[[nn.Module], nn.Module] | None = None


@dataclass
class TrainContext:
    """What a method's ``prepare`` may use before the first step."""

    source: BatchSource
    device: torch.device
    settings: TrainConfig
    extra: dict[str, Any] = field(default_factory=dict)


def as_source(
    data: Tensor | BatchSource, settings: TrainConfig, distributed: Distributed
) -> BatchSource:
    """A batch source: as given, or uniform batches over an (N, C, T) tensor."""
    if isinstance(data, Tensor):
        rows = SignalSet(x=data.numpy())
        return UniformSource(
            rows,
            batch_size=settings.batch_size,
            generator=torch.Generator().manual_seed(settings.seed),
            rank=distributed.rank,
            world_size=distributed.world_size,
        )
    return data


def as_validation(
    data: Tensor | SignalSet | ValidationData | None, batch_size: int
) -> ValidationData | None:
    """Validation batches as a zero-argument callable (a tensor or set is batched in order)."""
    if data is None or callable(data):
        return data
    rows = SignalSet(x=data.numpy()) if isinstance(data, Tensor) else data
    return lambda: iter_signal_batches(rows, batch_size)


def fit(
    method: nn.Module,
    data: Tensor | BatchSource,
    settings: TrainConfig,
    *,
    max_steps: int,
    val_data: Tensor | SignalSet | ValidationData | None = None,
    checkpoint_path: str | Path | None = None,
    resume: str | Path | None = None,
    callbacks: Sequence[StepCallback] = (),
    after_checkpoint: Sequence[CheckpointHook] = (),
    config_text: str = "",
    distributed: Distributed = Distributed(),
    context: dict[str, Any] | None = None,
) -> TrainResult:
    """Trains ``method`` for ``max_steps`` steps on batches from ``data``.

    Args:
        method: see the module docstring.
        data: a batch source, or training samples (N, C, T) float32 (NaN where
            unobserved) drawn as uniform shuffled batches of ``settings.batch_size``.
        settings: optimiser / runtime settings.
        max_steps: total number of steps (a resumed run continues up to it).
        val_data: held-out rows (or a callable yielding batches) for the
            validation loss every ``settings.val_every`` steps.
        checkpoint_path: where checkpoints go (every ``checkpoint_every`` steps and at the end).
        resume: a checkpoint to continue from.
        callbacks: called after each logged step with ``(step, metrics)`` (rank 0 only).
        after_checkpoint: called with ``(path, step)`` after each checkpoint is written.
        config_text: the run's YAML config, stored inside checkpoints.
        distributed: rank, world size and wrapper for data-parallel training.
        context: extra entries of the ``TrainContext`` given to ``method.prepare``.
    """
    source = as_source(data, settings, distributed)
    trainer = _Trainer(method, source, settings, max_steps, distributed)
    prepare = getattr(method, "prepare", None)
    if prepare is not None:
        prepare(TrainContext(source, trainer.device, settings, dict(context or {})))
    if resume is not None:
        try:
            trainer.load(load_checkpoint(resume))
        except (KeyError, RuntimeError, ValueError) as err:
            reason = " ".join(str(err).split())[:200]
            raise TsclError(f"{resume}: does not fit this model ({reason})") from err
    validation = as_validation(val_data, settings.batch_size)
    return trainer.run(
        validation, checkpoint_path, callbacks, after_checkpoint, config_text
    )


class _Trainer:
    """The state of one ``fit`` call (kept private: ``fit`` is the interface)."""

    def __init__(
        self,
        method: nn.Module,
        source: BatchSource,
        settings: TrainConfig,
        max_steps: int,
        distributed: Distributed,
    ) -> None:
        if settings.num_threads:
            torch.set_num_threads(settings.num_threads)
        self.settings, self.source, self.max_steps = settings, source, max_steps
        self.distributed = distributed
        self.device = resolve_device(settings.device)
        self.amp_dtype = resolve_precision(settings.precision, self.device)
        torch.manual_seed(settings.seed + distributed.rank)
        # Crops, masks and dropout differ per rank; the batch order is the source's.
        self.generator = torch.Generator().manual_seed(settings.seed + distributed.rank)
        self.method = method.to(self.device)
        self.model = distributed.wrap(self.method) if distributed.wrap else self.method
        self.averaged = build_averaged(
            method.encoder, settings.averaging, settings.ema_decay
        )
        self.optimizers, self.schedules = build_group_optimizers(
            method, settings, max_steps
        )
        self.history: list[dict[str, float]] = []
        self.step = 0

    def state(self, config_text: str) -> dict[str, Any]:
        return {
            "method": self.method.state_dict(),
            "averaged": None if self.averaged is None else self.averaged.state_dict(),
            "optimizers": {k: o.state_dict() for k, o in self.optimizers.items()},
            "schedulers": {k: s.state_dict() for k, s in self.schedules.items()},
            "scaler": None,  # bf16 autocast needs no loss scaling
            "source": self.source.state_dict(),
            "rng": capture_rng_state(self.generator),
            "history": self.history,
            "step": self.step,
            "config": config_text,
        }

    def load(self, state: dict[str, Any]) -> None:
        self.method.load_state_dict(state["method"])
        if self.averaged is not None and state.get("averaged") is not None:
            self.averaged.load_state_dict(state["averaged"])
        for name, optimizer in self.optimizers.items():
            optimizer.load_state_dict(state["optimizers"][name])
            self.schedules[name].load_state_dict(state["schedulers"][name])
        self.source.load_state_dict(state["source"])
        restore_rng_state(state["rng"], self.generator)
        self.history, self.step = state["history"], state["step"]

    def train_step(self) -> dict[str, Tensor]:
        batch = self.source.next().to(self.device)
        groups = step_groups(self.method, self.step, list(self.optimizers))
        terms: dict[str, Tensor] = {}
        for name in groups:
            with autocast(self.device, self.amp_dtype):
                if len(self.optimizers) == 1:
                    out = self.model(batch, self.generator)
                else:
                    out = self.model(batch, self.generator, group=name)
            self.method.zero_grad(set_to_none=True)
            out["loss"].backward()
            optimizer = self.optimizers[name]
            if self.settings.grad_clip > 0:
                params = [p for g in optimizer.param_groups for p in g["params"]]
                torch.nn.utils.clip_grad_norm_(params, self.settings.grad_clip)
            optimizer.step()
            self.schedules[name].step()
            prefix = "" if len(self.optimizers) == 1 else f"{name}."
            terms.update({f"{prefix}{k}": v for k, v in out.items()})
        if len(self.optimizers) > 1 and "loss" not in terms:
            terms["loss"] = terms[f"{groups[-1]}.loss"]
        if self.averaged is not None:
            self.averaged.update_parameters(self.method.encoder)
        self.step += 1
        return terms

    def run(
        self,
        validation: ValidationData | None,
        checkpoint_path: str | Path | None,
        callbacks: Sequence[StepCallback],
        after_checkpoint: Sequence[CheckpointHook],
        config_text: str,
    ) -> TrainResult:
        settings, is_main = self.settings, self.distributed.rank == 0
        if settings.compile:
            compile_dynamic(self.method.encoder)

        def checkpoint() -> Path | None:
            if checkpoint_path is None or not is_main:
                return None
            path = save_checkpoint(checkpoint_path, self.state(config_text))
            for hook in after_checkpoint:
                hook(path, self.step)
            return path

        self.method.train()
        started = window_start = time.perf_counter()
        window_samples = 0
        bar = Progress(
            self.max_steps, self.step, enabled=bool(settings.progress and is_main)
        )
        bar.start(
            f"pretraining on {self.device}: {describe_source(self.source)}, batch "
            f"{self.source.batch_size}, steps {self.step + 1}..{self.max_steps}"
        )
        shown: dict[str, str] | None = None
        while self.step < self.max_steps:
            terms = self.train_step()
            window_samples += self.source.batch_size * self.distributed.world_size
            step = self.step
            metrics: dict[str, float] = {}
            if (
                validation is not None
                and settings.val_every
                and step % settings.val_every == 0
            ):
                metrics["val_loss"] = validation_loss(
                    self.method, validation, self.device, settings.seed
                )
            if (
                metrics
                or step % max(1, settings.log_every) == 0
                or step == self.max_steps
            ):
                now = time.perf_counter()
                metrics.update({k: float(v.detach()) for k, v in terms.items()})
                for name, schedule in self.schedules.items():
                    key = "lr" if len(self.schedules) == 1 else f"{name}.lr"
                    metrics[key] = schedule.get_last_lr()[0]
                metrics["samples_per_s"] = window_samples / max(
                    now - window_start, 1e-9
                )
                window_start, window_samples = now, 0
                self.history.append({"step": step, **metrics})
                shown = {
                    "loss": f"{metrics['loss']:.4f}",
                    "samples/s": f"{metrics['samples_per_s']:.0f}",
                }
                for callback in callbacks if is_main else ():
                    callback(step, metrics)
            bar.update(step, shown)
            shown = None
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
