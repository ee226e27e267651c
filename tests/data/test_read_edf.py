"""read_edf on real EEGMMIDB EDF+ files, plus a mixed-rate file written from one."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pyedflib
import pytest

from tscl.data.read_edf import clean_channel_name, read_edf
from tscl.errors import DataError

HEADER_BYTES = 256 + 65 * 256  # fixed header + 65 signal headers (64 EEG + annotations)


@pytest.fixture(scope="module")
def s001r04(data_dir: Path) -> Path:
    return data_dir / "eeg" / "eegmmidb" / "S001" / "S001R04.edf"


def test_s001r04(s001r04: Path) -> None:
    series = read_edf(s001r04)
    assert series.values.shape == (64, 20000)
    assert series.values.dtype == np.float32
    assert series.fs == 160.0
    assert series.recording == "S001R04"
    assert series.channels[:3] == ("Fc5", "Fc3", "Fc1")
    assert {"C3", "Cz", "T10", "Iz"} <= set(series.channels)
    assert series.meta["raw_labels"][8] == "C3.."
    assert set(series.units) == {"uV"}
    assert len(series.annotations) == 30
    assert Counter(series.annotations.label.tolist()) == {"T0": 15, "T1": 8, "T2": 7}


def test_annotation_onsets_and_durations_in_samples(s001r04: Path) -> None:
    annotations = read_edf(s001r04).annotations
    # The file's first events: T0 at 0 s for 4.2 s, then T2 at 4.2 s for 4.1 s.
    assert annotations.label[:2].tolist() == ["T0", "T2"]
    assert annotations.sample[:2].tolist() == [0, 672]
    np.testing.assert_allclose(annotations.duration[:2], [4.2 * 160, 4.1 * 160])


def test_values_match_the_raw_bytes(s001r04: Path) -> None:
    # Physical and digital ranges are both +-8092, so physical == digital.
    raw = np.frombuffer(s001r04.read_bytes()[HEADER_BYTES:], dtype="<i2", count=2 * 160)
    values = read_edf(s001r04).values
    np.testing.assert_array_equal(values[0, :160], raw[:160])
    np.testing.assert_array_equal(values[1, :160], raw[160:])


def test_channel_selection_by_raw_or_clean_name(s001r04: Path) -> None:
    full = read_edf(s001r04)
    part = read_edf(s001r04, channels=["C3..", "Cz", "Fc5"])
    assert part.channels == ("C3", "Cz", "Fc5")
    index = [full.channels.index(name) for name in part.channels]
    np.testing.assert_array_equal(part.values, full.values[index])
    with pytest.raises(DataError, match="no channel named 'XYZ'"):
        read_edf(s001r04, channels=["XYZ"])


def test_baseline_run_has_one_annotation(data_dir: Path) -> None:
    series = read_edf(data_dir / "eeg" / "eegmmidb" / "S079" / "S079R01.edf")
    assert series.values.shape == (64, 9760)
    assert series.annotations.label.tolist() == ["T0"]


@pytest.mark.parametrize(
    ("label", "clean"),
    [("Fc5.", "Fc5"), ("C3..", "C3"), ("T10.", "T10"), (" Oz ", "Oz")],
)
def test_clean_channel_name(label: str, clean: str) -> None:
    assert clean_channel_name(label) == clean


def _write_mixed_rates(source: Path, target: Path) -> np.ndarray:
    """Two channels at 160 Hz and one at 80 Hz (every second sample), 10 s."""
    x = read_edf(source, channels=["C3", "C4"]).values[:, :1600].astype(np.float64)
    writer = pyedflib.EdfWriter(str(target), 3, file_type=pyedflib.FILETYPE_EDFPLUS)
    headers = [
        {"label": label, "dimension": "uV", "sample_frequency": rate,
         "physical_max": 8092.0, "physical_min": -8092.0,
         "digital_max": 8092, "digital_min": -8092}
        for label, rate in (("C3..", 160), ("C4..", 160), ("Resp", 80))
    ]  # fmt: skip
    writer.setSignalHeaders(headers)
    writer.writeSamples([x[0], x[1], x[0, ::2].copy()])
    writer.writeAnnotation(1.5, 2.0, "T1")
    writer.close()
    return x


def test_mixed_rates_need_a_consistent_subset(s001r04: Path, tmp_path: Path) -> None:
    target = tmp_path / "mixed.edf"
    x = _write_mixed_rates(s001r04, target)
    with pytest.raises(DataError, match=r"80 Hz: Resp; 160 Hz: C3, C4") as info:
        read_edf(target)
    assert "mixed.edf" in str(info.value) and "\n" not in str(info.value)
    series = read_edf(target, channels=["C3", "C4"])
    assert series.values.shape == (2, 1600)
    np.testing.assert_allclose(series.values, x, atol=1.0)  # 1 uV digital step
    assert series.annotations.sample.tolist() == [240]
    assert series.annotations.duration.tolist() == [320.0]
    resp = read_edf(target, channels=["Resp"])
    assert (resp.fs, resp.values.shape) == (80.0, (1, 800))
