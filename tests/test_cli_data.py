"""`tscl data ...` end to end: fetch --all from the mirror, then info / list; exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tscl.cli import main
from tscl.data.catalog import card_names

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cache(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Acceptance 2, first step: `tscl data fetch --all --mirror DIR` into a tmp cache."""
    root = tmp_path_factory.mktemp("cli-cache")
    assert (
        main(
            ["data", "fetch", "--all", "--mirror", str(data_dir), "--cache", str(root)]
        )
        == 0
    )
    return root


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_fetch_all_fills_the_cache(cache: Path) -> None:
    assert sorted(p.name for p in cache.iterdir()) == sorted(card_names())


def test_info_acceptance_figures(
    cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, "data", "info", "mitdb", "--cache", str(cache))
    assert code == 0
    record_100 = next(
        line.split() for line in out.splitlines() if line.startswith("100 ")
    )
    assert record_100[4:8] == ["MLII,V5", "650000", "360", "2274"]
    assert "AAMI beat counts over 23 records: N 48105, S 977, V 3789, F 415, Q 8" in out
    code, out, _ = _run(capsys, "data", "info", "ECG200", "--cache", str(cache))
    rows = [line.split() for line in out.splitlines()]
    assert (
        code == 0
        and ["train", "100", "1", "96"] in rows
        and ["test", "100", "1", "96"] in rows
    )
    assert (
        "2 classes:" in out and ["-1", "31", "36"] in rows and ["1", "69", "64"] in rows
    )
    code, out, _ = _run(capsys, "data", "info", "seglearn_watch", "--cache", str(cache))
    assert code == 0 and "140 recordings from 10 subjects" in out
    code, out, _ = _run(
        capsys, "data", "info", "bpi2011_hospital_log", "--cache", str(cache)
    )
    assert code == 0 and "1143 cases, 150291 events" in out


def test_list(cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "data", "list", "--cache", str(cache))
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2 + len(card_names())
    assert all(line.split()[-1] == "yes" for line in lines[2:])


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["data", "info", "ECG2000"], "ECG2000: no dataset card of that name"),
        (["data", "fetch"], "tscl data fetch: give either data set names or --all"),
        (
            ["data", "fetch", "illness"],
            "illness/illness_nodate_noheader.csv: has no download source",
        ),
    ],
)
def test_errors_are_one_line(
    argv: list[str], expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, *argv, "--cache", str(tmp_path))
    assert code == 2 and out == ""
    assert err.startswith(f"tscl: error: {expected}") and err.count("\n") == 1


def test_python_m_tscl(cache: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "tscl", "data", "info", "ECG200"]
    done = subprocess.run(
        [*command, "--cache", str(cache)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "ECG200  [ecg, ts]" in done.stdout
    done = subprocess.run(
        [*command, "--cache", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (
        f"tscl: error: {tmp_path}/ECG200: data set ECG200 is not fetched "
        "(run: tscl data fetch ECG200 --mirror DIR)\n"
    )
