"""R-peak detection (wfdb XQRS + peak correction) against MIT-BIH reference beats."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tscl.data.aami import aami_class
from tscl.data.read_wfdb import read_wfdb
from tscl.data.records import Series
from tscl.domains.ecg.detect import detect_beats
from tscl.domains.ecg.preprocess import CleanSettings, clean
from tscl.errors import DataError

TOLERANCE = 18  # 50 ms at 360 Hz


def _annotated_beats(series: Series) -> np.ndarray:
    assert series.annotations is not None
    is_beat = [aami_class(label) is not None for label in series.annotations.label]
    return series.annotations.sample[is_beat]


def _matched(reference: np.ndarray, found: np.ndarray) -> np.ndarray:
    """(K,) bool: a ``found`` sample lies within TOLERANCE of each reference sample."""
    right = np.clip(np.searchsorted(found, reference), 1, len(found) - 1)
    nearest = np.minimum(
        np.abs(found[right] - reference), np.abs(found[right - 1] - reference)
    )
    return nearest <= TOLERANCE


def _check_record_100(series: Series) -> None:
    reference = _annotated_beats(series)
    found = detect_beats(clean(series, CleanSettings()), "MLII")
    assert found.dtype == np.int64 and np.all(np.diff(found) > 0)
    sensitivity = _matched(reference, found).mean()
    precision = _matched(found, reference).mean()
    assert sensitivity >= 0.99, f"only {sensitivity:.2%} of annotated beats found"
    assert precision >= 0.99, f"only {precision:.2%} of detections are beats"


@pytest.mark.slow
def test_detected_beats_match_record_100_annotations(mitdb: Path) -> None:
    """Record 100 (smoke-test record): >= 99% of 2273 beats within 50 ms."""
    _check_record_100(read_wfdb(mitdb / "100"))


def test_detected_beats_match_first_minute_of_record_100(mitdb: Path) -> None:
    _check_record_100(read_wfdb(mitdb / "100", sampto=60 * 360))


def test_detection_on_a_flat_or_short_signal_finds_nothing() -> None:
    flat = Series(values=np.zeros((1, 3600)), fs=360.0, channels=("MLII",))
    assert detect_beats(flat, "MLII").shape == (0,)
    short = Series(values=np.ones((1, 100)), fs=360.0, channels=("MLII",))
    assert detect_beats(short, "MLII").shape == (0,)
    with pytest.raises(DataError, match="V1"):
        detect_beats(flat, "V1")
