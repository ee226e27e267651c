"""Acceptance: `tscl pretrain method=<m> dataset=<d> train.max_steps=3` for each recipe on real data."""

from __future__ import annotations

from pathlib import Path

import pytest

from tscl.cli import main

# (method, data set, extra overrides): motion, forecast and event domains.
RUNS = [
    ("comet", "seglearn_watch", []),
    ("simclr", "seglearn_watch", []),
    ("ts2vec", "seglearn_watch", []),
    ("autotcl", "ETTh1", []),
    ("coles", "bpi2012_loan_applications", []),
]


def _pretrain(workspace: Path, method: str, dataset: str, extra: list[str]) -> Path:
    run_dir = workspace / "runs" / method
    code = main(
        [
            "pretrain",
            f"method={method}",
            f"dataset={dataset}",
            "train.max_steps=3",
            "train.progress=false",
            "train.log_every=1",
            "tracking.enabled=false",
            *extra,
            "--run-dir",
            str(run_dir),
        ]
    )
    assert code == 0
    assert (run_dir / "encoder.pt").is_file()
    return run_dir


@pytest.mark.slow
@pytest.mark.parametrize(("method", "dataset", "extra"), RUNS)
def test_recipe_pretrains_three_steps(
    cli_workspace: Path,
    capsys: pytest.CaptureFixture[str],
    method: str,
    dataset: str,
    extra: list[str],
) -> None:
    _pretrain(cli_workspace, method, dataset, extra)
    out = capsys.readouterr().out
    assert f"pretrained {method} on {dataset}: 3 steps" in out
    assert "final loss nan" not in out


@pytest.mark.slow
def test_comet_draws_grouped_batches_with_every_level(cli_workspace: Path) -> None:
    from tscl.train.checkpoint import load_checkpoint

    run_dir = _pretrain(cli_workspace, "comet", "seglearn_watch", [])
    history = load_checkpoint(run_dir / "checkpoint.pt")["history"]
    assert {"observation", "sample", "trial", "patient"} <= set(history[-1])
    assert "name: grouped" in (run_dir / "config.yaml").read_text()


@pytest.mark.slow
def test_rebar_trains_and_logs_its_stage_one_model(cli_workspace: Path) -> None:
    import mlflow

    uri = f"sqlite:///{cli_workspace}/mlflow.db"
    run_dir = cli_workspace / "runs" / "rebar"
    code = main(
        [
            "pretrain",
            "method=rebar",
            "dataset=seglearn_watch",
            "train.max_steps=3",
            "train.progress=false",
            "method_params={stage1_steps: 40}",
            f"tracking.uri={uri}",
            "--run-dir",
            str(run_dir),
        ]
    )
    assert code == 0
    assert (run_dir / "rebar_stage1.pt").is_file()
    client = mlflow.tracking.MlflowClient(uri)
    mlflow.set_tracking_uri(uri)
    run = mlflow.search_runs(experiment_names=["tscl"], output_format="list")[0]
    logged = {a.path for a in client.list_artifacts(run.info.run_id, "method")}
    assert {"method/rebar_stage1.pt", "method/rebar_stage1.json"} <= logged
