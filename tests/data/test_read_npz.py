"""read_npz on the seglearn watch archive, the MIT-BIH 208 excerpt and small archives."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from tscl.data.read_npz import read_npz
from tscl.errors import DataError

WATCH_CHANNELS = ["ax", "ay", "az", "wx", "wy", "wz"]


def test_seglearn_watch(data_dir: Path) -> None:
    path = data_dir / "motion" / "seglearn_watch" / "watch_dataset.npz"
    recordings = read_npz(
        path, values_key="X_concat", offsets_key="offsets", fs=50.0,
        channels=WATCH_CHANNELS, label_key="y", label_names_key="y_labels",
        subject_key="subject",
    )  # fmt: skip
    assert len(recordings) == 140
    assert {r.num_channels for r in recordings} == {6}
    assert recordings[0].channels == tuple(WATCH_CHANNELS) and recordings[0].fs == 50.0
    assert len({r.subject for r in recordings}) == 10
    assert Counter(r.label for r in recordings) == dict.fromkeys(
        ["PEN", "ABD", "FEL", "IR", "ER", "TRAP", "ROW"], 20
    )
    lengths = [len(r) for r in recordings]
    assert (min(lengths), max(lengths), sum(lengths)) == (947, 2618, 244102)
    assert recordings[7].recording == "watch_dataset/7"
    with np.load(path) as archive:
        start, end = archive["offsets"][3], archive["offsets"][4]
        expected = archive["X_concat"][start:end].T.astype(np.float32)
        assert recordings[3].subject == str(archive["subject"][3])
        assert recordings[3].meta["side"] == archive["side"][3]
    np.testing.assert_array_equal(recordings[3].values, expected)


def test_single_lead_ecg(data_dir: Path) -> None:
    path = data_dir / "ecg" / "scipy_ecg_mitdb208" / "ecg.npz"
    (series,) = read_npz(path, values_key="ecg", fs=360.0, channels=["MLII"])
    assert series.values.shape == (1, 108000)
    assert series.recording == "ecg/0" and series.fs == 360.0
    with np.load(path) as archive:
        np.testing.assert_array_equal(
            series.values[0], archive["ecg"].astype(np.float32)
        )


def test_channels_first_layout_and_offsets_without_end(tmp_path: Path) -> None:
    path = tmp_path / "small.npz"
    x = np.arange(12, dtype=np.float64).reshape(2, 6)  # (C, T)
    np.savez(path, x=x, starts=np.array([0, 2]), who=np.array([3.0, 4.0]))
    first, second = read_npz(
        path, values_key="x", offsets_key="starts", layout="CT", subject_key="who"
    )
    np.testing.assert_array_equal(first.values, [[0, 1], [6, 7]])
    np.testing.assert_array_equal(second.values, [[2, 3, 4, 5], [8, 9, 10, 11]])
    assert (first.subject, second.subject) == ("3", "4")


@pytest.mark.parametrize(
    ("arrays", "kwargs", "problem"),
    [
        ({"x": np.zeros((5, 2))}, {"values_key": "y"}, "no array 'y'"),
        ({"x": np.array(["a", "b"])}, {"values_key": "x"}, "expected numbers"),
        ({"x": np.zeros((2, 2, 2))}, {"values_key": "x"}, "expected 1-D or 2-D"),
        ({"x": np.array([1.0, np.inf])}, {"values_key": "x"}, "infinite"),
        (
            {"x": np.zeros((6, 1)), "o": np.array([0, 4, 2])},
            {"values_key": "x", "offsets_key": "o"},
            "strictly increase",
        ),
        (
            {"x": np.zeros((6, 1)), "o": np.array([0, 3]), "y": np.array([1])},
            {"values_key": "x", "offsets_key": "o", "label_key": "y"},
            "expected (2,)",
        ),
        (
            {"x": np.zeros((6, 1)), "y": np.array([5]), "n": np.array(["a", "b"])},
            {"values_key": "x", "label_key": "y", "label_names_key": "n"},
            "not an index",
        ),
        ({"x": np.zeros((6, 2))}, {"values_key": "x", "channels": ["a"]}, "1 channel"),
        ({"x": np.zeros(3)}, {"values_key": "x", "layout": "XY"}, "layout"),
    ],
)
def test_malformed_archives(
    tmp_path: Path, arrays: dict[str, np.ndarray], kwargs: dict, problem: str
) -> None:
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(DataError) as info:
        read_npz(path, **kwargs)
    assert problem in str(info.value) and "bad.npz" in str(info.value)
