"""Fixed and event windows: hand-computed small cases and MIT-BIH record 100."""

from __future__ import annotations

import warnings
from collections import Counter
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from tscl.data.records import Annotations, Series
from tscl.data.windows import (
    WindowSet,
    event_windows,
    fixed_windows,
    windows_from_series,
)
from tscl.errors import DataError

AAMI = {s: c for c, symbols in {"N": "NLRej", "S": "AaJS", "V": "VE", "F": "F", "Q": "/fQ"}.items()
        for s in symbols}  # fmt: skip


def _mitdb_100(data_dir: Path) -> Series:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import wfdb

        path = str(data_dir / "ecg" / "wfdb" / "mitdb" / "100")
        record = wfdb.rdrecord(path)
        annotation = wfdb.rdann(path, "atr")
    return Series(
        values=record.p_signal.T,
        fs=record.fs,
        annotations=Annotations(sample=annotation.sample, label=annotation.symbol),
        subject="100",
        recording="100",
    )


def _ramp(length: int = 10, **kwargs: object) -> Series:
    # channel 0 = 0..T-1, channel 1 = 100..100+T-1, so each value names its sample
    values = np.stack([np.arange(length), 100 + np.arange(length)]).astype(np.float32)
    return Series(values=values, fs=1.0, **kwargs)  # type: ignore[arg-type]


def test_fixed_windows_starts_and_values() -> None:
    windows = fixed_windows(_ramp(10, subject="S1", recording="r1"), length=4, stride=3)
    # (10 - 4) // 3 + 1 = 3 windows starting at 0, 3, 6
    assert windows.x.shape == (3, 2, 4)
    assert windows.start.tolist() == [0, 3, 6]
    assert windows.x[1, 0].tolist() == [3, 4, 5, 6]
    assert windows.x[2, 1].tolist() == [106, 107, 108, 109]
    assert windows.subject.tolist() == ["S1"] * 3
    assert windows.recording.tolist() == ["r1"] * 3
    assert windows.y is None
    assert windows.x.dtype == np.float32


def test_fixed_windows_default_stride_and_short_series() -> None:
    assert fixed_windows(_ramp(10), length=5).start.tolist() == [0, 5]
    empty = fixed_windows(_ramp(3), length=5)
    assert empty.x.shape == (0, 2, 5) and len(empty) == 0
    with pytest.raises(DataError, match="stride"):
        fixed_windows(_ramp(10), length=4, stride=0)


def test_fixed_windows_step_labels() -> None:
    steps = np.array(list("aabbbbaccc"))
    series = _ramp(10, step_labels=steps)
    # windows [0:4] = a a b b (tie -> smallest, "a"), [3:7] = b b b a, [6:10] = a c c c
    majority = fixed_windows(series, length=4, stride=3, label_mode="majority")
    assert majority.y.tolist() == ["a", "b", "c"]
    last = fixed_windows(series, length=4, stride=3, label_mode="last")
    assert last.y.tolist() == ["b", "a", "c"]  # steps[3], steps[6], steps[9]


def test_fixed_windows_series_label_and_errors() -> None:
    labelled = fixed_windows(_ramp(10, label=4), length=5, label_mode="series")
    assert labelled.y.tolist() == [4, 4]
    with pytest.raises(DataError, match="no label"):
        fixed_windows(_ramp(10), length=5, label_mode="series")
    with pytest.raises(DataError, match="step_labels"):
        fixed_windows(_ramp(10), length=5, label_mode="majority")


def test_event_windows_edges_keep_and_mapping() -> None:
    annotations = Annotations(
        sample=[1, 2, 5, 10, 17, 18], label=["N", "V", "+", "V", "N", "N"]
    )
    series = _ramp(20, annotations=annotations, recording="r")
    windows = event_windows(
        series,
        before=2,
        after=3,
        labels={"N": "normal", "V": "ectopic"},
        keep=lambda s: s != "+",
    )
    # 1: starts at -1, dropped; 2: [0, 5); 5 is '+', skipped; 10: [8, 13); 17: [15, 20); 18: past end
    assert windows.start.tolist() == [0, 8, 15]
    assert windows.y.tolist() == ["ectopic", "ectopic", "normal"]
    assert windows.meta["dropped"] == 2
    assert windows.x[1, 0].tolist() == [8, 9, 10, 11, 12]
    assert (windows.start + windows.meta["before"]).tolist() == [2, 10, 17]


def test_event_windows_unmapped_label_and_callable() -> None:
    series = _ramp(20, annotations=Annotations(sample=[5, 10], label=["N", "+"]))
    with pytest.raises(DataError, match=r"\['\+'\]"):
        event_windows(series, before=2, after=2, labels={"N": "n"})
    windows = event_windows(series, before=2, after=2, labels=str.lower)
    assert windows.y.tolist() == ["n", "+"]
    with pytest.raises(DataError, match="annotations"):
        event_windows(_ramp(20), before=1, after=1)


def test_windowset_concat_subset_groups() -> None:
    a = fixed_windows(
        _ramp(10, subject="S1", recording="r1", label=0), length=5, label_mode="series"
    )
    b = fixed_windows(
        _ramp(12, subject="S2", recording="r2", label=1), length=5, label_mode="series"
    )
    both = WindowSet.concat([a, b])
    assert len(both) == 4
    assert both.groups("subject").tolist() == ["S1", "S1", "S2", "S2"]
    assert both.groups("recording").tolist() == ["r1", "r1", "r2", "r2"]
    assert both.groups("window").tolist() == [0, 1, 2, 3]
    assert both.y.tolist() == [0, 0, 1, 1]
    assert both.meta["length"] == 5 and both.meta["stride"] == 5
    picked = both.subset([3, 0])
    assert picked.start.tolist() == [5, 0] and picked.subject.tolist() == ["S2", "S1"]
    assert np.array_equal(picked.x[0], both.x[3])
    with pytest.raises(DataError, match="level"):
        both.groups("patient")
    with pytest.raises(DataError, match="no subject id"):
        fixed_windows(_ramp(10), length=5).groups("subject")
    with pytest.raises(DataError, match=r"\(C, L\)"):
        WindowSet.concat([a, fixed_windows(_ramp(10), length=4)])
    with pytest.raises(DataError, match="labels"):
        WindowSet.concat([a, fixed_windows(_ramp(10), length=5)])


def test_windows_from_series_sums_dropped() -> None:
    first = _ramp(
        10, recording="r1", annotations=Annotations(sample=[0, 5], label=["x", "x"])
    )
    second = _ramp(
        10, recording="r2", annotations=Annotations(sample=[5, 9], label=["x", "x"])
    )
    windows = windows_from_series(
        [first, second], partial(event_windows, before=1, after=2)
    )
    # r1: sample 0 dropped (start -1); r2: sample 9 dropped (9 + 2 > 10)
    assert windows.recording.tolist() == ["r1", "r2"]
    assert windows.start.tolist() == [4, 4]
    assert windows.meta["dropped"] == 2


def test_event_windows_mitdb_100_beats(data_dir: Path) -> None:
    series = _mitdb_100(data_dir)
    windows = event_windows(
        series, before=90, after=110, labels=AAMI, keep=lambda symbol: symbol in AAMI
    )
    # 2273 beats (N 2239, S 33, V 1); the first N beat (sample 77 < 90) and the last
    # (649991 + 110 > 650000) do not fit, so 2 N beats are dropped.
    assert windows.meta["dropped"] == 2
    assert Counter(windows.y.tolist()) == {"N": 2237, "S": 33, "V": 1}
    assert windows.x.shape == (2271, 2, 200)
    beat = windows.start + 90  # the annotated R-peak sample
    assert np.array_equal(windows.x[:, :, 90], series.values[:, beat].T)
