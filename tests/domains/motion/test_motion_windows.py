"""The reference smartwatch protocol: 4 s windows, 50 % overlap, ids of the recording kept."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tscl.data.fetch import ensure_fetched
from tscl.data.loaders import load_dataset
from tscl.domains.motion.options import MotionOptions, window_samples
from tscl.domains.motion.pipeline import apply_spec, build_spec


def _watch_windows() -> tuple[list, object]:
    ensure_fetched("seglearn_watch")
    recordings = load_dataset("seglearn_watch")
    length, stride = window_samples(MotionOptions(), recordings[0].fs)
    spec = build_spec(recordings, MotionOptions(), window=length, stride=stride)
    return recordings, apply_spec(recordings, spec)


def test_reference_protocol_gives_2229_windows_of_200_samples(catalog: Path) -> None:
    recordings, windows = _watch_windows()
    assert len(recordings) == 140
    # ANCHORS.md "EEG and motion" C: 2,229 windows of 200 samples (4 s at 50 Hz), 50 % overlap
    assert windows.x.shape == (2229, 8, 200)
    assert windows.meta["stride"] == 100
    expected = sum((len(r) - 200) // 100 + 1 for r in recordings)
    assert expected == 2229


def test_every_window_keeps_its_recordings_ids_and_label(catalog: Path) -> None:
    recordings, windows = _watch_windows()
    by_id = {r.recording: r for r in recordings}
    assert set(windows.recording) == set(by_id)
    for row in range(len(windows)):
        source = by_id[windows.recording[row]]
        assert windows.subject[row] == source.subject
        assert windows.y[row] == source.label
        start = int(windows.start[row])
        # the first 6 channels are the recording's samples [start, start + 200)
        np.testing.assert_array_equal(
            windows.x[row, :6], source.values[:, start : start + 200]
        )
    assert len(set(windows.subject)) == 10
