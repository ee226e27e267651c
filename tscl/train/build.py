"""Turns a ``RunConfig`` and a domain's data into training objects: the method and the batch source.

Configs become objects here and in ``tscl.builders`` only; constructors take
typed keyword arguments. Nothing here reads files or knows a domain.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

from tscl.builders import (
    build_augment,
    build_encoder,
    build_loss,
    build_pairs,
    check_components,
)
from tscl.config import RunConfig, check_ranges
from tscl.data.sections import prepare_pretraining_array
from tscl.data.sources import GroupedSource, UniformSource
from tscl.data.training import EventSet, SignalSet, TrainingData
from tscl.errors import ConfigError
from tscl.methods import METHODS
from tscl.methods.ts2vec import default_steps
from tscl.registry import build, lookup
from tscl.train.averaging import AVERAGING_MODES
from tscl.train.device import PRECISIONS, resolve_device
from tscl.train.optimizers import SCHEDULES
from tscl.types import BatchSource


def signal_sources() -> dict[str, Callable[..., BatchSource]]:
    from tscl.data.signal_slices import SignalSliceSource

    return {
        "uniform": UniformSource,
        "grouped": GroupedSource,
        "slices": SignalSliceSource,
    }


def event_sources() -> dict[str, Callable[..., BatchSource]]:
    from tscl.data.event_batches import EventSliceSource, EventUniformSource

    return {"uniform": EventUniformSource, "slices": EventSliceSource}


def all_sources() -> dict[str, Callable[..., BatchSource]]:
    """Every source name (for checking a config before its data is known)."""
    return {**signal_sources(), **event_sources()}


def check_config(config: RunConfig) -> None:
    """The one validation pass before a run: ranges, choices, every component name and parameter.

    Names are looked up in the registries (methods, encoders, augmentations,
    losses, sources, probes, domains), so a new entry validates as soon as it is
    registered. Nothing is read or created.

    Raises:
        ConfigError: one line naming the key and what it accepts.
    """
    from tscl.domains import DOMAINS, domain_evaluators
    from tscl.eval import EVAL_PROTOCOLS

    check_ranges(config)
    choices = {
        "train.schedule": (config.train.schedule, SCHEDULES),
        "train.averaging": (config.train.averaging, AVERAGING_MODES),
        "train.precision": (config.train.precision, PRECISIONS),
        "eval.protocol": (
            config.eval.protocol,
            (*EVAL_PROTOCOLS, *domain_evaluators()),
        ),
    }
    if config.domain:
        choices["domain"] = (config.domain, tuple(DOMAINS))
    for key, (value, names) in choices.items():
        lookup(dict.fromkeys(names), value, kind=key)
    resolve_device(config.train.device)
    check_components(config, all_sources())


def training_rows(data: SignalSet, max_length: int) -> SignalSet:
    """TS2Vec's sections / centring / empty-row removal, each row keeping its record's ids."""
    if not isinstance(data.x, np.ndarray):
        return data  # lazy windows are fixed-length already
    x, rows = prepare_pretraining_array(data.x, max_length, return_rows=True)
    return SignalSet(
        x=x,
        y=None if data.y is None else data.y[rows],
        ids={level: codes[rows] for level, codes in data.ids.items()},
        id_names=dict(data.id_names),
    )


def build_source(
    config: RunConfig,
    rows: SignalSet | EventSet,
    *,
    rank: int = 0,
    world_size: int = 1,
) -> BatchSource:
    """The configured batch source over the training rows (seeded from ``train.seed``)."""
    table = event_sources() if isinstance(rows, EventSet) else signal_sources()
    kind = "event batch source" if isinstance(rows, EventSet) else "signal batch source"
    return build(
        table,
        config.data.source.name,
        config.data.source.params,
        kind=kind,
        data=rows,
        batch_size=config.train.batch_size,
        generator=torch.Generator().manual_seed(config.train.seed),
        rank=rank,
        world_size=world_size,
    )


def build_method(
    config: RunConfig, in_channels: int, *, fields: dict[str, Any] | None = None
) -> nn.Module:
    """The configured pretraining method around the configured encoder and parts."""
    recipe = lookup(METHODS, config.method, kind="method")
    params: dict[str, Any] = dict(config.method_params)
    accepted = _parameters(recipe)
    if "max_train_length" in accepted:
        params.setdefault("max_train_length", config.data.max_train_length)
    augment = build_augment(config.augment)
    if augment is not None:
        if "augment" not in accepted:
            raise ConfigError(
                f"method '{config.method}' takes no augmentations (augment=)"
            )
        params["augment"] = augment
    loss = build_loss(config.loss)
    if loss is not None:
        if "loss" not in accepted:
            raise ConfigError(f"method '{config.method}' has a fixed loss (loss=)")
        params["loss"] = loss
    pairs = build_pairs(config.pairs)
    if pairs is not None:
        if "pairs" not in accepted:
            raise ConfigError(f"method '{config.method}' has fixed positives (pairs=)")
        params["pairs"] = pairs
    encoder = build_encoder(config, in_channels, fields=fields)
    return build(
        {config.method: recipe}, config.method, params, kind="method", encoder=encoder
    )


def build_data_method(config: RunConfig, data: TrainingData) -> nn.Module:
    """``build_method`` for a domain's data (signal channels or event field spec)."""
    return build_method(
        config, data.in_channels, fields=data.preprocessing.get("fields")
    )


def _parameters(factory: Callable[..., Any]) -> set[str]:
    import inspect

    return set(inspect.signature(factory).parameters)


def resolve_steps(config: RunConfig, num_values: int) -> int:
    """``train.max_steps``, or the recipe's default for this much data."""
    if config.train.max_steps > 0:
        return config.train.max_steps
    return default_steps(num_values)
