"""load_ecg and embed_ecg_input on real MIT-BIH records: catalog, folders, ids, splits."""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tscl.config import RunConfig
from tscl.data.aami import AAMI_CLASSES, aami_class
from tscl.data.normalize import ChannelScaler
from tscl.data.read_wfdb import read_wfdb
from tscl.data.training import SignalSet, TrainingData
from tscl.domains.ecg import ECG, embed_ecg_input, load_ecg
from tscl.domains.ecg.preprocess import CleanSettings, clean
from tscl.domains.ecg.records import sha256
from tscl.errors import ConfigError

MakeConfig = Callable[..., RunConfig]
THREE = "data.options.records=[101,106,201]"


def _parts(data: TrainingData) -> list[SignalSet]:
    return [part for part in (data.train, data.val, data.test) if part is not None]


def _windows_by_record(mitdb: Path, names: list[str]) -> dict[str, set[bytes]]:
    """Every annotated beat's MLII window, cut by hand from each cleaned record."""
    found = {}
    for name in names:
        series = read_wfdb(mitdb / name)
        lead = clean(series, CleanSettings(notch_hz=60.0)).values[0]
        assert series.annotations is not None
        beats = [
            int(s)
            for s, label in zip(
                series.annotations.sample, series.annotations.label, strict=True
            )
            if aami_class(label) and s >= 90 and s + 162 <= len(lead)
        ]
        found[name] = {lead[s - 90 : s + 162].tobytes() for s in beats}
    return found


def test_ids_survive_the_whole_path(
    catalog: Path, ecg_config: MakeConfig, mitdb: Path
) -> None:
    config = ecg_config(
        "mitdb", THREE, "data.normalize=none", "data.options.notch_hz=60",
        "data.val_fraction=0.2", "data.test_fraction=0.2",
    )  # fmt: skip
    data = load_ecg(config)
    by_record = _windows_by_record(mitdb, ["101", "106", "201"])
    seen = set()
    for part in _parts(data):
        assert part.x.shape[1:] == (5, 252) and part.x.dtype == np.float32
        for row in range(len(part)):
            recording = part.id_of("recording", row)
            assert part.x[row, 0].tobytes() in by_record[recording]
            subject = part.id_of("subject", row)
            assert subject == ("201_202" if recording == "201" else recording)
            seen.add(recording)
    assert seen == {"101", "106", "201"}
    assert sum(len(p) for p in _parts(data)) == sum(len(v) for v in by_record.values())
    patients = data.source["patients"]
    assert sorted(sum(patients.values(), [])) == ["101", "106", "201_202"]


def test_catalog_load_drops_smoke_records_and_scales_on_train(
    catalog: Path, ecg_config: MakeConfig
) -> None:
    data = load_ecg(ecg_config("mitdb", "data.options.records=[100,101,106,108]"))
    assert data.source["records"] == ["101", "106", "108"]  # 100 is smoke-only
    assert data.class_names == list(AAMI_CLASSES)
    assert set(data.source["files"]) == {
        f"{r}.{e}" for r in ("101", "106", "108") for e in ("hea", "dat", "atr")
    }
    assert data.preprocessing["channels"] == [
        "MLII",
        "pre_rr",
        "post_rr",
        "local_rr",
        "average_rr",
    ]
    assert data.preprocessing["beats"]["before"] == 90
    train = data.train.x.transpose(1, 0, 2).reshape(5, -1)
    np.testing.assert_allclose(train.mean(axis=1), 0.0, atol=1e-3)
    np.testing.assert_allclose(train.std(axis=1), 1.0, atol=1e-3)
    scaler = ChannelScaler.from_dict(data.preprocessing["scaler"])
    assert scaler.count is not None and scaler.count[0] == data.train.x.shape[0] * 252
    assert data.train.y is not None and data.train.y.dtype == np.int64


def test_explicit_patient_lists_make_the_fold(
    catalog: Path, ecg_config: MakeConfig
) -> None:
    config = ecg_config(
        "mitdb",
        THREE,
        "data.options.test_subjects=[201]",
        "data.options.val_subjects=[106]",
    )
    data = load_ecg(config)
    assert data.source["patients"] == {
        "train": ["101"],
        "val": ["106"],
        "test": ["201_202"],
    }
    with pytest.raises(ConfigError, match="test_subjects"):
        load_ecg(ecg_config("mitdb", THREE, "data.options.test_subjects=[999]"))


def test_options_and_split_are_checked(ecg_config: MakeConfig) -> None:
    with pytest.raises(ConfigError, match="data.options.lead"):
        load_ecg(ecg_config("mitdb", "data.options.lead=MLII"))
    with pytest.raises(ConfigError, match="data.split"):
        load_ecg(ecg_config("mitdb", "data.split=stratified"))


def _copy(mitdb: Path, folder: Path, name: str, *, annotations: bool = True) -> None:
    folder.mkdir(exist_ok=True)
    for suffix in ("hea", "dat") + (("atr",) if annotations else ()):
        shutil.copy(mitdb / f"{name}.{suffix}", folder / f"{name}.{suffix}")


def test_folder_without_card(
    tmp_path: Path, ecg_config: MakeConfig, mitdb: Path
) -> None:
    folder = tmp_path / "mine"
    for name in ("101", "106"):
        _copy(mitdb, folder, name)
    data = load_ecg(
        ecg_config(str(folder), "data.val_fraction=0", "data.test_fraction=0.5")
    )
    assert data.val is None and data.class_names == list(AAMI_CLASSES)
    assert {data.train.id_of("recording", 0), data.test.id_of("recording", 0)} == {
        "101",
        "106",
    }
    assert data.source["files"][str(folder / "101.dat")] == sha256(mitdb / "101.dat")
    assert data.source["detected"] == []


@pytest.mark.slow
def test_folder_copy_without_atr_gives_detected_unlabelled_beats(
    tmp_path: Path, ecg_config: MakeConfig, mitdb: Path
) -> None:
    folder = tmp_path / "bare"
    _copy(mitdb, folder, "101", annotations=False)
    _copy(mitdb, folder, "106", annotations=False)
    config = ecg_config(str(folder), "data.val_fraction=0", "data.test_fraction=0.5")
    data = load_ecg(config)
    assert data.source["detected"] == ["101", "106"]
    assert data.train.y is None and data.test.y is None and data.class_names == []
    counts = {r: len(read_wfdb(mitdb / r).annotations.sample) for r in ("101", "106")}  # type: ignore[union-attr]
    for part in (data.train, data.test):
        record = part.id_of("recording", 0)
        assert 0.9 * counts[record] < len(part) <= counts[record]


def test_written_segments_without_atr_are_detected(
    tmp_path: Path, ecg_config: MakeConfig, mitdb: Path
) -> None:
    """Fast twin of the test above: 2-minute real segments written without .atr."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # wfdb's header writer uses deprecated pandas
        import wfdb

    folder = tmp_path / "segments"
    folder.mkdir()
    for name in ("101", "106"):
        series = read_wfdb(mitdb / name, sampto=2 * 60 * 360)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wfdb.wrsamp(
                name, fs=360, units=list(series.units), sig_name=list(series.channels),
                p_signal=series.values.T.astype(np.float64), fmt=["16", "16"],
                write_dir=str(folder),
            )  # fmt: skip
    data = load_ecg(
        ecg_config(str(folder), "data.val_fraction=0", "data.test_fraction=0.5")
    )
    assert sorted(data.source["detected"]) == ["101", "106"]
    assert data.train.y is None and len(data.train) > 100 and len(data.test) > 100
    # one annotated record among unannotated ones: every beat is unlabelled then
    _copy(mitdb, folder, "108")
    mixed = load_ecg(
        ecg_config(str(folder), "data.val_fraction=0", "data.test_fraction=0.34")
    )
    assert sorted(mixed.source["detected"]) == ["101", "106"]
    assert mixed.train.y is None and mixed.class_names == []


def test_embed_input_replays_training(
    catalog: Path, ecg_config: MakeConfig, mitdb: Path, tmp_path: Path
) -> None:
    data = load_ecg(ecg_config("mitdb", THREE, "data.options.notch_hz=60"))
    config = ecg_config("mitdb", THREE)
    signals, frame = ECG.embed_input(data.preprocessing, config, mitdb / "101.hea")  # type: ignore[misc]
    assert list(frame.columns) == ["recording", "sample", "label"]
    assert signals.x.shape[1:] == (5, 252) and len(frame) == len(signals)
    code = data.train.id_names["recording"].index("101")
    in_training = np.concatenate(
        [part.x[part.ids["recording"] == code] for part in _parts(data)]
    )  # the training windows of record 101, scaled with the training scaler
    # the rows come unscaled (the encoder bundle applies the training scaler once)
    scaled = ChannelScaler.from_dict(data.preprocessing["scaler"]).transform(signals.x)
    np.testing.assert_allclose(scaled, in_training, rtol=1e-5, atol=1e-5)
    series = read_wfdb(mitdb / "101")
    assert series.annotations is not None
    assert set(frame["sample"]) <= set(series.annotations.sample.tolist())
    assert set(frame["label"]) <= set(AAMI_CLASSES)
    assert signals.y is not None and signals.id_of("recording", 0) == "101"
    assert embed_ecg_input is ECG.embed_input
