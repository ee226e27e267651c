"""read_csv_series on the real forecasting / EEG / wearable CSVs and small texts."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from tscl.data.read_csv import read_csv_series
from tscl.errors import DataError


def _write(tmp_path: Path, text: str, name: str = "small.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_etth1(data_dir: Path) -> None:
    path = data_dir / "forecasting" / "ETT-small" / "ETTh1.csv"
    series = read_csv_series(path, time_column="date")
    assert series.values.shape == (7, 17420)
    assert series.channels == ("HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT")
    assert series.recording == "ETTh1"
    assert series.timestamps.dtype == np.dtype("datetime64[ns]")
    assert series.timestamps[0] == np.datetime64("2016-07-01T00:00")
    assert series.timestamps[-1] == np.datetime64("2018-06-26T19:00")
    assert (np.diff(series.timestamps) == np.timedelta64(1, "h")).all()
    first_row = path.read_text().split("\n")[1].split(",")
    np.testing.assert_array_equal(
        series.values[:, 0], np.array([float(v) for v in first_row[1:]], np.float32)
    )


def test_headerless_gzip_exchange_rate(data_dir: Path) -> None:
    path = data_dir / "forecasting" / "exchange_rate" / "exchange_rate.txt.gz"
    series = read_csv_series(path, header=False)
    assert series.values.shape == (8, 7588)
    assert series.channels == tuple(str(i) for i in range(8))
    assert series.recording == "exchange_rate"
    first = gzip.decompress(path.read_bytes()).decode().split("\n")[0].split(",")
    np.testing.assert_array_equal(
        series.values[:, 0], np.array([float(v) for v in first], np.float32)
    )


def test_headerless_with_names_illness(data_dir: Path) -> None:
    names = ["wili", "ili", "age0_4", "age5_24", "ilitotal", "providers", "OT"]
    path = data_dir / "forecasting" / "illness" / "illness_nodate_noheader.csv"
    series = read_csv_series(path, header=False, columns=names)
    assert series.values.shape == (7, 966)
    assert series.channels == tuple(names)


def test_eeg_eye_state_labels(data_dir: Path) -> None:
    path = data_dir / "eeg" / "eeg_eye_state" / "eeg-eye-state.csv"
    series = read_csv_series(path, label_column="class", fs=128)
    assert series.values.shape == (14, 14980)
    assert series.fs == 128
    assert "class" not in series.channels and series.channels[0] == "AF3"
    closed = sum(line.endswith(",1") for line in path.read_text().split("\n")[1:])
    assert int(series.step_labels.sum()) == closed
    assert set(series.step_labels.tolist()) == {0, 1}


def test_daphnet_timestamps_and_labels(data_dir: Path) -> None:
    path = data_dir / "motion" / "daphnet_fog" / "S06R02E0.csv"
    series = read_csv_series(path, time_column="timestamp", label_column="is_anomaly")
    assert series.values.shape == (9, 7040)
    assert series.channels[0] == "ankle_horiz_fwd"
    assert series.timestamps[1] - series.timestamps[0] == np.timedelta64(15, "ms")
    assert (series.step_labels == 0).all()


def test_selected_columns_and_missing_cells(tmp_path: Path) -> None:
    path = _write(tmp_path, "t,a,b,c\n0.0,1,,3\n0.5,4,5,NA\n\n1.0,7,8,9\n")
    series = read_csv_series(path, time_column="t", columns=["c", "a"])
    assert series.channels == ("c", "a")
    np.testing.assert_array_equal(series.values, [[3, np.nan, 9], [1, 4, 7]])
    assert series.timestamps.dtype == np.float64
    assert series.timestamps.tolist() == [0.0, 0.5, 1.0]
    everything = read_csv_series(path)
    assert everything.channels == ("t", "a", "b", "c")
    assert np.isnan(everything.values[2, 0]) and np.isnan(everything.values[3, 1])


def test_quoted_fields(tmp_path: Path) -> None:
    path = _write(
        tmp_path, 'time,"x, y",label\n2020-01-01,1.5,"a,b"\n2020-01-02,2.5,c\n'
    )
    series = read_csv_series(path, time_column="time", label_column="label")
    assert series.channels == ("x, y",)
    assert series.step_labels.tolist() == ["a,b", "c"]
    assert series.values.tolist() == [[1.5, 2.5]]


@pytest.mark.parametrize(
    ("text", "kwargs", "problem"),
    [
        ("a,b\n1,2\n3,inf\n", {}, "column 'b' has an infinite or huge value at line 3"),
        ("a,b\n1,2\n3,1e39\n", {}, "infinite or huge value at line 3"),
        ("a,b\n1,2\n3,x\n", {}, "column 'b' is not numeric at line 3 (value 'x')"),
        ("a,b\n1,2\n3,4,5\n", {}, "line 3 has 3 fields, expected 2"),
        ("a,b\n1,2\n3\n", {}, "line 3 has 1 fields, expected 2"),
        ("", {}, "empty file"),
        ("a,b\n", {}, "no data rows"),
        ("t,a\n2020-01-02,1\n2020-01-01,2\n", {"time_column": "t"}, "not strictly"),
        ("t,a\n2020-01-01,1\nyesterday,2\n", {"time_column": "t"}, "not a date/time"),
        ("t,a\n1,1\n,2\n", {"time_column": "t"}, "empty value at line 3"),
        ("a,b\n1,2\n", {"label_column": "z"}, "no column 'z'"),
        ("1,2\n", {"header": False, "columns": ["a"]}, "1 column names for 2"),
    ],
)
def test_malformed_csv(tmp_path: Path, text: str, kwargs: dict, problem: str) -> None:
    with pytest.raises(DataError) as info:
        read_csv_series(_write(tmp_path, text), **kwargs)
    assert problem in str(info.value)
    assert "small.csv" in str(info.value) and "\n" not in str(info.value)
