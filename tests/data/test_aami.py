"""AAMI EC57 mapping, checked by hand and against the MIT-BIH count table."""

from __future__ import annotations

from pathlib import Path

import pytest

from tscl.data.aami import AAMI_CLASSES, BEAT_SYMBOL_TO_AAMI, aami_class, count_aami
from tscl.data.read_wfdb import read_wfdb_annotations

# Per-record AAMI beat counts of the 22 DS1 records (ecg/README.md of the data).
DS1_COUNTS = {
    "101": (1860, 3, 0, 0, 2),
    "106": (1507, 0, 520, 0, 0),
    "108": (1740, 4, 17, 2, 0),
    "109": (2492, 0, 38, 2, 0),
    "112": (2537, 2, 0, 0, 0),
    "114": (1820, 12, 43, 4, 0),
    "115": (1953, 0, 0, 0, 0),
    "116": (2302, 1, 109, 0, 0),
    "118": (2166, 96, 16, 0, 0),
    "119": (1543, 0, 444, 0, 0),
    "122": (2476, 0, 0, 0, 0),
    "124": (1536, 31, 47, 5, 0),
    "201": (1635, 128, 198, 2, 0),
    "203": (2529, 2, 444, 1, 4),
    "205": (2571, 3, 71, 11, 0),
    "207": (1543, 107, 210, 0, 0),
    "208": (1586, 2, 992, 373, 2),
    "209": (2621, 383, 1, 0, 0),
    "215": (3195, 3, 164, 1, 0),
    "220": (1954, 94, 0, 0, 0),
    "223": (2045, 73, 473, 14, 0),
    "230": (2255, 0, 1, 0, 0),
}


def test_classes_and_symbols_follow_ec57() -> None:
    assert AAMI_CLASSES == ("N", "S", "V", "F", "Q")
    expected = {
        "N": "N", "L": "N", "R": "N", "e": "N", "j": "N",
        "A": "S", "a": "S", "J": "S", "S": "S",
        "V": "V", "E": "V",
        "F": "F",
        "/": "Q", "f": "Q", "Q": "Q",
    }  # fmt: skip
    assert expected == BEAT_SYMBOL_TO_AAMI
    for symbol, aami in expected.items():
        assert aami_class(symbol) == aami


@pytest.mark.parametrize("symbol", ["+", "~", "|", '"', "!", "[", "]", "x", "", "NN"])
def test_non_beat_annotations_have_no_class(symbol: str) -> None:
    assert aami_class(symbol) is None


def test_count_aami_counts_by_hand() -> None:
    counts = count_aami(["N", "+", "L", "V", "E", "A", "~", "/", "f", "N", "F", "x"])
    assert counts == {"N": 3, "S": 1, "V": 2, "F": 1, "Q": 2}
    assert list(counts) == list(AAMI_CLASSES)
    assert count_aami([]) == dict.fromkeys(AAMI_CLASSES, 0)


def test_ds1_counts_match_the_published_table(data_dir: Path) -> None:
    mitdb = data_dir / "ecg" / "wfdb" / "mitdb"
    totals = dict.fromkeys(AAMI_CLASSES, 0)
    for record, expected in DS1_COUNTS.items():
        counts = count_aami(read_wfdb_annotations(mitdb / record).label)
        assert tuple(counts.values()) == expected, record
        for aami, count in counts.items():
            totals[aami] += count
    assert totals == {"N": 45866, "S": 944, "V": 3788, "F": 415, "Q": 8}


def test_record_100_counts(data_dir: Path) -> None:
    annotations = read_wfdb_annotations(data_dir / "ecg" / "wfdb" / "mitdb" / "100")
    assert len(annotations) == 2274
    assert count_aami(annotations.label) == {"N": 2239, "S": 33, "V": 1, "F": 0, "Q": 0}


def test_record_207_non_beats_are_ignored(data_dir: Path) -> None:
    # 207 has 1860 beats plus ! 472, + 24, [ 6, ] 6, | 2, ~ 15 non-beat labels.
    labels = read_wfdb_annotations(data_dir / "ecg" / "wfdb" / "mitdb" / "207").label
    assert len(labels) == 1860 + 472 + 24 + 6 + 6 + 2 + 15
    assert sum(count_aami(labels).values()) == 1860
