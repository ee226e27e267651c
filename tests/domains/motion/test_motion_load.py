"""load_motion on the smartwatch set, BasicMotions, a card-less npz copy and a CSV; the split guard."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from tscl.config import load_config
from tscl.data.splits import Split, check_no_leak
from tscl.domains.motion import MOTION, embed_motion_input, load_motion
from tscl.errors import ConfigError, LeakError

WATCH_DEFAULTS = [
    "domain=motion",
    "data.split=group",
    "data.val_fraction=0.2",
    "data.test_fraction=0.2",
]


def _subjects(part) -> set[str]:
    return {part.id_names["subject"][code] for code in np.unique(part.ids["subject"])}


def test_watch_split_by_subject_leaks_nothing(catalog: Path) -> None:
    data = load_motion(load_config(None, ["dataset=seglearn_watch", *WATCH_DEFAULTS]))
    parts = [data.train, data.val, data.test]
    assert sum(len(p) for p in parts) == 2229
    assert [len(_subjects(p)) for p in parts] == [6, 2, 2]
    assert not (
        _subjects(data.train) & _subjects(data.test)
        or _subjects(data.val) & _subjects(data.test)
    )
    assert data.train.x.shape[1:] == (8, 200) and data.class_names[0] == "PEN"
    # z-scored with training statistics only
    np.testing.assert_allclose(data.train.x.mean(axis=(0, 2)), 0, atol=1e-4)
    assert data.preprocessing["scaler"]["count"][0] == len(data.train) * 200
    assert data.source["files"] == {
        "watch_dataset.npz": "07c23ee2fb5078b8101ab5878ec5855520fc78b235464cc7c0c4358f53c03a11"
    }


def test_check_no_leak_fires_on_a_hand_built_leak() -> None:
    subjects = np.array(["1", "1", "2", "2", "3", "3"])
    leaky = Split(train=[0, 2], val=[4], test=[1, 3, 5])  # subject 1 in train and test
    with pytest.raises(LeakError, match="'1'"):
        check_no_leak(leaky, subjects, name="subject")


def test_leave_one_subject_out_fold(catalog: Path) -> None:
    options = ["data.options.test_subjects=[3]", "data.options.val_subjects=[5]"]
    data = load_motion(
        load_config(None, ["dataset=seglearn_watch", *WATCH_DEFAULTS, *options])
    )
    assert _subjects(data.test) == {"3"} and _subjects(data.val) == {"5"}
    assert len(_subjects(data.train)) == 8
    no_val = load_motion(
        load_config(
            None,
            [
                "dataset=seglearn_watch",
                *WATCH_DEFAULTS,
                options[0],
                "data.val_fraction=0",
            ],
        )
    )
    assert no_val.val is None and len(no_val.train) + len(no_val.test) == 2229


def test_unknown_option_and_subject_are_config_errors(catalog: Path) -> None:
    with pytest.raises(ConfigError, match="window_second.*valid: magnitude"):
        load_motion(
            load_config(
                None, ["dataset=seglearn_watch", "data.options.window_second=4"]
            )
        )
    with pytest.raises(ConfigError, match="no subject"):
        load_motion(
            load_config(
                None, ["dataset=seglearn_watch", "data.options.test_subjects=[42]"]
            )
        )


def test_basic_motions_official_split_with_stratified_val(catalog: Path) -> None:
    data = load_motion(
        load_config(None, ["dataset=BasicMotions", "data.val_fraction=0.25"])
    )
    assert (len(data.train), len(data.val), len(data.test)) == (30, 10, 40)
    assert data.train.x.shape[1:] == (8, 100)  # 6 channels + ||acc|| + ||gyro||
    assert data.class_names == ["Standing", "Running", "Walking", "Badminton"]
    assert sorted(np.bincount(data.val.y, minlength=4)) == [2, 2, 3, 3]  # stratified
    # no subjects in UEA: each series is its own subject and recording
    for part in (data.train, data.val, data.test):
        assert len(np.unique(part.ids["subject"])) == len(part)
        assert _subjects(part) == {
            part.id_of("recording", row) for row in range(len(part))
        }
    assert set(data.source["files"]) == {
        "BasicMotions_TRAIN.ts",
        "BasicMotions_TEST.ts",
    }


def test_npz_copy_without_a_card_loads_and_embeds(
    tmp_path: Path, watch_path: Path
) -> None:
    copy = tmp_path / "my_watch.npz"
    shutil.copyfile(watch_path, copy)
    config = load_config(
        None, [f"dataset={copy}", *WATCH_DEFAULTS, "data.options.gravity=true"]
    )
    data = load_motion(config)
    assert sum(len(p) for p in (data.train, data.val, data.test)) == 2229
    assert data.train.x.shape[1:] == (11, 200)  # body acc, gyro, gravity, 2 magnitudes
    assert data.preprocessing["rotation_groups"] == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert list(data.source["files"]) == [str(copy)]
    signals, table = embed_motion_input(data.preprocessing, config, copy)
    assert signals.x.shape == (2229, 11, 200) and list(table.columns) == [
        "recording",
        "start",
        "label",
    ]
    assert table["label"].iloc[0] == "PEN" and table["start"].iloc[1] == 100


def test_daphnet_csv_path_splits_in_time(daphnet_path: Path) -> None:
    config = load_config(
        None,
        [
            f"dataset={daphnet_path}",
            "data.val_fraction=0.2",
            "data.options.label_col=is_anomaly",
        ],
    )
    data = load_motion(config)
    assert data.preprocessing["fs"] == pytest.approx(64.0, abs=0.1)
    assert data.train.x.shape[1:] == (12, 256)  # 9 axes + 3 magnitudes, 4 s at 64 Hz
    assert (len(data.train), len(data.val), len(data.test)) == (32, 10, 10)
    assert data.class_names == ["0"]


def test_domain_record() -> None:
    assert MOTION.name == "motion" and MOTION.default_dataset == "seglearn_watch"
    assert (
        MOTION.defaults["data"]["split"] == "group" and MOTION.defaults["augment"] == []
    )
    assert MOTION.tasks == ("exercise",) and MOTION.formats == ("npz", "ts", "csv")


def test_sweep_space_file_is_valid() -> None:
    from tscl.sweep.space import load_space

    space = load_space(Path(__file__).parents[3] / "tune" / "motion.yaml")
    assert space.base.domain == "motion" and space.base.dataset == "seglearn_watch"
    assert space.base.data.split == "group" and space.base.train.batch_size == 16
