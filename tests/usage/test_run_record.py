"""A finished run read back through the MLflow client holds what a user looks for in the UI."""

from __future__ import annotations

from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient

from tscl.cli import main

# One short real pretraining + evaluation + registration (about a minute on a quiet 2-core machine).
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def finished_run(
    tmp_path_factory: pytest.TempPathFactory, data_dir: Path
) -> tuple[MlflowClient, str]:
    root = tmp_path_factory.mktemp("record")
    patch = pytest.MonkeyPatch()
    patch.chdir(root)
    patch.setenv("TSCL_CACHE_DIR", str(root / "cache"))
    patch.setenv("TSCL_DATA_MIRROR", str(data_dir))
    patch.setenv("MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL", "1")
    patch.setenv("MLFLOW_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING", "1")
    uri = f"sqlite:///{root / 'mlflow.db'}"
    patch.setenv("MLFLOW_TRACKING_URI", uri)
    argv = [
        "pretrain",
        "domain=motion",
        "train.max_steps=40",
        "train.val_every=10",
        "train.progress=false",
        "encoder.params.hidden_dims=16",
        "encoder.params.output_dims=32",
        "encoder.params.depth=3",
        "--evaluate",
    ]
    assert main(argv) == 0
    assert main(["register", "--best", "val_macro_f1", "--name", "watch-encoder"]) == 0
    yield MlflowClient(uri), uri
    patch.undo()


def the_run(client: MlflowClient):
    (run,) = client.search_runs([client.get_experiment_by_name("tscl").experiment_id])
    return run


def test_inputs_tags_description(finished_run: tuple[MlflowClient, str]) -> None:
    client, _ = finished_run
    run = the_run(client)
    inputs = run.inputs.dataset_inputs
    contexts = {
        next(t.value for t in i.tags if t.key == "mlflow.data.context"): i
        for i in inputs
    }
    assert set(contexts) == {"train", "val", "test"}
    assert contexts["train"].dataset.name == "seglearn_watch/train"
    rows = {
        c: int(next(t.value for t in i.tags if t.key == "rows"))
        for c, i in contexts.items()
    }
    assert sum(rows.values()) == 2229  # every smartwatch window, in one split each
    tags = run.data.tags
    for key in (
        "tscl.version",
        "torch.version",
        "tscl.device",
        "tscl.git.commit",
        "tscl.domain",
    ):
        assert tags.get(key), key
    assert tags["tscl.git.commit"] != "unknown"  # read from tscl's own checkout
    assert tags["mlflow.note.content"].startswith("Started by `")


def test_params_are_settings_and_metrics_are_measurements(
    finished_run: tuple[MlflowClient, str],
) -> None:
    client, _ = finished_run
    run = the_run(client)
    metrics, params = run.data.metrics, run.data.params
    for setting in ("C", "balanced", "scored_classes"):
        assert f"test_{setting}" not in metrics
        assert f"probe.{setting}" in params
    assert {"test_accuracy", "test_macro_f1", "val_macro_f1"} <= set(metrics)
    assert any(k.startswith("test_sensitivity_") for k in metrics)
    val_steps = [m.step for m in client.get_metric_history(run.info.run_id, "val_loss")]
    assert val_steps == [10, 20, 30, 40]
    assert any(k.startswith("system/") for k in metrics), sorted(metrics)


def test_figures_and_registry_descriptions(
    finished_run: tuple[MlflowClient, str],
) -> None:
    client, _ = finished_run
    run = the_run(client)
    names = {a.path for a in client.list_artifacts(run.info.run_id)}
    figures = (
        {a.path for a in client.list_artifacts(run.info.run_id, "figures")}
        if "figures" in names
        else names
    )
    shown = " ".join(sorted(figures))
    for figure in ("loss_curves", "embedding_map", "confusion_matrix"):
        assert figure in shown, shown
    version = client.get_model_version_by_alias("watch-encoder", "champion")
    assert (
        "val_macro_f1" in version.description and run.info.run_id in version.description
    )
    assert version.tags["tscl.selection"].startswith(
        "selected as the highest val_macro_f1"
    )
    assert client.get_registered_model("watch-encoder").description
