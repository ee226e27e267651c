"""read_ts on real UCR/UEA files and on small hand-written .ts texts."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from tscl.data.read_ts import read_ts
from tscl.errors import DataError


def _data_lines(path: Path) -> list[str]:
    """The non-empty lines after @data, read without the parser under test."""
    lines = path.read_text(encoding="utf-8").split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip().lower() == "@data")
    return [line.strip() for line in lines[start + 1 :] if line.strip()]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "small.ts"
    path.write_text(text, encoding="utf-8")
    return path


def test_ecg200_train(data_dir: Path) -> None:
    path = data_dir / "ucr" / "ECG200" / "ECG200_TRAIN.ts"
    data = read_ts(path)
    assert len(data) == 100
    assert {x.shape for x in data.series} == {(1, 96)}
    assert data.series[0].dtype == np.float32
    assert data.class_labels == ["-1", "1"]
    assert set(data.labels.tolist()) == {"-1", "1"}
    assert data.equal_length and data.num_channels == 1
    assert data.header["problemname"] == "ECG200"
    assert data.header["serieslength"] == 96
    first = _data_lines(path)[0]
    values, label = first.rsplit(":", 1)
    expected = np.array([float(v) for v in values.split(",")], dtype=np.float32)
    np.testing.assert_array_equal(data.series[0][0], expected)
    assert data.labels[0] == label
    assert data.to_array().shape == (100, 1, 96)


def test_all_gesture_wiimote_x_has_variable_lengths(data_dir: Path) -> None:
    path = data_dir / "ucr" / "AllGestureWiimoteX" / "AllGestureWiimoteX_TRAIN.ts"
    data = read_ts(path)
    lengths = [line.split(":")[0].count(",") + 1 for line in _data_lines(path)]
    assert [x.shape[1] for x in data.series] == lengths
    assert len(data) == 300 and not data.equal_length
    assert len(data.class_labels) == 10
    array = data.to_array()
    assert array.shape == (300, 1, max(lengths))
    shortest = int(np.argmin(lengths))
    assert np.isnan(array[shortest, 0, lengths[shortest] :]).all()
    assert not np.isnan(array[shortest, 0, : lengths[shortest]]).any()


def test_basic_motions_is_multivariate(data_dir: Path) -> None:
    path = data_dir / "uea" / "BasicMotions" / "BasicMotions_TRAIN.ts"
    data = read_ts(path)
    assert len(data) == 40 and data.num_channels == 6
    assert {x.shape for x in data.series} == {(6, 100)}
    assert Counter(data.labels.tolist()) == dict.fromkeys(
        ["Standing", "Running", "Walking", "Badminton"], 10
    )
    second_dimension = _data_lines(path)[0].split(":")[1]
    expected = np.array([float(v) for v in second_dimension.split(",")], np.float32)
    np.testing.assert_array_equal(data.series[0][1], expected)


def test_japanese_vowels_variable_length_multivariate(data_dir: Path) -> None:
    data = read_ts(data_dir / "uea" / "JapaneseVowels" / "JapaneseVowels_TRAIN.ts")
    lengths = {x.shape[1] for x in data.series}
    assert len(data) == 270 and data.num_channels == 12
    assert min(lengths) == 7 and max(lengths) == 26 and not data.equal_length
    assert data.to_array().shape == (270, 12, 26)


def test_missing_values_and_comments(tmp_path: Path) -> None:
    text = (
        "# a comment\n@problemName Tiny\n@missing true\n@univariate false\n"
        "@dimensions 2\n@equalLength true\n@seriesLength 3\n@classLabel true a b\n"
        "@data\n1,?,3:4,5,NaN:a\n# inside data\n\n0.5,1e3,-2:7,8,9:b\n"
    )
    data = read_ts(_write(tmp_path, text))
    assert data.labels.tolist() == ["a", "b"]
    np.testing.assert_array_equal(data.series[0], [[1, np.nan, 3], [4, 5, np.nan]])
    np.testing.assert_array_equal(data.series[1], [[0.5, 1000, -2], [7, 8, 9]])


def test_unlabelled_and_regression_files(tmp_path: Path) -> None:
    data = read_ts(_write(tmp_path, "@classLabel false\n@data\n1,2,3\n4,5\n"))
    assert data.labels is None and data.class_labels is None
    assert [x.shape for x in data.series] == [(1, 3), (1, 2)]
    data = read_ts(_write(tmp_path, "@targetLabel true\n@data\n1,2:0.25\n3,4:-1.5\n"))
    assert data.labels.dtype == np.float64
    assert data.labels.tolist() == [0.25, -1.5]


def test_crlf_line_endings(tmp_path: Path) -> None:
    data = read_ts(_write(tmp_path, "@classLabel true x\r\n@data\r\n1,2:x\r\n"))
    assert data.labels.tolist() == ["x"]


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("@timeStamps true\n@data\n1:a\n", 2, "not supported"),
        ("@classLabel true a\n@data\n1,2:z\n", 3, "label 'z' is not one of"),
        ("@missing false\n@data\n1,?,3\n", 3, "@missing false"),
        ("@dimensions 2\n@data\n1,2:3,4\n1,2\n", 4, "1 dimensions, expected 2"),
        ("@data\n1,2:3\n", 2, "different lengths"),
        ("@equalLength true\n@data\n1,2\n1,2,3\n", 4, "@equalLength true"),
        ("@seriesLength 3\n@data\n1,2\n", 3, "@seriesLength is 3"),
        ("@data\n1,x,3\n", 2, "'x' is not a number"),
        ("@data\n1,,3\n", 2, "empty value"),
        ("@data\n1,inf\n", 2, "infinite"),
        ("@univariate maybe\n@data\n1\n", 1, "true or false"),
        ("@dimensions two\n@data\n1\n", 1, "positive integer"),
        ("hello\n@data\n1\n", 1, "expected a @tag"),
    ],
)
def test_malformed_text_names_file_and_line(
    tmp_path: Path, text: str, line: int, problem: str
) -> None:
    with pytest.raises(DataError) as info:
        read_ts(_write(tmp_path, text))
    message = str(info.value)
    assert f"small.ts:{line}: " in message
    assert problem in message
    assert "\n" not in message


def test_no_data_section(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no @data line"):
        read_ts(_write(tmp_path, "@problemName x\n"))
    with pytest.raises(DataError, match="no series after @data"):
        read_ts(_write(tmp_path, "@problemName x\n@data\n\n"))
