"""tscl data list / info text, checked against figures from the data READMEs."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from tscl.data.catalog import card_names
from tscl.data.fetch import fetch
from tscl.data.info import catalog_table, describe, format_table
from tscl.errors import DataError


def test_format_table_aligns_columns() -> None:
    table = format_table(("name", "n"), [("a", 1), ("bbb", 22.5), ("c", None)])
    assert table.splitlines() == [
        "name     n",
        "----  ----",
        "a        1",
        "bbb   22.5",
        "c        -",
    ]


def test_catalog_table_fetched_states(
    fetched_cache: Path, data_dir: Path, tmp_path: Path
) -> None:
    lines = catalog_table(fetched_cache).splitlines()
    assert lines[0].split() == ["name", "domain", "format", "files", "MB", "fetched"]
    rows = {line.split()[0]: line.split() for line in lines[2:]}
    assert sorted(rows) == sorted(card_names())
    assert rows["mitdb"][1:5] == ["ecg", "wfdb", "69", "45.0"]
    assert {row[-1] for row in rows.values()} == {"yes"}
    directory = fetch("ECG200", cache_dir=tmp_path, mirror=data_dir)
    (directory / "ECG200_TEST.ts").unlink()
    rows = {
        line.split()[0]: line.split()
        for line in catalog_table(tmp_path).splitlines()[2:]
    }
    assert rows["ECG200"][-1] == "partial" and rows["ECG5000"][-1] == "no"


def test_mitdb_info(fetched_cache: Path) -> None:
    text = describe("mitdb", cache_dir=fetched_cache)
    rows = {
        line.split()[0]: line.split()
        for line in text.splitlines()
        if line[:3].isdigit()
    }
    assert len(rows) == 23
    # record 100: 2 channels, 650000 samples at 360 Hz, 2274 annotations (N 2239, A 33, V 1)
    assert rows["100"] == ["100", "100", "DS2", "smoke-only", "MLII,V5", "650000", "360"] + [
        "2274", "2239", "33", "1", "0", "0"
    ]  # fmt: skip
    assert rows["201"][1:3] == ["201_202", "DS1"]
    # README per-record table: DS1 totals N 45866, S 944, V 3788, F 415, Q 8, plus record 100
    assert (
        "AAMI beat counts over 23 records: N 48105, S 977, V 3789, F 415, Q 8" in text
    )
    assert "hierarchy counts: 23 subjects, 23 recordings" in text


def test_ecg200_info(fetched_cache: Path, data_dir: Path) -> None:
    text = describe("ECG200", cache_dir=fetched_cache)
    lines = [line.split() for line in text.splitlines()]
    assert ["train", "100", "1", "96"] in lines and ["test", "100", "1", "96"] in lines
    assert "2 classes:" in text
    for part, column in (("TRAIN", 1), ("TEST", 2)):
        raw = (data_dir / f"ucr/ECG200/ECG200_{part}.ts").read_text().splitlines()
        counts = Counter(
            line.rsplit(":", 1)[1]
            for line in raw
            if line[:1] not in "#@" and ":" in line
        )
        for label, count in counts.items():
            row = next(line for line in lines if line and line[0] == label)
            assert int(row[column]) == count


def test_other_acceptance_figures(fetched_cache: Path) -> None:
    assert "140 recordings from 10 subjects" in describe(
        "seglearn_watch", cache_dir=fetched_cache
    )
    bpi = describe("bpi2011_hospital_log", cache_dir=fetched_cache)
    assert "1143 cases, 150291 events" in bpi
    ett = describe("ETTh1", cache_dir=fetched_cache)
    assert "shape: 7 channels x 17420 rows" in ett
    assert "split rows: train [0, 8640), val [8640, 11520), test [11520, 14400)" in ett
    assert "median step 0 days 01:00:00" in ett


def test_eegmmidb_info(fetched_cache: Path) -> None:
    text = describe("eegmmidb", cache_dir=fetched_cache)
    assert "hierarchy counts: 7 subjects, 35 recordings" in text
    row = next(line.split() for line in text.splitlines() if line.startswith("S002 "))
    assert row == ["S002", "S002R01", "64", "9760", "160", "1", "0", "0"]


def test_info_needs_a_verified_fetch(fetched_cache: Path, tmp_path: Path) -> None:
    # Same bytes, new mtimes: the manifest no longer vouches for the files.
    shutil.copytree(
        fetched_cache / "Coffee", tmp_path / "Coffee", copy_function=shutil.copyfile
    )
    with pytest.raises(DataError, match="data set Coffee"):
        describe("Coffee", cache_dir=tmp_path)
