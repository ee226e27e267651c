"""Fixtures of the reliability tests: the CLI in a fresh process."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from reliability_helpers import cli_env


@pytest.fixture()
def run_cli(
    tmp_path: Path, data_dir: Path
) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Runs ``python -m tscl ARGS`` in a fresh process (cwd ``tmp_path``)."""

    def run(args: Sequence[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tscl", *args],
            cwd=tmp_path,
            env=cli_env(tmp_path, data_dir),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
            **kwargs,
        )

    return run
