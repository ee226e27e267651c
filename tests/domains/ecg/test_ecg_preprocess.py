"""ECG cleaning on real MIT-BIH signal: notch, baseline removal, band-pass, leads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tscl.data.read_wfdb import read_wfdb
from tscl.data.records import Series
from tscl.domains.ecg.preprocess import (
    CleanSettings,
    bandpass,
    clean,
    notch,
    remove_baseline,
    select_lead,
    select_leads,
)
from tscl.errors import DataError

FS = 360.0
SEGMENT = (36_000, 36_000 + 3600)  # 10 s of record 101, from minute 1 and 40 s


def _segment(mitdb: Path, record: str = "101") -> Series:
    series = read_wfdb(mitdb / record, sampfrom=SEGMENT[0], sampto=SEGMENT[1])
    return select_lead(series, "MLII")


def _tone_power(values: np.ndarray, freq_hz: float) -> float:
    """Power of the ``freq_hz`` component: squared projection on sin and cos."""
    t = np.arange(values.shape[-1]) / FS
    sin, cos = np.sin(2 * np.pi * freq_hz * t), np.cos(2 * np.pi * freq_hz * t)
    return float((values @ sin) ** 2 + (values @ cos) ** 2)


def _with(series: Series, values: np.ndarray) -> Series:
    return Series(values=values, fs=series.fs, channels=series.channels)


@pytest.mark.parametrize("freq_hz", [50.0, 60.0])
def test_notch_removes_injected_powerline_tone_by_30_db(
    mitdb: Path, freq_hz: float
) -> None:
    ecg = _segment(mitdb)
    t = np.arange(len(ecg)) / FS
    tone = 0.3 * np.sin(2 * np.pi * freq_hz * t + 0.7)  # 0.3 mV of mains hum
    noisy = _with(ecg, ecg.values + tone.astype(np.float32))
    before = _tone_power(noisy.values[0].astype(np.float64), freq_hz)
    after = _tone_power(notch(noisy, freq_hz).values[0].astype(np.float64), freq_hz)
    reduction_db = 10 * np.log10(before / after)
    assert reduction_db >= 30.0, f"{freq_hz} Hz tone down only {reduction_db:.1f} dB"


def test_notch_keeps_the_ecg(mitdb: Path) -> None:
    ecg = _segment(mitdb)
    kept = notch(ecg, 60.0).values[0]
    assert np.corrcoef(ecg.values[0], kept)[0, 1] > 0.99
    # the R peaks stay in place (zero phase): same argmax
    assert np.argmax(kept) == np.argmax(ecg.values[0])


@pytest.mark.parametrize("method", ["median", "highpass"])
def test_baseline_removal_takes_out_slow_wander(mitdb: Path, method: str) -> None:
    ecg = bandpass(_segment(mitdb), 0.5, 40.0)  # a wander-free reference
    t = np.arange(len(ecg)) / FS
    wander = (0.8 * np.sin(2 * np.pi * 0.2 * t)).astype(np.float32)
    cleaned = remove_baseline(_with(ecg, ecg.values + wander), method)
    before = _tone_power(ecg.values[0] + wander, 0.2)
    after = _tone_power(cleaned.values[0].astype(np.float64), 0.2)
    assert 10 * np.log10(before / after) > 20.0
    assert remove_baseline(ecg, "none") is ecg


def test_clean_chain_and_nan_gaps(mitdb: Path) -> None:
    series = read_wfdb(mitdb / "101", sampfrom=SEGMENT[0], sampto=SEGMENT[1])
    series.values[1, 100:110] = np.nan
    settings = CleanSettings(leads=("V1", "MLII"), notch_hz=60.0, baseline="highpass")
    out = clean(series, settings)
    assert out.channels == ("V1", "MLII") and out.values.shape == (2, 3600)
    assert out.values.dtype == np.float32
    assert np.isnan(out.values[0, 100:110]).all()  # V1 was row 1
    assert not np.isnan(out.values[1]).any()
    # same chain by hand
    by_hand = bandpass(
        remove_baseline(notch(select_leads(series, ("V1", "MLII")), 60.0), "highpass")
    )
    np.testing.assert_array_equal(out.values, by_hand.values)


def test_select_leads_goes_by_name_record_114(mitdb: Path) -> None:
    series = read_wfdb(mitdb / "114", sampto=360)
    assert series.channels == ("V5", "MLII")  # MLII is second in 114 only
    np.testing.assert_array_equal(
        select_lead(series, "MLII").values[0], series.values[1]
    )
    with pytest.raises(DataError, match="V2"):
        select_leads(series, ("MLII", "V2"))


def test_bad_filter_settings_raise(mitdb: Path) -> None:
    ecg = _segment(mitdb)
    with pytest.raises(DataError, match="notch"):
        notch(ecg, 200.0)
    with pytest.raises(DataError, match="baseline"):
        remove_baseline(ecg, "wavelet")
    with pytest.raises(DataError, match="band"):
        bandpass(ecg, 0.5, 190.0)
