"""Shared fixture of the tracking tests: ECG200 as model arrays with its files' sha256."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tscl.data.read_ts import read_ts
from tscl.train.build import Arrays, archive_arrays


@pytest.fixture(scope="session")
def ecg200(data_dir: Path) -> Arrays:
    """ECG200's official split as model arrays, with the files' sha256 as the source."""
    folder = data_dir / "ucr" / "ECG200"
    paths = [folder / "ECG200_TRAIN.ts", folder / "ECG200_TEST.ts"]
    files = {str(path): hashlib.sha256(path.read_bytes()).hexdigest() for path in paths}
    return archive_arrays(
        read_ts(paths[0]),
        read_ts(paths[1]),
        normalize="none",
        source={"dataset": "ECG200", "files": files},
    )
