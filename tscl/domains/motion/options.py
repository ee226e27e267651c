"""``data.options`` of the motion domain, checked once into a typed ``MotionOptions``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from tscl.domains.motion.preprocess import GRAVITY_CUTOFF_HZ
from tscl.errors import ConfigError


@dataclass(frozen=True)
class MotionOptions:
    """Domain options (``data.options.<name>``).

    Attributes:
        magnitude: append ||acc|| (and ||gyro||) channels.
        gravity: split each accelerometer into body acceleration + gravity.
        gravity_cutoff: low-pass cutoff (Hz) of the gravity estimate.
        window_seconds: window length, unless ``data.window`` (samples) is set.
        overlap: fraction shared by consecutive windows, unless ``data.stride`` is set.
        accelerometer, gyroscope: explicit channel index triplets (else from names).
        test_subjects, val_subjects: explicit held-out subjects (leave-subjects-out
            folds); they override ``data.test_fraction`` / ``data.val_fraction``.
        fs: sampling rate (Hz) for files that do not state one (UEA, CSV without time).
        subject_col, label_col, time_col: CSV columns holding the subject id, the
            per-step label and the time (default: a ``timestamp`` or ``time`` column).
    """

    magnitude: bool = True
    gravity: bool = False
    gravity_cutoff: float = GRAVITY_CUTOFF_HZ
    window_seconds: float = 4.0
    overlap: float = 0.5
    accelerometer: list[list[int]] | None = None
    gyroscope: list[list[int]] | None = None
    test_subjects: list[str] | None = None
    val_subjects: list[str] | None = None
    fs: float | None = None
    subject_col: str | None = None
    label_col: str | None = None
    time_col: str | None = None


def parse_options(options: Mapping[str, Any]) -> MotionOptions:
    """``data.options`` -> MotionOptions.

    Raises:
        ConfigError: naming an unknown key (and the valid ones) or a bad value.
    """
    valid = [f.name for f in fields(MotionOptions)]
    for key in options:
        if key not in valid:
            raise ConfigError(
                f"data.options.{key}: unknown motion option; valid: {', '.join(valid)}"
            )
    values = dict(options)
    for key in ("test_subjects", "val_subjects"):
        if values.get(key) is not None:
            raw = values[key]
            values[key] = [
                str(s) for s in (raw if isinstance(raw, (list, tuple)) else [raw])
            ]
    parsed = MotionOptions(**values)
    if not 0 <= parsed.overlap < 1:
        raise ConfigError(
            f"data.options.overlap must lie in [0, 1), got {parsed.overlap}"
        )
    if not parsed.window_seconds > 0:
        raise ConfigError(
            f"data.options.window_seconds must be > 0, got {parsed.window_seconds}"
        )
    if parsed.fs is not None and not parsed.fs > 0:
        raise ConfigError(f"data.options.fs must be > 0, got {parsed.fs}")
    return parsed


def window_samples(
    options: MotionOptions, fs: float, window: int = 0, stride: int = 0
) -> tuple[int, int]:
    """(length, stride) in samples: ``window``/``stride`` when > 0, else from seconds and overlap."""
    length = window if window > 0 else int(round(options.window_seconds * fs))
    hop = stride if stride > 0 else max(1, int(round(length * (1 - options.overlap))))
    return length, hop
