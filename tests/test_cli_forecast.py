"""Forecasting through the CLI: `tscl pretrain --config ts2vec_forecast --evaluate` on ETTh1."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tscl.cli import main
from tscl.data.loaders import load_dataset


@pytest.fixture()
def workspace(cli_workspace: Path, data_dir: Path) -> Path:
    if not (data_dir / "forecasting" / "ETT-small" / "ETTh1.csv").is_file():
        pytest.skip(f"ETTh1 is not in {data_dir} (set TSCL_DATA_DIR)")
    return cli_workspace


def test_forecast_run_logs_per_horizon_errors_and_plots(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    uri = f"sqlite:///{workspace}/mlflow.db"
    run_dir = workspace / "runs" / "f1"
    small = "encoder.params.depth=3 encoder.params.output_dims=32 train.max_steps=4"
    keys = f"{small} train.progress=false tracking.uri={uri} eval.horizons=[24,48]"
    command = f"pretrain --config ts2vec_forecast {keys} --run-dir {run_dir}".split()
    assert main([*command, "--evaluate"]) == 0
    out = capsys.readouterr().out
    assert "forecast protocol" in out and "H=24: MSE" in out and "H=48: MSE" in out

    import mlflow

    mlflow.set_tracking_uri(uri)
    client = mlflow.tracking.MlflowClient(uri)
    (run,) = mlflow.search_runs(experiment_names=["tscl"], output_format="list")
    metrics = run.data.metrics
    assert {"test_mse_h24", "test_mae_h48", "val_mse_h24", "test_mse"} <= set(metrics)
    # The standardised test target: predicting 0 (the training mean) scores its mean square.
    series = load_dataset("ETTh1")
    target = series.values[series.channels.index("OT")]
    train, test = target[:8640], target[11520:14400]
    zero_mse = float(np.mean(((test - train.mean()) / train.std()) ** 2))
    assert metrics["test_mse_h24"] < 0.5 * zero_mse
    assert metrics["test_mse_h24"] < metrics["test_mse_h48"]
    figures = {a.path for a in client.list_artifacts(run.info.run_id, "figures")}
    assert {"figures/forecast_h24.png", "figures/forecast_h48.png"} <= figures
    assert "figures/embedding_map.png" not in figures  # one series: no map


def test_classification_probe_on_a_forecasting_set_names_the_protocol(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "pretrain",
            "--config",
            "ts2vec_forecast",
            "eval.protocol=svm",
            "encoder.params.depth=1",
            "train.max_steps=1",
            "train.progress=false",
            "tracking.enabled=false",
            "--evaluate",
        ]
    )
    assert code == 2
    assert "use eval.protocol=forecast" in capsys.readouterr().err
