"""``load_eeg``: catalog and user paths, subject-independent splits, scaler, embed."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tscl.config import RunConfig
from tscl.data.normalize import ChannelScaler
from tscl.data.splits import Split, check_no_leak
from tscl.data.training import SignalSet, TrainingData
from tscl.domains.eeg import EEG, embed_eeg_input, load_eeg
from tscl.domains.eeg.split import subject_split
from tscl.errors import ConfigError

Config = Callable[..., RunConfig]
FOUR = "data.options.subjects=[S001,S002,S003,S004]"


def _subjects(part: SignalSet | None) -> set[str]:
    assert part is not None
    return {part.id_of("subject", i) for i in range(len(part))}


@pytest.fixture(scope="module")
def four(eeg_catalog: Path, eeg_config: Config) -> TrainingData:
    config = eeg_config("dataset=eegmmidb", FOUR, "data.options.test_subjects=[S003]")
    return load_eeg(config)


def test_explicit_test_subject_is_held_out(four: TrainingData) -> None:
    assert _subjects(four.test) == {"S003"}
    train, val = _subjects(four.train), _subjects(four.val)
    assert len(val) == 1 and train | val == {"S001", "S002", "S004"} and not train & val
    assert len(four.train) + len(four.val) + len(four.test) == 4 * 60
    assert four.source["split"]["test"] == ["S003"]
    assert set(four.source["files"]) == {
        f"{s}/{s}R0{r}.edf" for s in ("S001", "S002", "S003", "S004") for r in (1, 2)
    }


def test_every_epoch_keeps_its_files_ids(four: TrainingData) -> None:
    for part in (four.train, four.val, four.test):
        for i in range(len(part)):
            recording = part.id_of("recording", i)
            assert recording.startswith(part.id_of("subject", i))
            assert four.class_names[part.y[i]] == (
                "eyes_open" if recording.endswith("R01") else "eyes_closed"
            )


def test_scaler_is_fitted_on_training_subjects_only(four: TrainingData) -> None:
    x = four.train.x  # (N, 64, 320) z-scored with train statistics
    np.testing.assert_allclose(x.mean(axis=(0, 2)), 0.0, atol=1e-3)
    np.testing.assert_allclose(x.std(axis=(0, 2)), 1.0, atol=1e-3)
    assert len(four.preprocessing["scaler"]["mean"]) == 64
    assert four.preprocessing["l_freq"] == 1.0 and four.preprocessing["h_freq"] == 40.0
    assert four.preprocessing["reference"] == "average"
    assert four.preprocessing["epoch_samples"] == 320
    assert len(four.preprocessing["channels"]) == 64


def test_leave_one_subject_out_folds_never_leak(four: TrainingData) -> None:
    subjects = np.array(
        [
            p.id_of("subject", i)
            for p in (four.train, four.val, four.test)
            for i in range(len(p))
        ]
    )
    for held_out in sorted(set(subjects.tolist())):
        split = subject_split(
            subjects, None, val=0.25, test=0.25, seed=0, test_groups=(held_out,)
        )
        check_no_leak(split, subjects)
        assert set(subjects[split.test]) == {held_out}
        parts = [set(subjects[index]) for index in split.parts().values()]
        assert sum(len(p) for p in parts) == 4


def test_fraction_split_of_all_subjects_is_subject_disjoint(
    eeg_catalog: Path, eeg_config: Config
) -> None:
    data = EEG.load(eeg_config("dataset=eegmmidb"))
    parts = [_subjects(p) for p in (data.train, data.val, data.test)]
    assert [len(p) for p in parts] == [5, 1, 1]
    assert set.union(*parts) == {"S001", "S002", "S003", "S004", "S005", "S026", "S079"}
    assert len(data.train) + len(data.val) + len(data.test) == 420


def test_bad_options_raise_config_errors(eeg_catalog: Path, eeg_config: Config) -> None:
    with pytest.raises(ConfigError, match="data.options.windw"):
        load_eeg(eeg_config("dataset=eegmmidb", "data.options.windw=3"))
    with pytest.raises(ConfigError, match="task"):
        load_eeg(eeg_config("dataset=eegmmidb", "data.options.task=sleep"))
    with pytest.raises(ConfigError, match="data.split"):
        load_eeg(eeg_config("dataset=eegmmidb", FOUR, "data.split=stratified"))


def test_a_users_folder_of_two_edf_files_without_card(
    tmp_path: Path, data_dir: Path, eeg_config: Config
) -> None:
    folder = tmp_path / "mine" / "S001"
    folder.mkdir(parents=True)
    for run in ("R01", "R02"):
        shutil.copy(data_dir / f"eeg/eegmmidb/S001/S001{run}.edf", folder)
    data = load_eeg(eeg_config(f"dataset={tmp_path / 'mine'}"))
    # R01 / R02 carry one T0 annotation: labelled from it, 2 s chunks
    assert data.preprocessing["task"] == "annotations" and data.class_names == ["T0"]
    assert data.preprocessing["split_by"] == "time_block"  # one subject
    total = len(data.train) + len(data.val) + len(data.test)
    assert total == 60 and _subjects(data.train) == {"S001"}
    assert len(data.source["files"]) == 2
    eyes = load_eeg(
        eeg_config(f"dataset={tmp_path / 'mine'}", "data.options.task=eyes")
    )
    assert eyes.class_names == ["eyes_open", "eyes_closed"]
    for part in (eyes.train, eyes.val, eyes.test):
        segments = [part.id_of("segment", i) for i in range(len(part))]
        assert segments  # whole contiguous blocks, each in one part
    blocks = [
        {p.id_of("segment", i) for i in range(len(p))}
        for p in (eyes.train, eyes.val, eyes.test)
    ]
    assert not (blocks[0] & blocks[1] or blocks[0] & blocks[2] or blocks[1] & blocks[2])


def test_embed_replays_the_training_preprocessing(
    four: TrainingData, data_dir: Path, eeg_config: Config
) -> None:
    path = data_dir / "eeg/eegmmidb/S003/S003R02.edf"
    rows, table = embed_eeg_input(four.preprocessing, eeg_config(), path)
    assert rows.x.shape == (30, 64, 320)
    assert table["start"].tolist() == list(range(0, 9600, 320))
    assert set(table["label"]) == {"eyes_closed"} and set(table["recording"]) == {
        "S003R02"
    }
    test = four.test
    index = [i for i in range(len(test)) if test.id_of("recording", i) == "S003R02"]
    # unscaled here: the encoder bundle applies the training scaler once
    scaler = ChannelScaler.from_dict(four.preprocessing["scaler"])
    np.testing.assert_allclose(scaler.transform(rows.x), test.x[index], atol=1e-4)


def test_eye_state_windows_split_by_contiguous_time_blocks(
    eeg_catalog: Path, eeg_config: Config
) -> None:
    data = load_eeg(eeg_config("dataset=eeg_eye_state"))
    parts = (data.train, data.val, data.test)
    assert sum(len(p) for p in parts) == 14980 // 256  # 58 windows of 2 s at 128 Hz
    assert data.train.x.shape[1:] == (14, 256)
    assert data.preprocessing["split_by"] == "time_block"
    blocks = [{p.id_of("segment", i) for i in range(len(p))} for p in parts]
    assert sum(len(b) for b in blocks) == 10 and len(set.union(*blocks)) == 10
    assert np.isfinite(data.train.x).all() and np.abs(data.train.x).max() < 50


def test_finger_movements_keeps_its_official_split(
    eeg_catalog: Path, eeg_config: Config
) -> None:
    data = load_eeg(eeg_config("dataset=FingerMovements", "data.split=official"))
    assert data.train.x.shape == (252, 28, 50) and data.test.x.shape == (100, 28, 50)
    assert data.val is not None and len(data.val) == 64
    assert data.class_names == ["left", "right"]
    split = Split(train=np.arange(252), val=np.arange(252, 316))
    names = [data.train.id_of("subject", i) for i in range(252)]
    names += [data.val.id_of("subject", i) for i in range(64)]
    check_no_leak(split, np.array(names))
