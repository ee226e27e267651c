"""Subject-independent splits of EEG epochs (every subject in exactly one part).

``subject_split`` uses ``tscl.data.splits.group_split`` (class-balanced random
assignment of whole subjects) or, for leave-subjects-out folds, explicit
``test_subjects`` / ``val_subjects``. Data sets with a single subject (the UCI
eye-state recording) are split by contiguous time blocks instead: the groups
are blocks of consecutive windows, never shuffled windows.
"""

from __future__ import annotations

import numpy as np

from tscl.data.splits import Split, check_no_leak, group_split
from tscl.errors import ConfigError

NUM_TIME_BLOCKS = 10  # contiguous blocks of a single-subject recording


def _explicit(
    groups: np.ndarray,
    *,
    test_groups: tuple[str, ...],
    val_groups: tuple[str, ...] | None,
    val: float,
    seed: int,
) -> Split:
    """Test = ``test_groups``; val = ``val_groups`` or a seeded draw of the rest."""
    known = sorted(set(groups.tolist()))
    for name in (*test_groups, *(val_groups or ())):
        if name not in known:
            raise ConfigError(
                f"data.options: subject {name!r} is not in the data; subjects are {known}"
            )
    rest = [g for g in known if g not in test_groups]
    if val_groups is None:
        count = max(1, round(val * len(known))) if val > 0 else 0
        order = np.random.default_rng(seed).permutation(len(rest))
        val_groups = tuple(rest[i] for i in order[:count])
    train_groups = [g for g in rest if g not in val_groups]
    if not train_groups:
        raise ConfigError(
            "data.options: the held-out subjects leave no training subject"
        )
    return Split(
        train=np.flatnonzero(np.isin(groups, train_groups)),
        val=np.flatnonzero(np.isin(groups, list(val_groups))),
        test=np.flatnonzero(np.isin(groups, list(test_groups))),
    )


def subject_split(
    groups: np.ndarray,
    labels: np.ndarray | None,
    *,
    val: float,
    test: float,
    seed: int,
    test_groups: tuple[str, ...] | None = None,
    val_groups: tuple[str, ...] | None = None,
) -> Split:
    """Group-disjoint train / val / test indices of N epochs.

    Args:
        groups: (N,) subject (or time block) name of every epoch.
        labels: (N,) class names used to balance the parts, or None.
        val, test: fractions of the groups (``data.val_fraction``,
            ``data.test_fraction``), used unless ``test_groups`` is given.
        test_groups, val_groups: explicit held-out groups (leave-subjects-out).

    Raises:
        LeakError: never on a correct split (``check_no_leak`` runs last).
    """
    groups = np.asarray(groups, dtype=str)
    if test_groups is not None:
        split = _explicit(
            groups, test_groups=test_groups, val_groups=val_groups, val=val, seed=seed
        )
    elif val_groups is not None:
        raise ConfigError("data.options.val_subjects needs test_subjects too")
    else:
        split = group_split(groups, val=val, test=test, seed=seed, labels=labels)
    check_no_leak(split, groups, name="subject")
    return split


def time_blocks(num_windows: int, num_blocks: int = NUM_TIME_BLOCKS) -> np.ndarray:
    """(N,) block name of each window: ``num_blocks`` contiguous runs of windows in time order."""
    blocks = np.array_split(np.arange(num_windows), min(num_blocks, num_windows))
    names = np.empty(num_windows, dtype=object)
    for k, members in enumerate(blocks):
        names[members] = f"block{k:02d}"
    return names.astype(str)
