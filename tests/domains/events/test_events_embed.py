"""``tscl embed`` on event logs: a CSV copy of BPI 2011 and the BPI 2012 folder layout, without labels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from mlflow.tracking import MlflowClient

from tscl.cli import main

BPI2011 = "event_sequences/bpi2011_hospital_log"
LABELS = ["diagnosis", "diagnosis_code", "treatment_code"]


def _pretrain(workspace: Path, dataset: str) -> tuple[str, str]:
    """A 2-step tiny pretraining logged to a fresh store -> (model URI, tracking URI)."""
    uri = f"sqlite:///{workspace / 'mlflow.db'}"
    args = [
        "pretrain",
        "domain=events",
        f"dataset={dataset}",
        "encoder.params.hidden_dims=8",
        "train.max_steps=2",
        "train.batch_size=8",
        "train.progress=false",
        f"tracking.uri={uri}",
        "--run-dir",
        str(workspace / "run"),
    ]
    assert main(args) == 0
    client = MlflowClient(uri)
    (run,) = client.search_runs([client.get_experiment_by_name("tscl").experiment_id])
    return run.data.tags["tscl.model_uri"], uri


def _embed(model: str, uri: str, source: Path, output: Path) -> pd.DataFrame:
    args = ["embed", "--model", model, "--input", str(source), "--output", str(output)]
    assert main([*args, "--tracking-uri", uri]) == 0
    return pd.read_parquet(output)


@pytest.mark.slow  # about 45 s on a loaded 2-core machine (pretrain + MLflow + CSV)
def test_embed_a_csv_copy_of_bpi2011_without_labels(
    cli_workspace: Path, data_dir: Path
) -> None:
    model, uri = _pretrain(cli_workspace, "bpi2011_hospital_log")
    copy = cli_workspace / "log"
    copy.mkdir()
    events = pd.read_parquet(data_dir / BPI2011 / "events.parquet")
    events.to_csv(copy / "events.csv", index=False)
    cases = pd.read_parquet(data_dir / BPI2011 / "cases.parquet").drop(columns=LABELS)
    cases.to_csv(copy / "cases.csv", index=False)
    table = _embed(model, uri, copy / "events.csv", cli_workspace / "emb.parquet")
    assert list(table.columns) == ["case_id", "embedding"]
    assert len(table) == events["case_id"].nunique() == table["case_id"].nunique()
    vectors = np.stack(table["embedding"].to_numpy())
    assert vectors.shape == (len(table), 8) and np.isfinite(vectors).all()
    assert len(np.unique(vectors.round(5), axis=0)) > len(table) // 2


@pytest.mark.slow
def test_embed_the_bpi2012_folder_layout_without_an_outcome_column(
    cli_workspace: Path, data_dir: Path
) -> None:
    model, uri = _pretrain(cli_workspace, "bpi2012_loan_applications")
    source = data_dir / "event_sequences/bpi2012_loan_applications"
    folder = cli_workspace / "new_log"
    folder.mkdir()
    events = pd.read_parquet(source / "events.parquet")
    events.to_parquet(folder / "events.parquet")
    cases = pd.read_parquet(source / "cases.parquet").drop(columns=["outcome"])
    cases.to_parquet(folder / "cases.parquet")
    table = _embed(model, uri, folder / "events.parquet", cli_workspace / "e.parquet")
    # every case of the cases table has a row, those cut to no events too
    assert len(table) == len(cases) == table["case_id"].nunique()
