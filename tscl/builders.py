"""Config entries -> parts: encoders, augmentation pipelines, losses, and the check of every name.

Constructors take typed keyword arguments; this module maps a ``Component``
(name + params) of the run config onto them. ``check_components`` looks every
name and parameter up before any data is read, so a typo fails at once with
one line listing the valid names.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
from collections.abc import Callable, Mapping
from typing import Any

from torch import nn

from tscl.augment import AUGMENTATIONS
from tscl.config import Component, RunConfig
from tscl.encoders import ENCODERS
from tscl.errors import ConfigError
from tscl.losses import LOSSES
from tscl.registry import build, lookup

# TS2Vec's recipe defaults for its own encoder; config params override them.
RECIPE_ENCODER_DEFAULTS: dict[str, dict[str, Any]] = {
    "ts2vec": {"hidden_dims": 64, "output_dims": 320, "depth": 10},
}
# Modules whose AUGMENTATIONS table adds domain-specific augmentations to the generic ones.
DOMAIN_AUGMENTATION_MODULES = (
    "tscl.domains.ecg.augment",
    "tscl.domains.eeg.augment",
    "tscl.domains.motion.augment",
)


def augmentation_table() -> dict[str, Callable[..., nn.Module]]:
    """Every augmentation by name: the generic ones and each domain's."""
    table: dict[str, Callable[..., nn.Module]] = dict(AUGMENTATIONS)
    for module_name in DOMAIN_AUGMENTATION_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        for name, factory in getattr(module, "AUGMENTATIONS", {}).items():
            if name in table:
                raise ConfigError(
                    f"augmentation '{name}' is defined twice ({module_name})"
                )
            table[name] = factory
    return table


def build_encoder(
    config: RunConfig, in_channels: int, *, fields: dict[str, Any] | None = None
) -> nn.Module:
    """The configured encoder, with the method's recipe defaults under the user's params.

    Signal encoders are built for ``in_channels``; event-sequence encoders from
    the field spec ``fields`` their domain recorded.
    """
    params = (
        dict(RECIPE_ENCODER_DEFAULTS.get(config.method, {}))
        if config.encoder.name == "dilated_conv"
        else {}
    )
    params.update(config.encoder.params)
    shape = {"in_channels": in_channels} if fields is None else {"fields": fields}
    return build(ENCODERS, config.encoder.name, params, kind="encoder", **shape)


def build_augment(components: list[Component]) -> nn.Module | None:
    """The augmentation list as one ``nn.Sequential`` (None when empty)."""
    if not components:
        return None
    table = augmentation_table()
    parts = [build(table, c.name, c.params, kind="augmentation") for c in components]
    return nn.Sequential(*parts)


def build_pairs(component: Component) -> nn.Module | None:
    """The configured pair strategy (``tscl.pairs.PAIRS``), or None for the method's own."""
    if not component.name:
        return None
    from tscl.pairs import PAIRS

    return build(PAIRS, component.name, component.params, kind="pairs")


def build_loss(component: Component) -> nn.Module | None:
    """The configured loss, or None for the method's own."""
    if not component.name:
        return None
    return build(LOSSES, component.name, component.params, kind="loss")


def check_params(
    factory: Callable[..., Any], params: Mapping[str, Any], *, kind: str, name: str
) -> None:
    """Raises ConfigError when ``params`` names an argument ``factory`` does not take."""
    signature = inspect.signature(factory)
    if any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values()):
        return
    for key in params:
        if key not in signature.parameters:
            close = difflib.get_close_matches(key, list(signature.parameters), n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise ConfigError(f"{kind} '{name}' has no parameter '{key}'.{hint}")


def check_components(
    config: RunConfig, sources: Mapping[str, Callable[..., Any]]
) -> None:
    """Every named part of ``config`` exists and takes the given params (nothing is built)."""
    from tscl.methods import METHODS

    parts: list[tuple[Mapping[str, Callable[..., Any]], Component, str]] = [
        (
            {config.method: lookup(METHODS, config.method, kind="method")},
            Component(config.method, config.method_params),
            "method",
        ),
        (ENCODERS, config.encoder, "encoder"),
        (sources, config.data.source, "data.source"),
    ]
    if config.loss.name:
        parts.append((LOSSES, config.loss, "loss"))
    if config.pairs.name:
        from tscl.pairs import PAIRS

        parts.append((PAIRS, config.pairs, "pairs"))
    if config.augment:
        table = augmentation_table()
        parts += [(table, c, "augmentation") for c in config.augment]
    for table, component, kind in parts:
        factory = lookup(table, component.name, kind=kind)
        check_params(factory, component.params, kind=kind, name=component.name)
