"""Train / validation / test splits, with a guard against group leakage.

Windows from one patient look alike, so a patient in both train and test
inflates test scores. ``group_split`` and ``group_kfold`` split whole groups
(subjects, recordings) and run ``check_no_leak`` before returning; call it on
any split you build yourself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold, train_test_split

from tscl.errors import DataError, LeakError

NUM_CANDIDATES = 256  # random group assignments scored when balancing classes


def _indices(values: np.ndarray | list[int] | None = None) -> np.ndarray:
    return np.asarray([] if values is None else values, dtype=np.int64)


@dataclass
class Split:
    """Sorted int64 sample indices of each part; ``val`` may be empty."""

    train: np.ndarray
    val: np.ndarray = field(default_factory=_indices)
    test: np.ndarray = field(default_factory=_indices)

    def __post_init__(self) -> None:
        self.train = np.sort(_indices(self.train))
        self.val = np.sort(_indices(self.val))
        self.test = np.sort(_indices(self.test))

    def parts(self) -> dict[str, np.ndarray]:
        return {"train": self.train, "val": self.val, "test": self.test}


def check_no_leak(split: Split, groups: np.ndarray, *, name: str = "subject") -> None:
    """Raises if an index, or a group, falls in two parts of the split.

    Args:
        split: the split to check.
        groups: (N,) group id of every sample (e.g. ``WindowSet.groups("subject")``).
        name: what a group is, for the message ("subject", "recording"...).

    Raises:
        LeakError: naming the shared indices or group ids and the two parts.
        DataError: if an index is outside ``groups``.
    """
    groups = np.asarray(groups)
    for part, indices in split.parts().items():
        if len(indices) and (indices.min() < 0 or indices.max() >= len(groups)):
            raise DataError("split", f"{part} has indices outside 0..{len(groups) - 1}")
    for (name_a, a), (name_b, b) in combinations(split.parts().items(), 2):
        shared = np.intersect1d(a, b)
        if len(shared):
            raise LeakError(
                f"{_shared(shared, 'index', 'indices')} in both {name_a} and {name_b}"
            )
        shared = np.intersect1d(groups[a], groups[b])
        if len(shared):
            raise LeakError(
                f"{_shared(shared, name, name + 's')} in both {name_a} and {name_b}"
            )


def _shared(values: np.ndarray, singular: str, plural: str, limit: int = 5) -> str:
    """ "subject 'S003' is" / "subjects 'S001', 'S003' are", listing at most ``limit``."""
    shown = ", ".join(repr(value.item()) for value in values[:limit])
    if len(values) > limit:
        shown += f" and {len(values) - limit} more"
    return f"{singular} {shown} is" if len(values) == 1 else f"{plural} {shown} are"


def _check_fractions(val: float, test: float) -> None:
    if not (0 <= val < 1 and 0 < test < 1 and val + test < 1):
        raise DataError(
            "split",
            f"need 0 <= val, 0 < test and val + test < 1, got val={val}, test={test}",
        )


def official_split(is_test: np.ndarray) -> Split:
    """The data set's own train/test split: (N,) bool, True for test samples."""
    is_test = np.asarray(is_test)
    if is_test.dtype != bool:
        raise DataError(
            "split", f"is_test must be a bool array, got dtype {is_test.dtype}"
        )
    return Split(train=np.flatnonzero(~is_test), test=np.flatnonzero(is_test))


def stratified_split(
    labels: np.ndarray, *, val: float, test: float, seed: int
) -> Split:
    """Random sample-level split keeping class proportions in every part.

    Use only where samples are independent; for windows of patients use
    ``group_split``.

    Raises:
        DataError: if a class is too small to appear in every part.
    """
    _check_fractions(val, test)
    labels = np.asarray(labels)
    indices = np.arange(len(labels))
    try:
        rest, test_idx = train_test_split(
            indices, test_size=test, random_state=seed, stratify=labels
        )
        if val == 0:
            return Split(train=rest, test=test_idx)
        train_idx, val_idx = train_test_split(
            rest, test_size=val / (1 - test), random_state=seed, stratify=labels[rest]
        )
    except ValueError as error:  # sklearn: a class with too few members
        raise DataError("labels", f"cannot stratify: {error}") from error
    return Split(train=train_idx, val=val_idx, test=test_idx)


def group_split(
    groups: np.ndarray,
    *,
    val: float,
    test: float,
    seed: int,
    labels: np.ndarray | None = None,
) -> Split:
    """Group-disjoint split: every group (patient) lands in exactly one part.

    ``val`` and ``test`` are fractions of the groups (rounded, at least one
    group each when > 0). Without labels the groups are shuffled with ``seed``.
    With labels, ``NUM_CANDIDATES`` seeded random assignments are scored and the
    one whose per-part class distributions are closest (L1) to the overall one
    wins, which works with few groups (10 subjects, 22 records).

    Args:
        groups: (N,) group id of every sample.
        labels: (N,) class of every sample, or None.

    Raises:
        DataError: if there are too few groups for the fractions.
        LeakError: never on a correct split (the guard runs before returning).
    """
    _check_fractions(val, test)
    groups = np.asarray(groups)
    unique, group_of = np.unique(groups, return_inverse=True)
    num_test = max(1, round(test * len(unique)))
    num_val = max(1, round(val * len(unique))) if val > 0 else 0
    if num_test + num_val >= len(unique):
        raise DataError(
            "split",
            f"{len(unique)} groups are too few for val={val}, test={test} "
            f"({num_val} val + {num_test} test groups would leave no train group)",
        )
    rng = np.random.default_rng(seed)
    if labels is None:
        order = rng.permutation(len(unique))
    else:
        order = _balanced_order(
            group_of, np.asarray(labels), rng=rng, cuts=(num_test, num_val)
        )
    part_of_group = np.zeros(len(unique), dtype=np.int64)  # 0 train, 1 val, 2 test
    part_of_group[order[:num_test]] = 2
    part_of_group[order[num_test : num_test + num_val]] = 1
    part = part_of_group[group_of]  # (G,) -> (N,)
    split = Split(
        train=np.flatnonzero(part == 0),
        val=np.flatnonzero(part == 1),
        test=np.flatnonzero(part == 2),
    )
    check_no_leak(split, groups, name="group")
    return split


def _balanced_order(
    group_of: np.ndarray,
    labels: np.ndarray,
    *,
    rng: np.random.Generator,
    cuts: tuple[int, int],
) -> np.ndarray:
    """The group permutation (test groups first, then val) that best keeps class balance."""
    if len(labels) != len(group_of):
        raise DataError("labels", f"{len(labels)} labels for {len(group_of)} samples")
    _, label_code = np.unique(labels, return_inverse=True)
    num_groups = group_of.max() + 1
    counts = np.zeros((num_groups, label_code.max() + 1), dtype=np.float64)  # (G, K)
    np.add.at(counts, (group_of, label_code), 1.0)
    overall = counts.sum(axis=0) / counts.sum()
    num_test, num_val = cuts
    best_order, best_score = np.arange(num_groups), np.inf
    for _ in range(NUM_CANDIDATES):
        order = rng.permutation(num_groups)
        parts = (
            order[:num_test],
            order[num_test : num_test + num_val],
            order[num_test + num_val :],
        )
        score = 0.0
        for members in parts:
            if len(members):
                part_counts = counts[members].sum(axis=0)  # (K,)
                score += np.abs(part_counts / part_counts.sum() - overall).sum()
        if score < best_score:
            best_order, best_score = order, score
    return best_order


def group_kfold(
    groups: np.ndarray, n_splits: int, seed: int, *, labels: np.ndarray | None = None
) -> list[Split]:
    """``n_splits`` group-disjoint folds; fold k tests on the k-th block of groups.

    Groups are shuffled with ``seed`` and dealt into near-equal blocks; with
    labels, sklearn's ``StratifiedGroupKFold`` balances classes instead.
    Every fold passes ``check_no_leak``; ``val`` is empty.
    """
    groups = np.asarray(groups)
    unique, group_of = np.unique(groups, return_inverse=True)
    if not 2 <= n_splits <= len(unique):
        raise DataError(
            "split",
            f"n_splits must be in 2..{len(unique)} (the number of groups), got {n_splits}",
        )
    indices = np.arange(len(groups))
    if labels is None:
        blocks = np.array_split(
            np.random.default_rng(seed).permutation(len(unique)), n_splits
        )
        tests = [indices[np.isin(group_of, block)] for block in blocks]
    else:
        folds = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        tests = [test for _, test in folds.split(indices, np.asarray(labels), group_of)]
    splits = [Split(train=np.setdiff1d(indices, test), test=test) for test in tests]
    for split in splits:
        check_no_leak(split, groups, name="group")
    return splits
