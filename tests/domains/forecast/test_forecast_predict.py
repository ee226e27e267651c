"""``predict_frame`` replays the evaluated ridge: the forecast after row t is the test prediction at t."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from tscl.domains import load_run_config
from tscl.domains.forecast.evaluate import evaluate_forecast
from tscl.domains.forecast.predict import predict_frame
from tscl.train.build import build_encoder
from tscl.train.run import load_data, make_bundle


@pytest.mark.parametrize(
    ("independent", "anchor"), [(False, False), (True, False), (False, True)]
)
def test_predict_matches_the_evaluated_forecast(
    tmp_path: Path, data_dir: Path, independent: bool, anchor: bool
) -> None:
    source = data_dir / "forecasting" / "ETT-small" / "ETTh1.csv"
    if not source.is_file():
        pytest.skip(f"ETTh1 is not in {data_dir}")
    frame = pd.read_csv(source, nrows=1500)
    path = tmp_path / "series.csv"
    frame.to_csv(path, index=False)
    config = load_run_config(
        None,
        [
            "domain=forecast",
            f"dataset={path}",
            "data.options.targets=[OT,HUFL]",
            "encoder.params.depth=1",
            "encoder.params.output_dims=8",
            "eval.horizons=[12]",
            "eval.lags=[0,24]",
            "train.device=cpu",
            f"data.options.channel_independent={str(independent).lower()}",
            f"data.options.anchor={str(anchor).lower()}",
        ],
    )
    data = load_data(config)
    assert data.in_channels == (8 if independent else 9)
    torch.manual_seed(0)
    bundle = make_bundle(config, data, build_encoder(config, data.in_channels), {})
    metrics = evaluate_forecast(bundle, data)
    _, _, expected = metrics["forecast_examples"][12]  # (12,) scaled, target OT
    # The last test window's forecast starts after row val_end + n - 1, n = T_test - 12.
    val_end, test_end = data.forecast.borders[1:]
    last_row = val_end + (test_end - val_end - 12) - 1
    cut = tmp_path / "cut.csv"
    frame.iloc[: last_row + 1].to_csv(cut, index=False)
    forecast = predict_frame(bundle, cut)
    assert list(forecast.columns) == ["date", "OT", "HUFL"] and len(forecast) == 12
    scaler = data.forecast.scaler
    mean, std = scaler["mean"][7], scaler["std"][7]
    np.testing.assert_allclose((forecast["OT"] - mean) / std, expected, atol=1e-3)
