"""Beat windows of MIT-BIH records, AAMI-labelled, split by patient.

MLII lead, 0.5-40 Hz band-pass, windows of ``before + after`` samples around
each annotated beat (252 at 360 Hz by default: 90 before the R peak, 162 from
it), labels mapped to the AAMI classes N/S/V/F/Q; non-beat annotations are
skipped. Splits are patient-independent: each patient's beats land in one of
train / validation / test, and the leak guard checks it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tscl.data.aami import AAMI_CLASSES, aami_class
from tscl.data.records import Series
from tscl.data.splits import Split, check_no_leak, group_split
from tscl.data.windows import WindowSet, event_windows
from tscl.domains.ecg.preprocess import bandpass, select_lead


@dataclass(frozen=True)
class BeatSettings:
    lead: str = "MLII"
    before: int = 90
    after: int = 162
    low_hz: float = 0.5
    high_hz: float = 40.0


def beat_windows(
    records: list[Series], settings: BeatSettings = BeatSettings()
) -> WindowSet:
    """AAMI-labelled beat windows (N, 1, before + after) from every record."""
    parts = []
    for record in records:
        clean = bandpass(
            select_lead(record, settings.lead), settings.low_hz, settings.high_hz
        )
        parts.append(
            event_windows(
                clean,
                before=settings.before,
                after=settings.after,
                labels=aami_class,
                keep=lambda symbol: aami_class(symbol) is not None,
            )
        )
    return WindowSet.concat(parts)


def patient_split(windows: WindowSet, *, val: float, test: float, seed: int) -> Split:
    """Patient-independent train/val/test split of beat windows (guarded against leaks)."""
    subjects = windows.groups("subject")
    split = group_split(subjects, val=val, test=test, seed=seed, labels=windows.y)
    check_no_leak(split, subjects, name="patient")
    return split


def class_codes(labels: np.ndarray) -> np.ndarray:
    """AAMI letters -> int codes in AAMI_CLASSES order."""
    index = {name: i for i, name in enumerate(AAMI_CLASSES)}
    return np.array([index[str(label)] for label in labels], dtype=np.int64)
