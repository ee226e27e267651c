"""load_dataset on the fetched real data: hierarchy ids, splits and label checks."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from tscl.data.catalog import cards_dir
from tscl.data.fetch import fetch
from tscl.data.loaders import ArchiveData, load_dataset
from tscl.errors import DataError


def test_not_fetched(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        load_dataset("mitdb", cache_dir=tmp_path)
    assert "data set mitdb is not fetched" in str(info.value)
    assert "tscl data fetch mitdb --mirror DIR" in str(info.value)


def test_mitdb_records(fetched_cache: Path) -> None:
    (record,) = load_dataset("mitdb", cache_dir=fetched_cache, records=["100"])
    assert record.values.shape == (2, 650000) and record.fs == 360.0
    assert record.channels == ("MLII", "V5")
    assert len(record.annotations) == 2274
    assert record.subject == record.recording == "100"
    assert record.meta["split_set"] == "DS2" and record.meta["smoke_only"] is True
    pair = load_dataset(
        "mitdb", cache_dir=fetched_cache, records=["201", "203"], sampto=360
    )
    assert [r.subject for r in pair] == ["201_202", "203"]  # 201 and 202: one patient
    assert [r.recording for r in pair] == ["201", "203"]
    assert pair[0].meta == {**pair[0].meta, "split_set": "DS1", "smoke_only": False}
    assert pair[0].values.shape == (2, 360)
    with pytest.raises(DataError, match="no record '202'"):
        load_dataset("mitdb", cache_dir=fetched_cache, records=["202"])


def test_ucr_archive(fetched_cache: Path, data_dir: Path) -> None:
    data = load_dataset("ECG200", cache_dir=fetched_cache)
    assert isinstance(data, ArchiveData)
    assert len(data.train) == len(data.test) == 100
    assert data.train.to_array().shape == (100, 1, 96)
    lines = (data_dir / "ucr/ECG200/ECG200_TRAIN.ts").read_text().splitlines()
    tail = Counter(
        line.rsplit(":", 1)[1]
        for line in lines
        if line[:1].isdigit() or line[:1] == "-"
    )
    assert Counter(data.train.labels.tolist()) == tail
    assert load_dataset("ECG5000", cache_dir=fetched_cache).test is None


def test_seglearn_hierarchy(fetched_cache: Path, data_dir: Path) -> None:
    recordings = load_dataset("seglearn_watch", cache_dir=fetched_cache)
    arrays = np.load(data_dir / "motion/seglearn_watch/watch_dataset.npz")
    assert len(recordings) == len(arrays["y"]) == 140
    assert [r.subject for r in recordings] == [str(s) for s in arrays["subject"]]
    assert [r.recording for r in recordings] == [str(i) for i in range(140)]
    assert [r.label for r in recordings] == [
        str(arrays["y_labels"][y]) for y in arrays["y"]
    ]
    assert recordings[0].channels == ("ax", "ay", "az", "wx", "wy", "wz")
    assert recordings[0].fs == 50.0


def test_eegmmidb_filters(fetched_cache: Path) -> None:
    runs = load_dataset("eegmmidb", cache_dir=fetched_cache, recordings=["S001R04"])
    (run,) = runs
    assert (run.subject, run.recording, run.fs) == ("S001", "S001R04", 160.0)
    assert run.values.shape == (64, 20000)
    assert Counter(run.annotations.label.tolist()) == {"T0": 15, "T1": 8, "T2": 7}
    s026 = load_dataset(
        "eegmmidb", cache_dir=fetched_cache, subjects=["S026"], channels=["C3"]
    )
    assert [r.recording for r in s026] == [
        f"S026R{r}" for r in ("01", "02", "04", "08", "12")
    ]
    with pytest.raises(DataError, match="no subject 'S006'"):
        load_dataset("eegmmidb", cache_dir=fetched_cache, subjects=["S006"])


def test_forecasting_parts(fetched_cache: Path, data_dir: Path) -> None:
    parts = {
        p: load_dataset("ETTh1", cache_dir=fetched_cache, part=p)
        for p in ("train", "val", "test")
    }
    assert [len(s) for s in parts.values()] == [8640, 2880, 2880]
    frame = pd.read_csv(data_dir / "forecasting/ETT-small/ETTh1.csv")
    np.testing.assert_allclose(
        parts["val"].values[-1], frame["OT"].to_numpy()[8640:11520], rtol=1e-6
    )
    assert str(parts["test"].timestamps[0]).startswith(
        frame["date"][11520].replace(" ", "T")
    )
    assert parts["train"].meta["target"] == "OT" and parts["train"].recording == "ETTh1"
    rates = load_dataset("exchange_rate", cache_dir=fetched_cache, part="test")
    assert len(rates) == int(7588 * 0.2)  # chronological 70/10/20: the last 20%
    with pytest.raises(DataError, match="no row split"):
        load_dataset("eeg_eye_state", cache_dir=fetched_cache, part="train")
    with pytest.raises(DataError, match="bad option for reader csv_series"):
        load_dataset("ETTh1", cache_dir=fetched_cache, records=["x"])


def test_step_labels_and_constants(fetched_cache: Path, data_dir: Path) -> None:
    eeg = load_dataset("eeg_eye_state", cache_dir=fetched_cache)
    column = pd.read_csv(data_dir / "eeg/eeg_eye_state/eeg-eye-state.csv")["class"]
    assert Counter(eeg.step_labels.tolist()) == Counter(column.tolist())
    assert (eeg.subject, eeg.recording, eeg.fs) == (
        "roesler2013",
        "eeg_eye_state",
        128.0,
    )
    fog = load_dataset("daphnet_fog", cache_dir=fetched_cache)
    assert (fog.subject, fog.recording, fog.values.shape) == (
        "S06",
        "S06R02",
        (9, 7040),
    )


def test_event_logs(fetched_cache: Path, data_dir: Path) -> None:
    log = load_dataset("bpi2011_hospital_log", cache_dir=fetched_cache)
    cases = pd.read_parquet(
        data_dir / "event_sequences/bpi2011_hospital_log/cases.parquet"
    )
    assert (len(log), log.num_events) == (1143, 150291)
    labels = {s.sequence_id: s.label for s in log.sequences}
    expected = dict(zip(cases["case_id"], cases["diagnosis_code"], strict=True))
    assert {k: v for k, v in labels.items() if v is not None} == {
        k: v for k, v in expected.items() if isinstance(v, str)
    }
    assert all(s.subject == s.sequence_id for s in log.sequences)


def _write_card(folder: Path, data: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{data['name']}.yaml").write_text(yaml.safe_dump(data, sort_keys=False))


def test_label_not_in_card(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A .ts label the card does not list -> DataError naming the label and card."""
    mirror = tmp_path / "mirror" / "tiny"
    mirror.mkdir(parents=True)
    text = "@problemName Tiny\n@univariate true\n@classLabel true -1 1 2\n@data\n"
    text += "1.0,2.0,3.0:1\n2.0,3.0,4.0:-1\n3.0,4.0,5.0:2\n"
    (mirror / "Tiny_TRAIN.ts").write_text(text)
    card = yaml.safe_load((cards_dir() / "ECG200.yaml").read_text())
    digest = hashlib.sha256(text.encode()).hexdigest()
    file = {"path": "Tiny_TRAIN.ts", "sha256": digest, "size": len(text), "url": None}
    card.update(name="Tiny", mirror_path="tiny", files=[file])
    card["split"] = {"kind": "official", "train": "Tiny_TRAIN.ts", "test": None}
    _write_card(tmp_path / "cards", card)
    monkeypatch.setenv("TSCL_DATASETS_DIR", str(tmp_path / "cards"))
    fetch("Tiny", cache_dir=tmp_path / "cache", mirror=tmp_path / "mirror")
    with pytest.raises(DataError) as info:
        load_dataset("Tiny", cache_dir=tmp_path / "cache")
    message = str(info.value)
    assert message.startswith(str(tmp_path / "cache" / "Tiny" / "Tiny_TRAIN.ts"))
    assert "label '2' is not in the classes ['-1', '1'] of card Tiny" in message


def test_beat_symbol_not_in_card(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Non-beat symbols must be listed under ``ignore``: '+' is not here."""
    card = yaml.safe_load((cards_dir() / "mitdb.yaml").read_text())
    card["name"] = "mitdb100"
    card["files"] = [f for f in card["files"] if f["path"].startswith("100.")]
    card["labels"]["ignore"] = ["~", "|"]
    _write_card(tmp_path / "cards", card)
    monkeypatch.setenv("TSCL_DATASETS_DIR", str(tmp_path / "cards"))
    fetch("mitdb100", cache_dir=tmp_path, mirror=data_dir)
    with pytest.raises(DataError, match="aami symbol '\\+' is not in the classes"):
        load_dataset("mitdb100", cache_dir=tmp_path, sampto=1000)
