"""``tscl pretrain dataset=<path>``: a user's own files without a catalog card, one per format."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tscl.cli import main


def _copy(files: list[Path], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for file in files:
        shutil.copy(file, folder / file.name)
    return folder


SMALL_CONV = [
    "encoder.params.hidden_dims=8",
    "encoder.params.output_dims=16",
    "encoder.params.depth=2",
]


def _pretrain(dataset: Path, *extra: str, small: list[str] = SMALL_CONV) -> int:
    """A two-step run with a small encoder: these tests are about reading files, not scores."""
    return main(
        [
            "pretrain",
            f"dataset={dataset}",
            "train.max_steps=2",
            "train.progress=false",
            "tracking.enabled=false",
            *small,
            *extra,
        ]
    )


def test_wfdb_folder(data_dir: Path, cli_workspace: Path, capsys) -> None:
    mitdb = data_dir / "ecg" / "wfdb" / "mitdb"
    files = [
        mitdb / f"{r}.{ext}"
        for r in ("101", "106", "118")
        for ext in ("hea", "dat", "atr")
    ]
    folder = _copy(files, cli_workspace / "my_ecg")
    assert (
        _pretrain(
            folder, "data.val_fraction=0.34", "data.test_fraction=0.34", "--evaluate"
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "pretrained comet on" in out and "test macro_f1" in out  # the ECG default


def test_edf_folder(data_dir: Path, cli_workspace: Path, capsys) -> None:
    runs = data_dir / "eeg" / "eegmmidb"
    folder = cli_workspace / "my_eeg"
    for subject in ("S001", "S002", "S003"):
        _copy(
            [
                runs / subject / f"{subject}R01.edf",
                runs / subject / f"{subject}R02.edf",
            ],
            folder / subject,
        )
    assert (
        _pretrain(
            folder,
            "data.options.task=eyes",
            "data.val_fraction=0.34",
            "data.test_fraction=0.34",
            "--evaluate",
        )
        == 0
    )
    assert "test accuracy" in capsys.readouterr().out


def test_ts_file(data_dir: Path, cli_workspace: Path, capsys) -> None:
    source = data_dir / "ucr" / "GunPoint"
    folder = _copy(
        [source / "GunPoint_TRAIN.ts", source / "GunPoint_TEST.ts"],
        cli_workspace / "ts",
    )
    assert _pretrain(folder / "GunPoint_TRAIN.ts", "--evaluate") == 0
    assert "test accuracy" in capsys.readouterr().out


def test_csv_series(data_dir: Path, cli_workspace: Path, capsys) -> None:
    folder = _copy(
        [data_dir / "forecasting" / "ETT-small" / "ETTh2.csv"], cli_workspace / "csv"
    )
    code = _pretrain(
        folder / "ETTh2.csv",
        "data.options.targets=OT",
        "eval.horizons=[24]",
        "--evaluate",
    )
    assert code == 0
    assert "test H=24: MSE" in capsys.readouterr().out


def test_parquet_event_log(data_dir: Path, cli_workspace: Path, capsys) -> None:
    log = data_dir / "event_sequences" / "bpi2011_hospital_log"
    folder = _copy(
        [log / "events.parquet", log / "cases.parquet"], cli_workspace / "log"
    )
    assert (
        _pretrain(
            folder / "events.parquet",
            "train.batch_size=16",
            small=["encoder.params.hidden_dims=16"],
        )
        == 0
    )
    assert "pretrained coles on" in capsys.readouterr().out


def test_a_path_that_does_not_exist_is_one_line(cli_workspace: Path, capsys) -> None:
    assert _pretrain(cli_workspace / "nothing" / "here.ts") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "here.ts" in err[0]
    assert not (cli_workspace / "runs").exists()


@pytest.mark.parametrize(
    "override",
    [
        "method=simclrr",
        "encoder=resnet",
        "augment=[jiter]",
        "data.source=groupd",
        "loss=ntxnet",
    ],
)
def test_unknown_component_fails_before_data(
    cli_workspace: Path, capsys, override: str
) -> None:
    assert _pretrain(Path("ECG200"), override) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unknown" in err[0] or "valid names" in err[0]
    assert (
        not (cli_workspace / "runs").exists() and not (cli_workspace / "cache").exists()
    )
