"""Issue 14, acceptance 3: every setting is checked before any folder, store or run exists."""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path

import pytest

from tscl.cli import main
from tscl.config import (
    RANGES,
    DataConfig,
    EvalConfig,
    RunConfig,
    TrainConfig,
    load_config,
)
from tscl.train.build import check_config

SECTIONS = {"data": DataConfig, "train": TrainConfig, "eval": EvalConfig}


@pytest.fixture()
def empty_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder, its own data cache and no ambient MLflow URI."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TSCL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    return tmp_path


def pretrain_fails(
    workspace: Path, overrides: list[str], capsys: pytest.CaptureFixture[str]
) -> str:
    """Runs ``tscl pretrain`` and returns its one error line; asserts nothing was created."""
    code = main(
        [
            "pretrain",
            "--config",
            "tiny",
            f"tracking.uri=sqlite:///{workspace / 'store' / 'mlflow.db'}",
            f"output_dir={workspace / 'runs'}",
            *overrides,
        ]
    )
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1 and err.startswith("tscl: error: "), err
    assert list(workspace.iterdir()) == []  # no run folder, store, artifacts or cache
    return err


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("train.batch_size=0", "train.batch_size"),
        ("train.max_steps=-3", "train.max_steps"),
        ("train.lr=-1", "train.lr"),
        ("data.val_fraction=1.5", "data.val_fraction"),
        ("eval.protocol=bogus", "eval.protocol"),
        ("train.schedule=linear", "train.schedule"),
        ("train.averaging=mean", "train.averaging"),
        ("train.precision=fp8", "train.precision"),
        ("train.device=tpu", "train.device"),
        ("domain=radar", "domain"),
        ("method=simclr2", "method"),
        ("encoder=lstm9", "encoder"),
        ("augment=[jitterr]", "augmentation"),
        ("loss=ntxnet", "loss"),
        ("data.source=stratum", "data.source"),
        ("encoder.params.depthh=3", "depthh"),
    ],
)
def test_issue_cases_fail_in_one_line_before_anything_exists(
    empty_workspace: Path,
    capsys: pytest.CaptureFixture[str],
    override: str,
    key: str,
) -> None:
    assert key in pretrain_fails(empty_workspace, [override], capsys)


def bad_value(key: str) -> str:
    """A value just outside the key's range, as override text."""
    allowed = RANGES[key]
    section, name = key.split(".")
    kind = typing.get_type_hints(SECTIONS[section])[name]
    integer = kind is int or typing.get_args(kind) == (int,)
    if allowed.low is not None:
        value: float = allowed.low if allowed.low_open else allowed.low - 1
    else:
        assert allowed.high is not None
        value = allowed.high if allowed.high_open else allowed.high + 1
    text = str(int(value)) if integer else repr(float(value))
    return f"[{text}]" if typing.get_origin(kind) is list else text


@pytest.mark.parametrize("key", sorted(RANGES))
def test_each_numeric_key_out_of_range_fails_before_anything_exists(
    empty_workspace: Path, capsys: pytest.CaptureFixture[str], key: str
) -> None:
    error = pretrain_fails(empty_workspace, [f"{key}={bad_value(key)}"], capsys)
    assert f"'{key}'" in error and "out of range" in error


@pytest.mark.parametrize("key", ["data.val_fraction", "data.test_fraction"])
def test_upper_ends_of_fraction_ranges_fail(key: str) -> None:
    with pytest.raises(Exception, match=key):
        check_config(load_config("tiny", [f"{key}=1.0"]))


def test_fractions_leaving_no_training_data_fail() -> None:
    config = load_config("tiny", ["data.val_fraction=0.5", "data.test_fraction=0.5"])
    with pytest.raises(Exception, match="leave no training data"):
        check_config(config)


def test_every_numeric_setting_has_a_range() -> None:
    """A new int / float setting must say which values it accepts."""
    numeric = set()
    for section, schema in SECTIONS.items():
        for field in dataclasses.fields(schema):
            kind = typing.get_type_hints(schema)[field.name]
            inner = typing.get_args(kind) if typing.get_origin(kind) is list else ()
            if kind in (int, float) or set(inner) & {int, float}:
                numeric.add(f"{section}.{field.name}")
    assert numeric == set(RANGES)


def test_defaults_and_presets_pass() -> None:
    check_config(RunConfig())
    for preset in ("tiny", "ts2vec", "ts2vec_forecast", "ecg_ts2vec", "ecg"):
        check_config(load_config(preset))


def test_names_are_looked_up_in_the_registries(monkeypatch: pytest.MonkeyPatch) -> None:
    """A method registered later validates with no list to update."""
    from tscl.methods import METHODS, TS2Vec

    config = load_config("tiny", ["method=ts2vec_copy"])
    with pytest.raises(Exception, match="unknown method 'ts2vec_copy'"):
        check_config(config)
    monkeypatch.setitem(METHODS, "ts2vec_copy", TS2Vec)
    check_config(config)
