"""What a resumed pretraining may change: the checkpoint's config against the requested one.

Settings that shape the model or its data (method, encoder, augmentations,
loss, data) cannot change; a few runtime settings (how many steps, how often
to checkpoint, validate and log) may, and are applied and recorded; any other
change (learning rate, seed, batch size...) is refused too, so a run never
records one value while training with another.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tscl.config import RunConfig, flatten, from_yaml
from tscl.errors import ConfigError, TsclError
from tscl.train.checkpoint import load_checkpoint

# Top-level sections / keys whose change would make the checkpoint a different model or data.
FIXED_ON_RESUME = ("method", "method_params", "domain", "dataset", "encoder")
FIXED_ON_RESUME += ("augment", "loss", "data")
# Keys a resume may change: applied from the resumed step on, and recorded on the run.
CHANGEABLE_ON_RESUME = ("train.max_steps", "train.checkpoint_every", "train.val_every")
CHANGEABLE_ON_RESUME += ("train.log_every", "train.progress", "train.num_threads")
CHANGEABLE_ON_RESUME += ("eval", "output_dir")


def _section(key: str, names: tuple[str, ...]) -> bool:
    return any(key == name or key.startswith(f"{name}.") for name in names)


def checkpoint_config(path: str | Path) -> tuple[RunConfig, int]:
    """The config a checkpoint was trained with, and its step."""
    state = load_checkpoint(path)
    try:
        return from_yaml(state["config"]), int(state["step"])
    except (KeyError, TypeError, ValueError) as err:
        raise TsclError(f"{path}: checkpoint holds no readable run config") from err


def checkpoint_history(path: str | Path) -> list[dict[str, float]]:
    """The logged steps up to the checkpoint (``{"step": n, metric: value...}``).

    A resumed run sends those its killed process had not yet sent (they are
    the values that process computed).
    """
    return list(load_checkpoint(path).get("history") or [])


def config_changes(
    saved: RunConfig, requested: RunConfig
) -> dict[str, tuple[Any, Any]]:
    """Dotted key -> (saved value, requested value) for every setting that differs."""
    old, new = flatten(saved), flatten(requested)
    missing = object()
    changes = {}
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key, missing), new.get(key, missing)
        if before != after:
            changes[key] = (
                None if before is missing else before,
                None if after is missing else after,
            )
    return changes


def check_resume(
    path: str | Path, requested: RunConfig
) -> tuple[int, dict[str, tuple[Any, Any]]]:
    """The checkpoint's step and the allowed changes a resume with ``requested`` makes.

    Raises:
        ConfigError: one line naming the keys that cannot change on resume.
        TsclError: the checkpoint is missing, unreadable or unsafe.
    """
    saved, step = checkpoint_config(path)
    changes = config_changes(saved, requested)
    fixed = [key for key in changes if _section(key, FIXED_ON_RESUME)]
    if fixed:
        raise ConfigError(
            f"{path}: cannot resume with changed {', '.join(fixed)}: they shape the "
            "model or its data; start a new run folder instead"
        )
    other = [key for key in changes if not _section(key, CHANGEABLE_ON_RESUME)]
    if other:
        shown = ", ".join(f"{k} ({changes[k][0]} -> {changes[k][1]})" for k in other)
        allowed = ", ".join(CHANGEABLE_ON_RESUME)
        raise ConfigError(
            f"{path}: resume keeps the checkpoint's training settings; refusing to change "
            f"{shown} (a resume may change {allowed})"
        )
    return step, changes
