"""Forecasting through the CLI: `tscl pretrain --config ts2vec_forecast --evaluate` on ETTh1."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
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


def _user_csv(data_dir: Path, folder: Path, rows: int = 3000) -> Path:
    """ETTh1's first rows under other column names: a CSV no catalog card describes."""
    frame = pd.read_csv(
        data_dir / "forecasting" / "ETT-small" / "ETTh1.csv", nrows=rows
    )
    frame.columns = ["timestamp", "a", "b", "c", "d", "e", "f", "temp"]
    path = folder / "plant.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.slow
def test_a_csv_without_a_card_trains_logs_baselines_and_predicts(
    workspace: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _user_csv(data_dir, workspace)
    uri = f"sqlite:///{workspace}/mlflow.db"
    small = "encoder.params.depth=1 encoder.params.output_dims=16 train.max_steps=2"
    command = (
        f"pretrain domain=forecast dataset={path} data.options.date=timestamp "
        f"data.options.targets=temp {small} train.progress=false tracking.uri={uri} "
        "eval.horizons=[24,48] --evaluate"
    ).split()
    assert main(command) == 0
    (run,) = _runs(uri)
    params, metrics = run.data.params, run.data.metrics
    assert params["split.train_end"] == "1800" and params["split.val_end"] == "2400"
    assert params["forecast.features_h24"].startswith("embedding")
    # The last-value baseline on the same scaled test windows, by hand.
    target = pd.read_csv(path)["temp"].to_numpy(np.float64)
    mean, std = target[:1800].mean(), target[:1800].std()
    test = (target[2400:3000] - mean) / std
    for horizon in (24, 48):
        n = len(test) - horizon
        future = np.stack([test[1 + k : n + 1 + k] for k in range(horizon)], axis=1)
        expected = np.mean((future - test[:n, None]) ** 2)
        assert metrics[f"baseline_last_mse_h{horizon}"] == pytest.approx(
            expected, rel=1e-4
        )
        assert {f"test_mse_h{horizon}", f"baseline_lags_mse_h{horizon}"} <= set(metrics)
    capsys.readouterr()
    registered = ["register", "--run-id", run.info.run_id, "--name", "plant"]
    assert main([*registered, "--tracking-uri", uri]) == 0
    out = workspace / "forecast.csv"
    predict = ["predict", "--model", "models:/plant@champion", "--input", str(path)]
    assert main([*predict, "--output", str(out), "--tracking-uri", uri]) == 0
    forecast = pd.read_csv(out, parse_dates=["date"])
    assert list(forecast.columns) == ["date", "temp"] and len(forecast) == 48
    last = pd.Timestamp(pd.read_csv(path)["timestamp"].iloc[-1])
    assert forecast["date"].iloc[0] == last + pd.Timedelta(hours=1)
    assert np.isfinite(forecast["temp"]).all()
    assert abs(forecast["temp"].iloc[0] - target[-1]) < 3 * target.std()
    assert (
        main(
            [*predict, "--output", str(out), "--horizon", "7"] + ["--tracking-uri", uri]
        )
        == 2
    )
    assert "forecasts [24, 48] steps" in capsys.readouterr().err


def _runs(uri: str):  # noqa: ANN202
    import mlflow

    mlflow.set_tracking_uri(uri)
    return mlflow.search_runs(experiment_names=["tscl"], output_format="list")
