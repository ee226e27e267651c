"""Domain modules: what each family of data brings to a run (loaders, preprocessing, defaults).

``DOMAINS`` maps each ``domain=`` name to the module defining it (imported on
first use, so ``tscl --help`` stays fast and MNE loads only for EEG). A domain
module exposes one ``Domain`` named after it in upper case.
"""

from __future__ import annotations

import copy
import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tscl.config import RunConfig, load_config
from tscl.domains.domain import Domain
from tscl.errors import ConfigError
from tscl.registry import lookup

DOMAINS = {
    "archive": "tscl.domains.archive",
    "ecg": "tscl.domains.ecg",
    "eeg": "tscl.domains.eeg",
    "events": "tscl.domains.events",
    "forecast": "tscl.domains.forecast",
    "motion": "tscl.domains.motion",
}

# File kind -> the domain that reads it when no domain is named.
FORMAT_DOMAINS = {
    "ts": "archive",
    "wfdb": "ecg",
    "edf": "eeg",
    "parquet": "events",
    "npz": "motion",
    "csv": "forecast",
}
# A card's own domain wins over its format for these (e.g. the EEG eye-state CSV);
# .ts archives stay in the archive domain whatever their field.
CARD_DOMAINS = ("ecg", "eeg", "motion", "events")


def get_domain(name: str) -> Domain:
    """The ``Domain`` registered as ``name`` (ConfigError listing the valid names)."""
    module = importlib.import_module(lookup(DOMAINS, name, kind="domain"))
    return getattr(module, name.upper())


def domain_evaluators() -> dict[str, Any]:
    """Every ``eval.protocol`` a domain supplies -> its evaluator (``Domain.evaluators``)."""
    supplied: dict[str, Any] = {}
    for name in DOMAINS:
        supplied.update(get_domain(name).evaluators)
    return supplied


def file_kind(path: Path) -> str:
    """The data format of a user's file or folder, from its suffix or contents."""
    suffix = path.suffix.lower()
    if suffix in (".hea", ".dat", ".atr") or path.with_suffix(".hea").is_file():
        return "wfdb"
    if path.is_dir():
        for kind, pattern in (
            ("wfdb", "*.hea"),
            ("edf", "*.edf"),
            ("parquet", "*.parquet"),
        ):
            if any(path.glob(pattern)) or any(path.glob(f"*/{pattern}")):
                return kind
        return "folder"
    if suffix in (".gz",):
        return "csv"
    return suffix.lstrip(".")


def infer_domain(dataset: str) -> str:
    """The domain of a data set when the config names none: from its card, or its file kind."""
    from tscl.data.catalog import card_names, load_card
    from tscl.data.dataset_ref import as_path

    path = as_path(dataset)
    if path is None and dataset in card_names():
        card = load_card(dataset)
        if card.format != "ts" and card.domain in CARD_DOMAINS:
            return card.domain
        kind = card.format
    elif path is not None:
        kind = file_kind(path)
    else:
        raise ConfigError(
            f"dataset '{dataset}' is neither a catalog name (tscl data list) "
            "nor an existing path"
        )
    domain = FORMAT_DOMAINS.get(kind)
    if domain is None or domain not in DOMAINS:
        raise ConfigError(
            f"dataset '{dataset}': no domain reads '{kind}' data yet; set domain= (one of {', '.join(sorted(DOMAINS))})"
        )
    return domain


def load_run_config(
    path: str | Path | None = None,
    overrides: list[str] | tuple[str, ...] = (),
    *,
    base: RunConfig | None = None,
) -> RunConfig:
    """The run config with its domain's defaults under the YAML file and the overrides.

    The domain is the one named (``domain=``), else inferred from the data set;
    the returned config names it. With ``base`` (a saved run's config, domain
    already resolved) only the overrides are applied.
    """
    if base is not None:
        return load_config(path, overrides, base=base)
    first = load_config(path, overrides)
    name = first.domain or infer_domain(first.dataset)
    domain = get_domain(name)
    defaults = {
        "dataset": domain.default_dataset,
        **copy.deepcopy(dict(domain.defaults)),
    }
    defaults["domain"] = name
    _drop_renamed_components(defaults, path, overrides)
    config = load_config(path, overrides, defaults=defaults)
    recipe = recipe_defaults(config.method)
    if not recipe:
        return config
    # The domain's own recipe: its values win and the recipe's fill the rest; another
    # recipe: its needs (e.g. COMET's grouped batches) win over the domain's choice.
    own = config.method == defaults.get("method")
    merged = (
        merge_defaults(recipe, defaults) if own else merge_defaults(defaults, recipe)
    )
    return load_config(path, overrides, defaults=merged)


_UNSET = "<unset>"


def _drop_renamed_components(
    defaults: dict[str, Any], path: str | Path | None, overrides: Sequence[str]
) -> None:
    """A component the YAML or an override renames (e.g. ``encoder.name=dilated_conv``
    over a domain's ``relative``, ``data.source.name=uniform`` over ``grouped``) keeps
    none of the domain's params for the old one."""
    for keys in (("encoder",), ("loss",), ("data", "source")):
        parent = defaults
        for key in keys[:-1]:
            parent = parent.get(key) if isinstance(parent, dict) else None
        default = parent.get(keys[-1]) if isinstance(parent, dict) else None
        if not isinstance(default, dict) or "name" not in default:
            continue
        unset: dict[str, Any] = {"name": _UNSET}
        for key in reversed(keys):
            unset = {key: unset}
        probe: Any = load_config(path, overrides, defaults=unset)
        for key in keys:
            probe = getattr(probe, key)
        if probe.name not in (_UNSET, default["name"]):
            parent[keys[-1]] = {"name": probe.name}


def recipe_defaults(method: str) -> dict[str, Any]:
    """The chosen recipe's config defaults (a copy; empty for a recipe that needs none)."""
    from tscl.methods import RECIPE_DEFAULTS

    return copy.deepcopy(RECIPE_DEFAULTS.get(method, {}))


def merge_defaults(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Nested dicts merged, ``extra`` winning; a component whose name changes drops its old params."""
    merged = dict(base)
    for key, value in extra.items():
        old = merged.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            renamed = "name" in value and old.get("name") != value["name"]
            merged[key] = dict(value) if renamed else merge_defaults(old, value)
        else:
            merged[key] = value
    return merged
