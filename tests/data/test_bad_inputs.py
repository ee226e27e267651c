"""The malformed-input corpus: each case damages a copy of a real file in tmp_path.

Every reader must answer a damaged file with a ``DataError`` whose message is
one line naming the damaged file and the problem, never with another exception
type and never with silently wrong values.
"""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tscl.data.read_csv import read_csv_series
from tscl.data.read_edf import read_edf
from tscl.data.read_events import read_event_log
from tscl.data.read_npz import read_npz
from tscl.data.read_ts import read_ts
from tscl.data.read_wfdb import read_wfdb
from tscl.errors import DataError

# A case returns (read the damaged file, name of the file to blame, problem text).
Case = tuple[Callable[[], object], str, str]


def _copy(source: Path, folder: Path, name: str | None = None) -> Path:
    target = folder / (name or source.name)
    shutil.copyfile(source, target)
    return target


def _mitdb_100(data: Path, tmp: Path) -> Path:
    for suffix in (".hea", ".dat", ".atr"):
        _copy(data / "ecg" / "wfdb" / "mitdb" / f"100{suffix}", tmp)
    return tmp / "100"


def _replace_line(path: Path, index: int, edit: Callable[[str], str]) -> None:
    """Rewrite line ``index`` (0-based) of a text file in place."""
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[index] = edit(lines[index])
    path.write_text("\n".join(lines), encoding="utf-8")


def _data_line_index(path: Path) -> int:
    """Index of the first line after @data."""
    lines = path.read_text(encoding="utf-8").split("\n")
    return next(i for i, line in enumerate(lines) if line.strip() == "@data") + 1


def truncated_dat(data: Path, tmp: Path) -> Case:
    record = _mitdb_100(data, tmp)
    (tmp / "100.dat").write_bytes((tmp / "100.dat").read_bytes()[:1000])
    return lambda: read_wfdb(record), "100.dat", "expected 1950000 bytes, found 1000"


def header_without_dat(data: Path, tmp: Path) -> Case:
    record = _mitdb_100(data, tmp)
    (tmp / "100.dat").unlink()
    return (
        lambda: read_wfdb(record),
        "100.dat",
        "signal file named in 100.hea is missing",
    )


def garbage_header(data: Path, tmp: Path) -> Case:
    record = _mitdb_100(data, tmp)
    (tmp / "100.hea").write_text("this is not a header\n")
    return lambda: read_wfdb(record), "100.hea", "malformed WFDB header"


def truncated_atr(data: Path, tmp: Path) -> Case:
    record = _mitdb_100(data, tmp)
    (tmp / "100.atr").write_bytes((tmp / "100.atr").read_bytes()[:2000])
    return lambda: read_wfdb(record), "100.atr", "WFDB end marker"


def sample_range_past_the_end(data: Path, tmp: Path) -> Case:
    record = _mitdb_100(data, tmp)
    return lambda: read_wfdb(record, sampto=700000), "100.hea", "outside the record"


def ts_nan_without_missing(data: Path, tmp: Path) -> Case:
    path = _copy(data / "ucr" / "ECG200" / "ECG200_TRAIN.ts", tmp)
    index = _data_line_index(path)
    _replace_line(path, index, lambda line: "NaN," + line.split(",", 1)[1])
    return lambda: read_ts(path), f"ECG200_TRAIN.ts:{index + 1}", "@missing false"


def ts_inf_value(data: Path, tmp: Path) -> Case:
    path = _copy(data / "ucr" / "ECG200" / "ECG200_TRAIN.ts", tmp)
    index = _data_line_index(path) + 5
    _replace_line(path, index, lambda line: "inf," + line.split(",", 1)[1])
    return lambda: read_ts(path), f"ECG200_TRAIN.ts:{index + 1}", "infinite"


def ts_ragged_dimensions(data: Path, tmp: Path) -> Case:
    path = _copy(data / "uea" / "BasicMotions" / "BasicMotions_TRAIN.ts", tmp)
    index = _data_line_index(path) + 3
    _replace_line(path, index, lambda line: line.split(":", 1)[1])  # drop dimension 1
    return (
        lambda: read_ts(path),
        f"BasicMotions_TRAIN.ts:{index + 1}",
        "5 dimensions, expected 6",
    )


def ts_unknown_label(data: Path, tmp: Path) -> Case:
    path = _copy(data / "ucr" / "ECG200" / "ECG200_TRAIN.ts", tmp)
    index = _data_line_index(path) + 10
    _replace_line(path, index, lambda line: line.rsplit(":", 1)[0] + ":7")
    return (
        lambda: read_ts(path),
        f"ECG200_TRAIN.ts:{index + 1}",
        "label '7' is not one of",
    )


def ts_cut_before_data(data: Path, tmp: Path) -> Case:
    path = _copy(data / "uea" / "JapaneseVowels" / "JapaneseVowels_TRAIN.ts", tmp)
    path.write_bytes(path.read_bytes()[:600])
    return lambda: read_ts(path), "JapaneseVowels_TRAIN.ts", "no @data line"


def ts_cut_mid_value(data: Path, tmp: Path) -> Case:
    path = _copy(data / "uea" / "BasicMotions" / "BasicMotions_TRAIN.ts", tmp)
    path.write_bytes(path.read_bytes()[:5000])  # ends inside the first series
    return lambda: read_ts(path), "BasicMotions_TRAIN.ts:", "dimensions, expected 6"


def _etth1(data: Path, tmp: Path) -> Path:
    return _copy(data / "forecasting" / "ETT-small" / "ETTh1.csv", tmp)


def csv_inf(data: Path, tmp: Path) -> Case:
    path = _etth1(data, tmp)
    _replace_line(path, 100, lambda line: line.rsplit(",", 1)[0] + ",inf")
    return (
        lambda: read_csv_series(path, time_column="date"),
        "ETTh1.csv",
        "'OT' has an infinite",
    )


def csv_extra_field(data: Path, tmp: Path) -> Case:
    path = _etth1(data, tmp)
    _replace_line(path, 50, lambda line: line + ",3.0")
    return (
        lambda: read_csv_series(path),
        "ETTh1.csv",
        "line 51 has 9 fields, expected 8",
    )


def csv_empty(data: Path, tmp: Path) -> Case:
    path = tmp / "ETTh1.csv"
    path.write_bytes(b"")
    return lambda: read_csv_series(path), "ETTh1.csv", "empty file"


def csv_unparseable_timestamp(data: Path, tmp: Path) -> Case:
    path = _etth1(data, tmp)
    _replace_line(path, 7, lambda line: "2016-07-01 6 o'clock," + line.split(",", 1)[1])
    problem = "is not a date/time at line 8"
    return lambda: read_csv_series(path, time_column="date"), "ETTh1.csv", problem


def csv_timestamps_go_back(data: Path, tmp: Path) -> Case:
    path = _etth1(data, tmp)
    lines = path.read_text().split("\n")
    lines[20], lines[21] = lines[21], lines[20]
    path.write_text("\n".join(lines))
    problem = "not strictly increasing at line 22"
    return lambda: read_csv_series(path, time_column="date"), "ETTh1.csv", problem


def csv_text_value(data: Path, tmp: Path) -> Case:
    path = _copy(data / "eeg" / "eeg_eye_state" / "eeg-eye-state.csv", tmp)
    _replace_line(path, 3, lambda line: "n/a?" + line[line.index(",") :])
    problem = "column 'AF3' is not numeric at line 4"
    return (
        lambda: read_csv_series(path, label_column="class"),
        "eeg-eye-state.csv",
        problem,
    )


def csv_truncated_gzip(data: Path, tmp: Path) -> Case:
    source = data / "forecasting" / "exchange_rate" / "exchange_rate.txt.gz"
    path = tmp / source.name
    path.write_bytes(source.read_bytes()[:5000])
    problem = "unreadable gzip data"
    return lambda: read_csv_series(path, header=False), "exchange_rate.txt.gz", problem


def _events_without(column: str) -> Callable[[Path, Path], Case]:
    def build(data: Path, tmp: Path) -> Case:
        source = data / "event_sequences" / "bpi2011_hospital_log" / "events.parquet"
        path = tmp / "events.parquet"
        pd.read_parquet(source).drop(columns=[column]).to_parquet(path)
        return (
            lambda: read_event_log(path),
            "events.parquet",
            f"missing column '{column}'",
        )

    build.__name__ = f"events_without_{column}"
    return build


def events_bad_timestamp(data: Path, tmp: Path) -> Case:
    source = data / "event_sequences" / "bpi2012_loan_applications" / "events.parquet"
    frame = pd.read_parquet(source).head(500)
    frame["timestamp"] = frame["timestamp"].astype(str)
    frame.loc[42, "timestamp"] = "sometime in 2011"
    path = tmp / "events.csv"
    frame.to_csv(path, index=False)
    problem = "row 43: 'sometime in 2011' is not a timestamp"
    return lambda: read_event_log(path), "events.csv", problem


def events_truncated_parquet(data: Path, tmp: Path) -> Case:
    source = data / "event_sequences" / "bpi2011_hospital_log" / "events.parquet"
    path = tmp / "events.parquet"
    path.write_bytes(source.read_bytes()[:100000])
    return lambda: read_event_log(path), "events.parquet", "unreadable table"


def npz_with_pickles(data: Path, tmp: Path) -> Case:
    with np.load(data / "motion" / "seglearn_watch" / "watch_dataset.npz") as archive:
        arrays = {key: archive[key] for key in archive.files}
    arrays["notes"] = np.array([{"exercise": "PEN"}], dtype=object)
    path = tmp / "watch_dataset.npz"
    np.savez(path, **arrays)  # np.savez pickles object arrays
    problem = "'notes' holds pickled objects"
    return lambda: read_npz(path, values_key="X_concat"), "watch_dataset.npz", problem


def npz_truncated(data: Path, tmp: Path) -> Case:
    source = data / "ecg" / "scipy_ecg_mitdb208" / "ecg.npz"
    path = tmp / "ecg.npz"
    path.write_bytes(source.read_bytes()[:50000])
    return lambda: read_npz(path, values_key="ecg"), "ecg.npz", "not an .npz archive"


def edf_truncated(data: Path, tmp: Path) -> Case:
    source = data / "eeg" / "eegmmidb" / "S001" / "S001R01.edf"
    path = tmp / source.name
    path.write_bytes(source.read_bytes()[:300000])
    return lambda: read_edf(path), "S001R01.edf", "not a readable EDF"


def edf_is_really_a_csv(data: Path, tmp: Path) -> Case:
    path = tmp / "S001R01.edf"
    path.write_bytes(gzip.decompress(gzip.compress(b"a,b\n1,2\n" * 100)))
    return lambda: read_edf(path), "S001R01.edf", "not a readable EDF"


CASES = [
    truncated_dat, header_without_dat, garbage_header, truncated_atr,
    sample_range_past_the_end, ts_nan_without_missing, ts_inf_value,
    ts_ragged_dimensions, ts_unknown_label, ts_cut_before_data, ts_cut_mid_value,
    csv_inf, csv_extra_field, csv_empty, csv_unparseable_timestamp,
    csv_timestamps_go_back, csv_text_value, csv_truncated_gzip,
    _events_without("case_id"), _events_without("timestamp"), _events_without("activity"),
    events_bad_timestamp, events_truncated_parquet, npz_with_pickles, npz_truncated,
    edf_truncated, edf_is_really_a_csv,
]  # fmt: skip


@pytest.mark.parametrize("build", CASES, ids=[case.__name__ for case in CASES])
def test_bad_input_raises_one_line_data_error(
    build: Callable[[Path, Path], Case], data_dir: Path, tmp_path: Path
) -> None:
    read, file_name, problem = build(data_dir, tmp_path)
    with pytest.raises(DataError) as info:
        read()
    message = str(info.value)
    assert "\n" not in message
    assert file_name in message
    assert problem in message
