"""Shared fixture of the tracking tests: ECG200 as model arrays with its files' sha256."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tscl.data.read_ts import read_ts
from tscl.data.training import TrainingData as Arrays
from tscl.domains.archive.load import archive_data as archive_arrays


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


@pytest.fixture()
def fresh_process_output(tmp_path: Path) -> Callable[[str], np.ndarray]:
    """Runs Python ``code`` in a new process (no MLFLOW_TRACKING_* variables, cwd ``tmp_path``).

    The code prints a JSON list as its last line; it comes back as a float32 array.
    """

    def run(code: str) -> np.ndarray:
        env = {
            k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_TRACKING")
        }
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return np.array(
            json.loads(done.stdout.strip().splitlines()[-1]), dtype=np.float32
        )

    return run
