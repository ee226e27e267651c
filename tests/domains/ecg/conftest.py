"""ECG test fixtures: the MIT-BIH mirror folder and a catalog cache fed from it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tscl.config import RunConfig, load_config


@pytest.fixture(scope="session")
def mitdb(data_dir: Path) -> Path:
    """The MIT-BIH records of the shared data (22 DS1 records + 100)."""
    path = data_dir / "ecg" / "wfdb" / "mitdb"
    if not (path / "101.hea").is_file():
        pytest.skip(f"MIT-BIH records not found in {path}")
    return path


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data cache for the session (fetching mitdb copies ~45 MB once)."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture()
def catalog(data_dir: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Catalog loads go through a cache filled from the shared data mirror."""
    monkeypatch.setenv("TSCL_CACHE_DIR", str(cache_dir))
    monkeypatch.setenv("TSCL_DATA_MIRROR", str(data_dir))
    return cache_dir


@pytest.fixture()
def ecg_config() -> Callable[..., RunConfig]:
    """``ecg_config(dataset, *overrides)``: an ECG run config split by patient."""

    def make(dataset: str, *overrides: str) -> RunConfig:
        base = ["domain=ecg", f"dataset={dataset}", "data.split=group"]
        return load_config(None, [*base, *overrides])

    return make
