"""Real EEGMMIDB / eye-state / FingerMovements data for the EEG domain tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tscl.config import RunConfig, load_config


@pytest.fixture(scope="module")
def eeg_catalog(
    tmp_path_factory: pytest.TempPathFactory, data_dir: Path
) -> Iterator[Path]:
    """A module-wide data cache fed from the shared mirror (catalog names resolve)."""
    cache = tmp_path_factory.mktemp("eeg_cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TSCL_CACHE_DIR", str(cache))
        patch.setenv("TSCL_DATA_MIRROR", str(data_dir))
        yield cache


def _eeg_config(*overrides: str) -> RunConfig:
    base = ["domain=eeg", "data.split=group", "data.val_fraction=0.2"]
    return load_config(None, [*base, "data.test_fraction=0.2", *overrides])


@pytest.fixture(scope="session")
def eeg_config() -> Callable[..., RunConfig]:
    """``eeg_config(*overrides)``: the EEG recipe's data settings plus overrides."""
    return _eeg_config
