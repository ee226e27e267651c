"""Beat windows with rhythm channels and neighbours, on real MIT-BIH records."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tscl.data.aami import aami_class
from tscl.data.read_wfdb import read_wfdb
from tscl.data.records import Series
from tscl.data.windows import event_windows
from tscl.domains.ecg.beats import BeatSettings, beat_set, beat_windows, record_beats
from tscl.domains.ecg.preprocess import bandpass, select_lead
from tscl.domains.ecg.rhythm import RR_FEATURES, rr_features
from tscl.errors import ConfigError, DataError

MINUTES_2 = 2 * 60 * 360


@pytest.fixture(scope="module")
def record_101(mitdb: Path) -> Series:
    return read_wfdb(mitdb / "101", sampto=MINUTES_2)


def _aami_peaks(series: Series) -> np.ndarray:
    assert series.annotations is not None
    keep = [aami_class(label) is not None for label in series.annotations.label]
    return series.annotations.sample[keep]


def test_beat_windows_unchanged_for_existing_callers(record_101: Series) -> None:
    windows = beat_windows([record_101])
    old = event_windows(
        bandpass(select_lead(record_101, "MLII"), 0.5, 40.0),
        before=90,
        after=162,
        labels=aami_class,
        keep=lambda symbol: aami_class(symbol) is not None,
    )
    np.testing.assert_array_equal(windows.x, old.x)
    np.testing.assert_array_equal(windows.y, old.y)
    assert windows.x.shape[1:] == (1, 252)


def test_record_beats_append_constant_rr_channels(record_101: Series) -> None:
    beats = record_beats(record_101)
    plain = beat_windows([record_101])
    assert beats.x.shape == (len(plain), 5, 252) and beats.x.dtype == np.float32
    np.testing.assert_array_equal(beats.x[:, :1], plain.x)  # the lead, as before
    np.testing.assert_array_equal(beats.labels, plain.y)
    np.testing.assert_array_equal(beats.start, plain.start)
    np.testing.assert_array_equal(beats.peak, beats.start + 90)
    # RR computed over every beat of the record, then kept for the windowed ones
    peaks = _aami_peaks(record_101)
    expected = rr_features(peaks, 360.0)[np.isin(peaks, beats.peak)]
    np.testing.assert_array_equal(beats.rr, expected)
    np.testing.assert_array_equal(
        beats.x[:, 1:], np.repeat(expected[:, :, None], 252, 2)
    )
    assert set(beats.subject) == set(beats.recording) == {"101"}
    assert beats.labelled and beats.detected == ()
    assert BeatSettings().channels == ("MLII", *RR_FEATURES)


def test_rhythm_none_leads_and_neighbours(record_101: Series) -> None:
    settings = BeatSettings(leads=("MLII", "V1"), rhythm="none", neighbours=1)
    beats = record_beats(record_101, settings)
    assert beats.x.shape[1:] == (2, 3 * 252) and settings.length == 756
    own = record_beats(record_101, BeatSettings(leads=("MLII", "V1"), rhythm="none"))
    # the middle third is the beat's own window
    rows = np.searchsorted(own.peak, beats.peak)
    np.testing.assert_array_equal(beats.x[:, :, 252:504], own.x[rows])
    assert len(beats) == len(own) - 2  # the first and last beats lack a neighbour


def test_detect_always_gives_unlabelled_beats(mitdb: Path) -> None:
    series = read_wfdb(mitdb / "101", sampto=30 * 360)
    beats = record_beats(series, BeatSettings(detect="always"))
    assert not beats.labelled and set(beats.labels) == {""}
    assert beats.detected == ("101",)
    reference = _aami_peaks(series)
    inside = reference[(reference >= 90) & (reference + 162 <= len(series))]
    distance = np.abs(inside[:, None] - beats.peak[None, :]).min(axis=1)  # (K,)
    assert len(beats) == len(inside) and (distance <= 18).all()


def test_detect_never_needs_annotations(record_101: Series) -> None:
    bare = Series(values=record_101.values, fs=360.0, channels=record_101.channels)
    with pytest.raises(DataError, match="detect='never'"):
        record_beats(bare, BeatSettings(detect="never"))


def test_beat_set_stacks_records_with_ids(mitdb: Path) -> None:
    records = [read_wfdb(mitdb / name, sampto=30 * 360) for name in ("101", "106")]
    beats = beat_set(records)
    assert set(beats.recording) == {"101", "106"}
    for name in ("101", "106"):
        rows = beats.recording == name
        assert (beats.subject[rows] == name).all()


def test_settings_round_trip_and_validation() -> None:
    settings = BeatSettings(leads=("MLII", "V5"), notch_hz=50.0, baseline="median")
    assert BeatSettings.from_dict(settings.to_dict()) == settings
    assert BeatSettings(leads=["MLII"]).leads == ("MLII",)  # type: ignore[arg-type]
    for bad in ({"rhythm": "both"}, {"detect": "sometimes"}, {"baseline": "x"}):
        with pytest.raises(ConfigError):
            BeatSettings(**bad)  # type: ignore[arg-type]
