"""Motion tests read the real data through the catalog: a private cache fed from the mirror."""

from __future__ import annotations

from pathlib import Path

import pytest

WATCH = Path("motion/seglearn_watch/watch_dataset.npz")
DAPHNET = Path("motion/daphnet_fog/S06R02E0.csv")


@pytest.fixture()
def catalog(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """$TSCL_CACHE_DIR in tmp_path, fetched from $TSCL_DATA_MIRROR = the real data folder."""
    monkeypatch.setenv("TSCL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TSCL_DATA_MIRROR", str(data_dir))
    return data_dir


@pytest.fixture()
def watch_path(data_dir: Path) -> Path:
    """The smartwatch npz in the real-data folder (read-only)."""
    return data_dir / WATCH


@pytest.fixture()
def daphnet_path(data_dir: Path) -> Path:
    """The Daphnet CSV excerpt in the real-data folder (read-only)."""
    return data_dir / DAPHNET
