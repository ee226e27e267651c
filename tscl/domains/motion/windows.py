"""4 s / 50 % overlap windows of motion recordings, keeping subject and recording ids."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import numpy as np

from tscl.data.records import Series
from tscl.data.training import SignalSet, encode_ids
from tscl.data.windows import WindowSet, fixed_windows, windows_from_series
from tscl.errors import DataError


def motion_windows(recordings: Sequence[Series], length: int, stride: int) -> WindowSet:
    """Fixed windows of every recording: (N, C, length), ``stride`` apart, no padding.

    Each window takes its recording's label (``series.label``), else the
    majority of its step labels, else none; ``subject`` / ``recording`` are the
    recording's ids.

    Raises:
        DataError: if no recording is as long as one window.
    """
    if not recordings:
        raise DataError("motion", "no recordings to window")
    if recordings[0].label is not None:
        mode = "series"
    elif recordings[0].step_labels is not None:
        mode = "majority"
    else:
        mode = None
    windowing = partial(fixed_windows, length=length, stride=stride, label_mode=mode)
    windows = windows_from_series(recordings, windowing)
    if len(windows) == 0:
        longest = max(len(r) for r in recordings)
        raise DataError(
            "motion",
            f"no window of {length} samples fits: the longest recording has {longest}",
        )
    return windows


def label_codes(
    labels: np.ndarray | None, class_names: Sequence[str], source: str
) -> np.ndarray | None:
    """(N,) labels -> (N,) int64 positions in ``class_names`` (None stays None)."""
    if labels is None:
        return None
    index = {name: code for code, name in enumerate(class_names)}
    unknown = sorted({str(v) for v in labels} - set(index))
    if unknown:
        raise DataError(
            source, f"labels {unknown} are not among the classes {list(class_names)}"
        )
    return np.array([index[str(v)] for v in labels], dtype=np.int64)


def signal_set(
    windows: WindowSet, class_names: Sequence[str], source: str
) -> SignalSet:
    """A WindowSet as a SignalSet: x (N, C, L), y codes, subject / recording ids."""
    subject, subject_names = encode_ids(windows.subject)
    recording, recording_names = encode_ids(windows.recording)
    return SignalSet(
        x=windows.x,
        y=label_codes(windows.y, class_names, source),
        ids={"subject": subject, "recording": recording},
        id_names={"subject": subject_names, "recording": recording_names},
    )
