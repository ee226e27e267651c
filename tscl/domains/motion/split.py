"""Subject-independent splits of motion windows, with explicit leave-subjects-out folds."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tscl.data.splits import Split, check_no_leak, group_split
from tscl.errors import ConfigError


def _held_out(
    pool: np.ndarray, labels: np.ndarray | None, fraction: float, seed: int
) -> list[str]:
    """``fraction`` of the subjects in ``pool`` (per window), chosen by ``group_split``."""
    if fraction <= 0:
        return []
    split = group_split(pool, val=0.0, test=fraction, seed=seed, labels=labels)
    return sorted(set(pool[split.test].tolist()))


def _checked(
    names: Sequence[str] | None, known: set[str], key: str
) -> list[str] | None:
    if names is None:
        return None
    unknown = sorted(set(names) - known)
    if unknown:
        raise ConfigError(
            f"data.options.{key}: no subject {unknown}; the data set has {sorted(known)}"
        )
    return list(names)


def subject_split(
    subjects: np.ndarray,
    labels: np.ndarray | None,
    *,
    val_fraction: float,
    test_fraction: float,
    seed: int,
    test_subjects: Sequence[str] | None = None,
    val_subjects: Sequence[str] | None = None,
) -> Split:
    """Windows (N,) split so that each subject lands in one part.

    Explicit ``test_subjects`` / ``val_subjects`` win over the fractions; a part
    left unspecified takes its fraction of the remaining subjects (class
    balanced by ``group_split``). ``check_no_leak`` runs before returning.

    Args:
        subjects: (N,) subject id of every window.
        labels: (N,) window labels (balance the chosen subjects), or None.

    Raises:
        ConfigError: for an unknown subject or one named for both parts.
        LeakError: never on a correct split.
    """
    subjects = np.asarray(subjects).astype(str)
    known = set(subjects.tolist())
    test = _checked(test_subjects, known, "test_subjects")
    val = _checked(val_subjects, known, "val_subjects")
    if test is not None and val is not None and set(test) & set(val):
        raise ConfigError(
            f"subjects {sorted(set(test) & set(val))} are in both test_subjects and val_subjects"
        )
    if test is None and val is None:
        split = group_split(
            subjects, val=val_fraction, test=test_fraction, seed=seed, labels=labels
        )
        check_no_leak(split, subjects, name="subject")
        return split
    if test is None:
        rest = ~np.isin(subjects, val)  # type: ignore[arg-type]
        test = _held_out(
            subjects[rest],
            None if labels is None else labels[rest],
            test_fraction,
            seed,
        )
    if val is None:
        rest = ~np.isin(subjects, test)
        val = _held_out(
            subjects[rest], None if labels is None else labels[rest], val_fraction, seed
        )
    in_test, in_val = np.isin(subjects, test), np.isin(subjects, val)
    if not (~in_test & ~in_val).any():
        raise ConfigError("test_subjects and val_subjects leave no training subject")
    split = Split(
        train=np.flatnonzero(~in_test & ~in_val),
        val=np.flatnonzero(in_val),
        test=np.flatnonzero(in_test),
    )
    check_no_leak(split, subjects, name="subject")
    return split


def time_blocks(
    length: int, *, val_fraction: float, test_fraction: float
) -> dict[str, tuple[int, int]]:
    """``{part: (start, end)}`` sample ranges of one recording: train, then val, then test.

    For data with a single subject: windows cut inside each block never cross
    into another part.
    """
    num_test = int(round(length * test_fraction))
    num_val = int(round(length * val_fraction))
    train_end = length - num_test - num_val
    return {
        "train": (0, train_end),
        "val": (train_end, train_end + num_val),
        "test": (train_end + num_val, length),
    }
