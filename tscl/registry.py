"""Name -> object registries: explicit dicts in each package, built through one function."""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Mapping
from typing import Any

from tscl.errors import ConfigError


def lookup(
    table: Mapping[str, Callable[..., Any]], name: str, *, kind: str = "component"
) -> Callable[..., Any]:
    """Returns ``table[name]``, or raises a ConfigError listing the valid names."""
    if name in table:
        return table[name]
    close = difflib.get_close_matches(name, list(table), n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise ConfigError(
        f"unknown {kind} '{name}'; valid names: {', '.join(sorted(table))}.{hint}"
    )


def build(
    table: Mapping[str, Callable[..., Any]],
    name: str,
    params: Mapping[str, Any] | None = None,
    *,
    kind: str = "component",
    **extra: Any,
) -> Any:
    """Builds ``table[name](**extra, **params)``; unknown parameter names raise ConfigError.

    Args:
        table: the registry dict.
        name: the entry to build.
        params: user-supplied keyword arguments (from a config).
        kind: what the table holds, for error messages ("encoder", "loss"...).
        **extra: keyword arguments supplied by the caller (e.g. ``in_channels``).
    """
    factory = lookup(table, name, kind=kind)
    params = dict(params or {})
    signature = inspect.signature(factory)
    accepts_any = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
    if not accepts_any:
        for key in params:
            if key not in signature.parameters:
                close = difflib.get_close_matches(key, list(signature.parameters), n=1)
                hint = f" Did you mean '{close[0]}'?" if close else ""
                raise ConfigError(f"{kind} '{name}' has no parameter '{key}'.{hint}")
    try:
        return factory(**extra, **params)
    except TypeError as err:
        raise ConfigError(f"{kind} '{name}': {err}") from err
