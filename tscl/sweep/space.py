"""Space files: a base config, a search space of dotted config keys, and how trials are scored.

A space file (``tune/<method>_<domain>.yaml``)::

    base: {preset: ts2vec, overrides: [dataset=ECG200, train.max_steps=200]}
    metric: val_accuracy          # val_accuracy | val_macro_f1 | val_auroc | val_auprc
    mode: max
    num_samples: 12
    seed: 0                       # seeds the sampling of configurations
    eval_every: 25                # steps between validation scores and trial checkpoints
    probe: svm                    # svm | logistic | knn (tscl.eval.PROBES)
    probe_max_train: 0            # cap on probe training samples (0 = all)
    probe_max_val: 0              # cap on validation samples scored, one stratified draw for all trials (0 = all)
    validation: {fraction: 0.25}  # held out of the training split when there is no validation split
    scheduler: {asha: {max_t: 200, grace_period: 50, reduction_factor: 2}}  # in steps
    space: {train.lr: {loguniform: [1.0e-4, 1.0e-2]}, train.batch_size: {choice: [8, 16]}}
    resources: {cpu: 1, gpu: 0.5}  # gpu only where the cluster has GPUs

Samplers: ``loguniform``/``uniform`` [low, high], ``randint`` [low, high) ,
``choice`` [values], ``grid`` [values] (every value, times ``num_samples``);
a plain value is a constant. A sampled configuration becomes ``key=value``
overrides of the base config, so the config schema checks every key.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from tscl.config import RunConfig, load_config
from tscl.domains import load_run_config
from tscl.errors import ConfigError
from tscl.eval import PROBES
from tscl.train.build import check_config

SPACE_KEYS = ("base", "metric", "mode", "num_samples", "seed", "eval_every", "probe")
SPACE_KEYS += ("probe_max_train", "probe_max_val", "validation", "scheduler")
SPACE_KEYS += ("space", "resources")
METRICS = ("val_accuracy", "val_macro_f1", "val_auroc", "val_auprc")
SAMPLERS = ("loguniform", "uniform", "randint", "choice", "grid")
ASHA_KEYS = ("max_t", "grace_period", "reduction_factor")
# Trials share one train/validation split and one tracking store.
FIXED_PREFIXES = ("dataset", "data.", "tracking.")
FIXED_ALLOWED = ("data.max_train_length",)


@dataclass(frozen=True)
class SweepSpace:
    """A parsed space file (see the module docstring); ``text`` is the file as read."""

    base: RunConfig
    metric: str = "val_accuracy"
    mode: str = "max"
    num_samples: int = 1
    space: dict[str, Any] = field(default_factory=dict)
    eval_every: int = 0
    probe: str = "svm"
    probe_max_train: int = 0
    probe_max_val: int = 0
    val_fraction: float = 0.25
    seed: int = 0
    asha: dict[str, float] | None = None
    resources: dict[str, float] = field(default_factory=dict)
    text: str = ""


def _require(condition: bool, source: str, problem: str) -> None:
    if not condition:
        raise ConfigError(f"{source}: {problem}")


def read_space_file(path: Path) -> tuple[str, dict[str, Any]]:
    """The file's text and its top-level mapping; unknown keys fail with a suggestion."""
    _require(path.is_file(), str(path), "space file not found")
    text = path.read_text(encoding="utf-8")
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as err:
        problem = f"not valid YAML ({' '.join(str(err).split())})"
        raise ConfigError(f"{path}: {problem}") from err
    _require(isinstance(raw, dict), str(path), "expected a mapping at the top level")
    for key in raw:
        close = difflib.get_close_matches(str(key), SPACE_KEYS, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        _require(key in SPACE_KEYS, f"{path}: key '{key}'", f"unknown key.{hint}")
    return text, raw


def load_space(path: str | Path, overrides: Sequence[str] = ()) -> SweepSpace:
    """Reads and checks a space file; ``overrides`` (key=value) go on top of its base config.

    Raises:
        ConfigError: naming the file and key, for unknown keys, bad values or space keys.
    """
    path = Path(path)
    text, raw = read_space_file(path)
    base_spec = raw.get("base") or {}
    base_overrides = [*base_spec.get("overrides", []), *overrides]
    try:
        space = SweepSpace(
            # the domain's defaults under the preset and overrides, as `tscl pretrain`
            base=load_run_config(base_spec.get("preset"), base_overrides),
            metric=str(raw.get("metric", "val_accuracy")),
            mode=str(raw.get("mode", "max")),
            num_samples=int(raw.get("num_samples", 1)),
            space=dict(raw.get("space") or {}),
            eval_every=int(raw.get("eval_every", 0)),
            probe=str(raw.get("probe", "svm")),
            probe_max_train=int(raw.get("probe_max_train", 0)),
            probe_max_val=int(raw.get("probe_max_val", 0)),
            val_fraction=float((raw.get("validation") or {}).get("fraction", 0.25)),
            seed=int(raw.get("seed", 0)),
            asha=(raw.get("scheduler") or {}).get("asha"),
            resources={k: float(v) for k, v in (raw.get("resources") or {}).items()},
            text=text,
        )
    except (TypeError, ValueError, AttributeError) as err:
        if isinstance(err, ConfigError):
            raise
        raise ConfigError(f"{path}: {' '.join(str(err).split())}") from err
    check_space(space, source=str(path))
    try:
        check_config(space.base)
    except ConfigError as err:
        raise ConfigError(f"{path}: base config: {err}") from err
    return space


def check_space(space: SweepSpace, *, source: str = "space") -> None:
    """Fails before Ray starts on bad settings or space keys the config does not accept."""
    metrics, probes = ", ".join(METRICS), ", ".join(PROBES)
    where = f"{source}: "
    _require(
        space.metric in METRICS,
        f"{where}metric",
        f"'{space.metric}' is not one of {metrics}",
    )
    _require(
        space.mode in ("max", "min"),
        f"{where}mode",
        f"'{space.mode}' is not max or min",
    )
    _require(space.num_samples >= 1, f"{where}num_samples", "expected >= 1")
    _require(
        space.eval_every >= 1, f"{where}eval_every", "expected a number of steps >= 1"
    )
    _require(
        space.probe in PROBES,
        f"{where}probe",
        f"'{space.probe}' is not one of {probes}",
    )
    for key in ("probe_max_train", "probe_max_val"):
        _require(getattr(space, key) >= 0, f"{where}{key}", "expected >= 0 (0 = all)")
    _require(
        0 < space.val_fraction < 1,
        f"{where}validation.fraction",
        "expected a value in (0, 1)",
    )
    log_every = space.base.train.log_every
    _require(
        log_every <= space.eval_every,
        f"{where}eval_every",
        f"expected >= train.log_every ({log_every}): checkpoints are scored at logged steps",
    )
    if space.asha is not None:
        unknown = sorted(set(space.asha) - set(ASHA_KEYS))
        _require(
            not unknown,
            f"{where}scheduler.asha",
            f"unknown keys {unknown}; expected {', '.join(ASHA_KEYS)}",
        )
    for key, spec in space.space.items():
        key_source = f"{where}space key '{key}'"
        fixed = key.startswith(FIXED_PREFIXES) and key not in FIXED_ALLOWED
        _require(
            not fixed,
            key_source,
            "trials share one data split and tracking store; set it in base",
        )
        for value in _candidates(key_source, spec):
            load_config(None, [override(key, value)], base=space.base)


def _candidates(source: str, spec: Any) -> list[Any]:
    """Values standing for a sampler when the space is checked: its bounds, or every choice."""
    if not isinstance(spec, dict):
        return [spec]  # a constant
    kind = next(iter(spec)) if len(spec) == 1 else None
    _require(kind in SAMPLERS, source, f"expected one sampler of {', '.join(SAMPLERS)}")
    args = spec[kind]
    _require(
        isinstance(args, list) and len(args) >= 1, source, f"{kind}: expected a list"
    )
    if kind in ("choice", "grid"):
        return list(args)
    numbers = len(args) == 2 and all(isinstance(a, (int, float)) for a in args)
    _require(
        numbers and args[0] < args[1],
        source,
        f"{kind}: expected [low, high] with low < high",
    )
    _require(
        kind != "loguniform" or args[0] > 0, source, "loguniform: expected low > 0"
    )
    return [args[0], args[1] - 1] if kind == "randint" else list(args)


def search_space(space: Mapping[str, Any]) -> dict[str, Any]:
    """The space file's samplers as Ray Tune domains (``randint``'s high is exclusive)."""
    from ray import tune

    samplers = {
        "loguniform": lambda args: tune.loguniform(*args),
        "uniform": lambda args: tune.uniform(*args),
        "randint": lambda args: tune.randint(*args),
        "choice": tune.choice,
        "grid": tune.grid_search,
    }
    result: dict[str, Any] = {}
    for key, spec in space.items():
        if isinstance(spec, dict):
            kind, args = next(iter(spec.items()))
            result[key] = samplers[kind](args)
        else:
            result[key] = spec
    return result


def override(key: str, value: Any) -> str:
    """A sampled value as a ``key=value`` config override (numpy scalars as Python)."""
    value = value.item() if isinstance(value, np.generic) else value
    if isinstance(value, (list, tuple)):
        return f"{key}=[{', '.join(str(item) for item in value)}]"
    if isinstance(value, bool):
        return f"{key}={str(value).lower()}"
    return f"{key}={value}"


def trial_config(
    base: RunConfig, params: Mapping[str, Any], eval_every: int
) -> RunConfig:
    """The base config with a trial's sampled values; checkpoints every ``eval_every`` steps."""
    overrides = [override(key, value) for key, value in sorted(params.items())]
    fixed = [f"train.checkpoint_every={eval_every}", "train.progress=false"]
    return load_config(None, [*overrides, *fixed], base=base)
