"""Splits: group-disjointness on real smartwatch data, and the leak guard firing."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from tscl.data.records import Series
from tscl.data.splits import (
    Split,
    check_no_leak,
    group_kfold,
    group_split,
    official_split,
    stratified_split,
)
from tscl.data.windows import fixed_windows, windows_from_series
from tscl.errors import DataError, LeakError


def _watch(data_dir: Path) -> list[Series]:
    """The 140 seglearn smartwatch recordings as Series (6 channels, 50 Hz)."""
    data = np.load(data_dir / "motion" / "seglearn_watch" / "watch_dataset.npz")
    offsets, x = data["offsets"], data["X_concat"]
    return [
        Series(
            values=x[offsets[i] : offsets[i + 1]].T,  # (T, 6) -> (6, T)
            fs=50.0,
            label=int(data["y"][i]),
            subject=f"S{int(data['subject'][i]):03d}",
            recording=f"rec{i:03d}",
        )
        for i in range(len(offsets) - 1)
    ]


def test_group_split_of_smartwatch_windows_is_subject_disjoint(data_dir: Path) -> None:
    records = _watch(data_dir)
    windows = windows_from_series(
        records, lambda s: fixed_windows(s, length=200, stride=100, label_mode="series")
    )
    subjects = windows.groups("subject")
    assert len(set(subjects)) == 10
    split = group_split(subjects, val=0.1, test=0.2, seed=3, labels=windows.y)
    parts = {name: set(subjects[idx]) for name, idx in split.parts().items()}
    assert [len(parts[name]) for name in ("train", "val", "test")] == [7, 1, 2]
    assert not (
        parts["train"] & parts["test"]
        or parts["train"] & parts["val"]
        or parts["val"] & parts["test"]
    )
    assert len(split.train) + len(split.val) + len(split.test) == len(windows)
    # every exercise (7 classes) is still present in the test subjects
    assert len(set(windows.y[split.test])) == 7
    again = group_split(subjects, val=0.1, test=0.2, seed=3, labels=windows.y)
    assert np.array_equal(again.test, split.test)  # deterministic by seed
    check_no_leak(split, subjects)


def test_leaking_split_names_the_subject(data_dir: Path) -> None:
    records = _watch(data_dir)
    subjects = np.array([record.subject for record in records])  # one id per recording
    first = np.flatnonzero(subjects == "S003")
    # S003's first recording goes to test, the rest of S003 stays in train
    rest = np.setdiff1d(np.arange(len(subjects)), first[:1])
    leaking = Split(train=rest, test=first[:1])
    with pytest.raises(LeakError, match="subject 'S003' is in both train and test"):
        check_no_leak(leaking, subjects)


def test_guard_catches_shared_indices_and_bad_indices() -> None:
    groups = np.array(["a", "a", "b", "b", "c"])
    with pytest.raises(LeakError, match="index 4 is in both val and test"):
        check_no_leak(Split(train=[0, 1], val=[4], test=[4]), groups)
    with pytest.raises(
        LeakError, match="recordings 'a', 'b' are in both train and val"
    ):
        check_no_leak(Split(train=[0, 2], val=[1, 3]), groups, name="recording")
    with pytest.raises(DataError, match="outside"):
        check_no_leak(Split(train=[0, 9]), groups)


def test_group_split_with_few_groups_and_no_labels() -> None:
    groups = np.repeat([f"r{i}" for i in range(22)], 5)  # 22 records, 5 windows each
    split = group_split(groups, val=0.1, test=0.2, seed=0)
    # round(0.2 * 22) = 4 test records, round(0.1 * 22) = 2 val records
    assert [len(set(groups[idx])) for idx in (split.train, split.val, split.test)] == [
        16,
        2,
        4,
    ]
    no_val = group_split(groups, val=0.0, test=0.2, seed=0)
    assert len(no_val.val) == 0
    with pytest.raises(DataError, match="too few"):
        group_split(np.array(["a", "b"]), val=0.1, test=0.2, seed=0)


def test_stratified_split_keeps_class_proportions() -> None:
    labels = np.repeat([0, 1, 2], [60, 30, 10])
    split = stratified_split(labels, val=0.2, test=0.2, seed=1)
    assert Counter(labels[split.test].tolist()) == {0: 12, 1: 6, 2: 2}
    assert Counter(labels[split.val].tolist()) == {0: 12, 1: 6, 2: 2}
    assert len(np.intersect1d(split.train, split.test)) == 0
    with pytest.raises(DataError, match="cannot stratify"):
        stratified_split(np.array([0, 0, 0, 1]), val=0.0, test=0.5, seed=0)
    with pytest.raises(DataError, match="val \\+ test < 1"):
        stratified_split(labels, val=0.5, test=0.5, seed=0)


def test_official_split() -> None:
    split = official_split(np.array([False, True, False, True]))
    assert split.train.tolist() == [0, 2] and split.test.tolist() == [1, 3]
    assert len(split.val) == 0
    with pytest.raises(DataError, match="bool"):
        official_split(np.array([0, 1]))


def test_group_kfold_tests_each_group_once() -> None:
    groups = np.repeat(np.arange(10), 3)
    folds = group_kfold(groups, n_splits=4, seed=0)
    tested = np.concatenate([groups[fold.test] for fold in folds])
    assert sorted(set(tested.tolist())) == list(range(10)) and len(tested) == 30
    assert sorted(len(set(groups[fold.test])) for fold in folds) == [2, 2, 3, 3]
    labels = np.tile([0, 1, 1], 10)
    stratified = group_kfold(groups, n_splits=5, seed=0, labels=labels)
    assert sum(len(fold.test) for fold in stratified) == 30
    with pytest.raises(DataError, match="n_splits"):
        group_kfold(groups, n_splits=11, seed=0)
