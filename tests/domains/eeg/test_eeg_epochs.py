"""EEGMMIDB epochs on the real files: counts, labels, ids, and agreement with MNE."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import mne
import numpy as np
import pytest

from tscl.data.catalog import load_card
from tscl.domains.eeg.epochs import run_number
from tscl.domains.eeg.options import parse_options
from tscl.domains.eeg.preprocess import EegSettings, preprocess_edf, read_raw
from tscl.domains.eeg.recordings import EpochTable, card_files, read_epochs, subject_of

SUBJECTS = ["S001", "S002", "S003", "S004", "S005", "S026", "S079"]


def _table(data_dir: Path, **options: object) -> EpochTable:
    parsed = parse_options(options, default_task="eyes")
    files = card_files(load_card("eegmmidb"), data_dir / "eeg" / "eegmmidb", parsed)
    return read_epochs(files, parsed)


@pytest.fixture(scope="module")
def eyes(data_dir: Path) -> EpochTable:
    return _table(data_dir, task="eyes")


def test_eyes_has_420_epochs_of_320_samples_over_7_subjects(eyes: EpochTable) -> None:
    assert eyes.x.shape == (420, 64, 320)
    assert eyes.x.dtype == np.float32
    assert eyes.fs == 160.0
    # R01 and R02 hold 9760 samples: 30 whole 2 s epochs each, 60 per subject.
    assert Counter(eyes.subjects) == {subject: 60 for subject in SUBJECTS}
    assert Counter(eyes.labels) == {"eyes_open": 210, "eyes_closed": 210}
    assert eyes.channels[:3] == ["Fc5", "Fc3", "Fc1"]  # BCI2000 dots removed


def test_eyes_ids_are_the_file_each_epoch_came_from(eyes: EpochTable) -> None:
    for subject, recording, label in zip(
        eyes.subjects, eyes.recordings, eyes.labels, strict=True
    ):
        assert recording.startswith(subject)
        assert label == {1: "eyes_open", 2: "eyes_closed"}[run_number(recording)]
    starts = eyes.starts[np.asarray(eyes.recordings) == "S026R02"]
    assert starts.tolist() == list(range(0, 30 * 320, 320))


def test_eyes_epochs_equal_mne_processing_of_their_file(
    eyes: EpochTable, data_dir: Path
) -> None:
    raw = mne.io.read_raw_edf(
        data_dir / "eeg/eegmmidb/S003/S003R02.edf", preload=True, verbose="error"
    )
    raw.set_eeg_reference("average", verbose="error")
    raw.filter(1.0, 40.0, verbose="error")
    expected = raw.get_data(units="uV")  # (64, 9760)
    rows = np.flatnonzero(np.asarray(eyes.recordings) == "S003R02")
    for row in rows[[0, 7, 29]]:
        start = int(eyes.starts[row])
        np.testing.assert_allclose(
            eyes.x[row], expected[:, start : start + 320], rtol=1e-4, atol=1e-3
        )
    # average reference: the channel mean is zero at every sample
    np.testing.assert_allclose(eyes.x[rows[0]].mean(axis=0), 0.0, atol=1e-3)


def test_fist_epochs_follow_the_t1_t2_cues_of_one_subject(data_dir: Path) -> None:
    table = _table(data_dir, task="fist", subjects=["S002"])
    assert table.x.shape == (45, 64, 640)  # 15 cues in each of R04, R08, R12
    assert set(table.recordings) == {"S002R04", "S002R08", "S002R12"}
    for recording in ("S002R04", "S002R08", "S002R12"):
        raw = read_raw(data_dir / f"eeg/eegmmidb/S002/{recording}.edf")
        cues = [
            (round(onset * 160), {"T1": "left_fist", "T2": "right_fist"}[text])
            for onset, text in zip(
                raw.annotations.onset, raw.annotations.description, strict=True
            )
            if text in ("T1", "T2")
        ]
        rows = np.flatnonzero(np.asarray(table.recordings) == recording)
        got = [(int(table.starts[i]), table.labels[i]) for i in rows]
        assert got == cues


@pytest.mark.slow
def test_fist_has_315_epochs_of_640_samples(data_dir: Path) -> None:
    table = _table(data_dir, task="fist")
    assert table.x.shape == (315, 64, 640)
    assert Counter(table.subjects) == {subject: 45 for subject in SUBJECTS}
    counts = Counter(table.labels)
    assert sum(counts.values()) == 315 and set(counts) == {"left_fist", "right_fist"}
    assert (
        abs(counts["left_fist"] - counts["right_fist"]) <= 21
    )  # 7 or 8 of each per run


def test_channel_selection_and_reference_options(data_dir: Path) -> None:
    path = data_dir / "eeg/eegmmidb/S001/S001R01.edf"
    settings = EegSettings(channels=("C3", "Cz", "C4"), notch_hz=(60.0,))
    raw = preprocess_edf(path, settings)
    assert raw.ch_names == ["C3", "Cz", "C4"]
    plain = preprocess_edf(
        path, EegSettings(channels=("C3", "Cz", "C4"), reference="none")
    )
    # the average of all 64 channels was removed before picking three
    assert not np.allclose(raw.get_data(), plain.get_data())


def test_subject_of_a_users_file() -> None:
    assert subject_of(Path("/x/S007/S007R01.edf")) == "S007"
    assert subject_of(Path("/x/data/S012R03.edf")) == "S012"
    assert subject_of(Path("/x/data/night1.edf")) == "night1"
