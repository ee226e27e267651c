"""Dataset cards: every card validates against the real mirror; bad cards fail clearly."""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path
from typing import Any

import pytest
import yaml

from tscl.data.catalog import Card, cards_dir, list_cards, load_card, parse_card
from tscl.data.loaders import LOADERS
from tscl.errors import DataError

UCR = ["AllGestureWiimoteX", "Coffee", "ECG200", "ECG5000", "ECGFiveDays"]
UCR += ["EOGHorizontalSignal", "GunPoint", "ItalyPowerDemand"]
UEA = ["AtrialFibrillation", "BasicMotions", "Epilepsy", "FingerMovements"]
UEA += ["JapaneseVowels", "RacketSports", "UWaveGestureLibrary"]
OTHERS = ["mitdb", "ptbdb", "challenge2015", "mitdb208", "eegmmidb", "eeg_eye_state"]
OTHERS += ["seglearn_watch", "daphnet_fog", "ETTh1", "ETTh2", "ETTm1", "exchange_rate"]
OTHERS += ["illness", "bpi2011_hospital_log", "bpi2012_loan_applications"]


@pytest.fixture(scope="module")
def cards() -> dict[str, Card]:
    return {card.name: card for card in list_cards()}


def _raw(name: str) -> dict[str, Any]:
    return yaml.safe_load((cards_dir() / f"{name}.yaml").read_text())


def test_one_card_per_data_set(cards: dict[str, Card]) -> None:
    assert sorted(cards) == sorted(UCR + UEA + OTHERS)
    assert all(card.reader in LOADERS for card in cards.values())


def test_cards_cover_the_mirror_byte_for_byte(
    cards: dict[str, Card], data_dir: Path
) -> None:
    """Each card file exists in the mirror with its size and sha256 (hashes 169 MB)."""
    listed = {}
    for card in cards.values():
        for file in card.files:
            path = data_dir / card.mirror_path / file.path
            assert path.stat().st_size == file.size, path
            assert hashlib.sha256(path.read_bytes()).hexdigest() == file.sha256, path
            listed[f"./{card.mirror_path}/{file.path}"] = file.sha256
    sums = dict(
        reversed(line.split(None, 1))
        for line in (data_dir / "SHA256SUMS").read_text().splitlines()
    )
    assert listed == sums  # every file of the mirror is catalogued exactly once


def test_urls_only_for_byte_copies(cards: dict[str, Card]) -> None:
    converted = ["mitdb208", "seglearn_watch", "daphnet_fog", "ETTm1", "illness"]
    converted += ["bpi2011_hospital_log", "bpi2012_loan_applications"]
    for name in converted:
        assert all(file.url is None for file in cards[name].files), name
    for name in UCR + UEA + ["mitdb", "eegmmidb", "ETTh1", "exchange_rate"]:
        assert all(file.url is not None for file in cards[name].files), name
    urls = {file.path: file.url for file in cards["mitdb"].files}
    assert urls["101.dat"] == "https://physionet.org/files/mitdb/1.0.0/101.dat"
    eeg = {file.path: file.url for file in cards["eegmmidb"].files}
    assert (
        eeg["S001/S001R01.edf"]
        == "https://physionet.org/files/eegmmidb/1.0.0/S001/S001R01.edf"
    )
    assert (
        cards["ECG200"]
        .files[0]
        .url.startswith(
            "https://raw.githubusercontent.com/mat-analysis/datasets/f50572553419e667"
        )
    )


def test_mitdb_split_and_hierarchy(cards: dict[str, Card]) -> None:
    card = cards["mitdb"]
    sets = card.split["sets"]
    assert len(sets["DS1"]) == 22 and len(sets["DS2"]) == 22
    assert not set(sets["DS1"]) & set(sets["DS2"])
    records = {Path(file.path).stem for file in card.files}
    assert records == set(sets["DS1"]) | {"100"}
    assert card.split["smoke_only"] == ["100"] and "100" in sets["DS2"]
    subject = card.level("subject")
    assert subject.resolve("201") == subject.resolve("202") != subject.resolve("203")
    assert subject.resolve("101") == "101"
    assert card.labels.classes == ("N", "S", "V", "F", "Q")


def test_hierarchy_patterns_and_row_splits(cards: dict[str, Card]) -> None:
    eeg = cards["eegmmidb"]
    assert eeg.level("subject").resolve("S026/S026R08.edf") == "S026"
    assert eeg.level("recording").resolve("S026/S026R08.edf") == "S026R08"
    assert [cards["ETTh1"].split[p] for p in ("train", "val", "test")] == [
        [0, 8640],
        [8640, 11520],
        [11520, 14400],
    ]
    assert cards["ETTm1"].split["test"] == [46080, 57600]
    assert cards["ECG5000"].split["test"] is None
    assert [level.name for level in cards["ECG200"].hierarchy] == ["series"]


def test_load_card_by_name(cards: dict[str, Card]) -> None:
    assert load_card("ecg200").name == "ECG200"
    with pytest.raises(DataError, match="did you mean ECG200"):
        load_card("ECG2000")


def _broken(change: Any) -> str:
    data = copy.deepcopy(_raw("ECG200"))
    change(data)
    with pytest.raises(DataError) as info:
        parse_card(data, "/cards/ECG200.yaml")
    message = str(info.value)
    assert "\n" not in message and message.startswith("/cards/ECG200.yaml")
    return message


def test_bad_cards_raise_one_line_errors() -> None:
    assert "missing fields ['licence']" in _broken(lambda d: d.pop("licence"))
    assert "unknown keys ['licence_']" in _broken(lambda d: d.update(licence_="x"))
    message = _broken(lambda d: d["files"][1].update(sha256="abc"))
    assert "files[1]" in message and "64 lowercase hex" in message
    assert "'format' must be one of" in _broken(lambda d: d.update(format="xls"))
    message = _broken(lambda d: d["split"].update(train="nope.ts"))
    assert "must name files of the card" in message
    message = _broken(lambda d: d["files"][0].update(path="../escape.ts"))
    assert "relative path" in message
    message = _broken(lambda d: d["labels"].update(classes=["1", "1"]))
    assert "without repeats" in message
    assert "file name 'ECG200'" in _broken(lambda d: d.update(name="Other"))


def test_bad_split_and_hierarchy() -> None:
    def rows(data: dict[str, Any]) -> None:
        data["split"] = {
            "kind": "rows",
            "train": [0, 10],
            "val": [11, 20],
            "test": [20, 30],
        }

    assert "[start, end) from 0" in _broken(rows)

    def group(data: dict[str, Any]) -> None:
        data["split"] = {"kind": "groupwise", "group": "patient"}

    assert "not a hierarchy level" in _broken(group)

    def pattern(data: dict[str, Any]) -> None:
        data["hierarchy"] = [{"level": "subject", "from": "path", "key": "S\\d+"}]

    assert "exactly one group" in _broken(pattern)


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "Bad.yaml").write_text("name: [unclosed\n")
    with pytest.raises(DataError, match="Bad.yaml: invalid YAML"):
        load_card("Bad", tmp_path)
