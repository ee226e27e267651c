"""``data.options`` of the EEG domain, checked once into a frozen ``EegOptions``.

Valid keys: ``task``, ``l_freq``, ``h_freq``, ``notch_hz``, ``channels``,
``epoch_seconds``, ``reference``, ``subjects`` (read only these), and
``test_subjects`` / ``val_subjects`` (explicit held-out subjects, e.g. one
leave-one-subject-out fold; they override ``data.test_fraction`` /
``data.val_fraction``). Any other key raises ``ConfigError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tscl.domains.eeg.epochs import TASK_SECONDS
from tscl.domains.eeg.preprocess import EegSettings
from tscl.errors import ConfigError

OPTION_KEYS = (
    "task",
    "l_freq",
    "h_freq",
    "notch_hz",
    "channels",
    "epoch_seconds",
    "reference",
    "subjects",
    "test_subjects",
    "val_subjects",
)
TASKS = ("eyes", "fist", "eye_state", "annotations", "fixed")


@dataclass(frozen=True)
class EegOptions:
    """Parsed options; ``epoch_seconds`` is the task default when not given."""

    task: str
    settings: EegSettings
    epoch_seconds: float
    subjects: tuple[str, ...] | None = None
    test_subjects: tuple[str, ...] | None = None
    val_subjects: tuple[str, ...] | None = None


def _names(options: Mapping[str, Any], key: str) -> tuple[str, ...] | None:
    value = options.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    try:
        return tuple(str(item) for item in value)
    except TypeError:
        raise ConfigError(
            f"data.options.{key} must be a list of names, got {value!r}"
        ) from None


def _frequency(options: Mapping[str, Any], key: str, default: float | None) -> Any:
    value = options.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(
            f"data.options.{key} must be a positive number, got {value!r}"
        )
    return float(value)


def parse_options(
    options: Mapping[str, Any], *, default_task: str, allowed: tuple[str, ...] = TASKS
) -> EegOptions:
    """Checks ``data.options`` and fills in defaults.

    Args:
        options: ``config.data.options``.
        default_task: the task when ``task`` is absent (depends on the data set).
        allowed: tasks that apply to this data set.

    Raises:
        ConfigError: an unknown key, a task outside ``allowed`` or a bad value.
    """
    unknown = sorted(set(options) - set(OPTION_KEYS))
    if unknown:
        raise ConfigError(
            f"data.options.{unknown[0]} is not an EEG option; valid: {', '.join(OPTION_KEYS)}"
        )
    task = str(options.get("task", default_task))
    if task not in allowed:
        raise ConfigError(f"data.options.task must be one of {allowed}, got {task!r}")
    seconds = _frequency(options, "epoch_seconds", TASK_SECONDS.get(task, 2.0))
    notch = options.get("notch_hz") or ()
    notch = (notch,) if isinstance(notch, (int, float)) else tuple(notch)
    reference = options.get("reference", "average")
    settings = EegSettings(
        l_freq=_frequency(options, "l_freq", 1.0),
        h_freq=_frequency(options, "h_freq", 40.0),
        notch_hz=tuple(float(f) for f in notch),
        channels=_names(options, "channels"),
        reference=reference if isinstance(reference, str) else tuple(reference),
    )
    return EegOptions(
        task=task,
        settings=settings,
        epoch_seconds=float(seconds),
        subjects=_names(options, "subjects"),
        test_subjects=_names(options, "test_subjects"),
        val_subjects=_names(options, "val_subjects"),
    )
