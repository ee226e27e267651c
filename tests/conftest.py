"""Shared fixtures: where the real data lives, the --runslow switch, GPU skips, quiet services."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Keep every service quiet, offline and on loopback, before anything imports them.
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("RAY_AUTH_MODE", "disabled")
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
os.environ.setdefault("RAY_AIR_NEW_OUTPUT", "0")
os.environ.setdefault("DO_NOT_TRACK", "1")

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--runslow", action="store_true", help="also run tests marked slow"
    )


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    skip_slow = pytest.mark.skip(reason="slow: run with --runslow (make test-all)")
    skip_gpu = pytest.mark.skip(
        reason="gpu: needs a CUDA device (torch.cuda.is_available() is False here)"
    )
    has_gpu = None
    for item in items:
        if "slow" in item.keywords and not config.getoption("--runslow"):
            item.add_marker(skip_slow)
        if "gpu" in item.keywords:
            if has_gpu is None:
                import torch

                has_gpu = torch.cuda.is_available()
            if not has_gpu:
                item.add_marker(skip_gpu)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The shared real-data folder: $TSCL_DATA_DIR, default ../shared/data."""
    path = Path(os.environ.get("TSCL_DATA_DIR", DEFAULT_DATA_DIR))
    if not path.is_dir():
        pytest.skip(f"real data folder {path} is absent (set TSCL_DATA_DIR to it)")
    return path


@pytest.fixture()
def cli_workspace(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """An empty working folder for CLI runs: own data cache fed from the mirror, no ambient MLflow URI."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TSCL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TSCL_DATA_MIRROR", str(data_dir))
    monkeypatch.setenv("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    return tmp_path
