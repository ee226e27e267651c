"""Horizons that a split is too short for fail before anything trains, naming the split and a fit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tscl.cli import main
from tscl.domains.forecast.load import check_horizons
from tscl.errors import ConfigError


def test_each_split_needs_two_origins_per_horizon() -> None:
    check_horizons([24, 598], (1800, 2400, 3000), "plant.csv")  # 600 rows: 598 + 2
    with pytest.raises(ConfigError, match=r"val split has 600 rows.*\[599\].*\[24\]"):
        check_horizons([24, 599], (1800, 2400, 3000), "plant.csv")


def test_a_short_csv_stops_before_a_run_or_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.chdir(tmp_path)
    times = pd.date_range("2020-01-01", periods=3000, freq="h")
    values = np.sin(np.arange(3000) / 24.0)
    pd.DataFrame({"timestamp": times, "temp": values}).to_csv("plant.csv", index=False)
    argv = ["pretrain", "domain=forecast", "dataset=plant.csv", "data.options.date=timestamp",
            "data.options.targets=temp", "--evaluate", "train.max_steps=2"]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "eval.horizons" in err[0] and "[720]" in err[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plant.csv"]
