"""read_wfdb / read_wfdb_header on real PhysioNet records."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tscl.data.read_wfdb import (
    parse_age_sex,
    read_wfdb,
    read_wfdb_annotations,
    read_wfdb_header,
)


@pytest.fixture(scope="module")
def mitdb(data_dir: Path) -> Path:
    return data_dir / "ecg" / "wfdb" / "mitdb"


def _decode_212(raw: bytes) -> tuple[int, int]:
    """First two 12-bit two's-complement samples of a format-212 file."""
    first = raw[0] | ((raw[1] & 0x0F) << 8)
    second = raw[2] | ((raw[1] & 0xF0) << 4)
    return tuple(v - 4096 if v >= 2048 else v for v in (first, second))  # type: ignore[return-value]


def test_record_100(mitdb: Path) -> None:
    series = read_wfdb(mitdb / "100")
    assert series.values.shape == (2, 650000)
    assert series.values.dtype == np.float32
    assert series.fs == 360.0
    assert series.channels == ("MLII", "V5")
    assert series.units == ("mV", "mV")
    assert series.recording == series.subject == "100"
    assert len(series.annotations) == 2274
    assert series.annotations.label[0] == "+"
    assert series.annotations.sample[0] == 18
    assert series.meta["annotation_aux"][0].startswith("(N")
    assert (series.meta["age"], series.meta["sex"]) == (69, "M")
    assert "Aldomet, Inderal" in series.meta["comments"]


def test_physical_values_match_the_raw_bytes(mitdb: Path) -> None:
    # Header: gain 200 adu/mV and baseline 1024 for both channels.
    digital = _decode_212((mitdb / "100.dat").read_bytes()[:3])
    expected = [(d - 1024) / 200 for d in digital]
    series = read_wfdb(mitdb / "100", sampto=10)
    np.testing.assert_allclose(series.values[:, 0], expected, rtol=1e-6)


def test_path_with_hea_suffix_is_the_same(mitdb: Path) -> None:
    a = read_wfdb(mitdb / "100.hea", sampto=1000, annotator=None)
    b = read_wfdb(str(mitdb / "100"), sampto=1000, annotator=None)
    np.testing.assert_array_equal(a.values, b.values)
    assert a.annotations is None


def test_record_114_starts_with_v5(mitdb: Path) -> None:
    series = read_wfdb(mitdb / "114", sampto=3600)
    assert series.channels == ("V5", "MLII")
    assert (series.meta["age"], series.meta["sex"]) == (72, "F")


def test_channels_and_sample_range(mitdb: Path) -> None:
    full = read_wfdb(mitdb / "100", sampto=20000)
    part = read_wfdb(mitdb / "100", channels=[1], sampfrom=5000, sampto=15000)
    assert part.values.shape == (1, 10000)
    assert part.channels == ("V5",)
    np.testing.assert_array_equal(part.values[0], full.values[1, 5000:15000])
    inside = (full.annotations.sample >= 5000) & (full.annotations.sample < 15000)
    np.testing.assert_array_equal(
        part.annotations.sample, full.annotations.sample[inside] - 5000
    )
    np.testing.assert_array_equal(
        part.annotations.label, full.annotations.label[inside]
    )


def test_header_only(data_dir: Path) -> None:
    header = read_wfdb_header(data_dir / "ecg" / "wfdb" / "ptbdb" / "s0010_re.hea")
    assert header["fs"] == 1000.0
    assert header["num_samples"] == 38400
    assert header["num_channels"] == 15
    assert header["channels"][:3] == ["i", "ii", "iii"]
    assert header["channels"][-3:] == ["vx", "vy", "vz"]
    assert set(header["units"]) == {"mV"}
    assert (header["age"], header["sex"]) == (81, "F")
    assert "Reason for admission: Myocardial infarction" in header["comments"]


def test_mat_signal_file_without_annotations(data_dir: Path) -> None:
    series = read_wfdb(data_dir / "ecg" / "wfdb" / "challenge2015" / "a103l")
    assert series.values.shape == (3, 82500)
    assert series.fs == 250.0
    assert series.channels == ("II", "V", "PLETH")
    assert series.units == ("mV", "mV", "NU")
    assert series.annotations is None
    assert series.meta["comments"] == ["Asystole", "False alarm"]
    assert (series.meta["age"], series.meta["sex"]) == (-1, "?")


def test_annotations_only(mitdb: Path) -> None:
    annotations = read_wfdb_annotations(mitdb / "208.hea")
    assert len(annotations) == 2955 + 53 + 8 + 24


@pytest.mark.parametrize(
    ("comments", "expected"),
    [
        (["unnecessary comment", "69 M 1085 1629 x1", "Aldomet"], (69, "M")),
        (["23 F 2546 N/A x1"], (23, "F")),
        (["-1 ? 1234"], (-1, "?")),
        (["?? M"], (-1, "M")),
        (["age: 81", "sex: female"], (81, "F")),
        (["age: n/a", "sex: male"], (-1, "M")),
        (["Asystole"], (-1, "?")),
        ([], (-1, "?")),
    ],
)
def test_parse_age_sex(comments: list[str], expected: tuple[int, str]) -> None:
    assert parse_age_sex(comments) == expected
