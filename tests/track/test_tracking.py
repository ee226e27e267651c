"""A real tiny pretraining tracked into a real MLflow SQLite store: what the run holds.

One module-scoped run (ECG200, 4 steps) is shared by the checks below.
"""

from __future__ import annotations

import hashlib
import json
import socket
import subprocess
from dataclasses import replace
from pathlib import Path

import mlflow
import numpy as np
import pytest
from mlflow.tracking import MlflowClient

from tscl.config import load_config, to_yaml
from tscl.data.training import TrainingData as Arrays
from tscl.errors import TsclError
from tscl.eval.plots import plot_embedding_map, plot_loss_curves
from tscl.track import (
    RunTracker,
    TrackingWarning,
    load_encoder,
    resend_unsent,
    resolve_target,
)
from tscl.track.logger import numeric_metrics, param_value
from tscl.track.model import embed_series
from tscl.track.provenance import git_state
from tscl.train.run import embed, evaluate, pretrain

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def tracked(tmp_path_factory: pytest.TempPathFactory, ecg200: Arrays) -> dict:
    """Pretrains 4 steps, evaluates, logs figures and the encoder; returns what was made."""
    root = tmp_path_factory.mktemp("tracking")
    uri = f"sqlite:///{root / 'mlflow.db'}"
    config = load_config(
        "tiny", ["train.max_steps=4", "train.log_every=1", f"tracking.uri={uri}"]
    )
    arrays = ecg200
    run_dir = root / "run"
    with RunTracker(config, run_name="tiny", run_dir=run_dir, flush_every=3) as tracker:
        tracker.log_data_source(arrays.source)
        output = pretrain(
            config, run_dir=run_dir, data=arrays, callbacks=[tracker.log_step]
        )
        metrics = evaluate(output.bundle, arrays)
        tracker.log_metrics(metrics)
        tracker.log_figure(plot_loss_curves(output.result.history), "loss_curves")
        z = embed(output.bundle.encoder, arrays.test_x, device="cpu")
        tracker.log_figure(
            plot_embedding_map(z, arrays.test_y, arrays.class_names, method="pca"),
            "embedding_map",
        )
        model_uri = tracker.log_encoder(
            output.bundle,
            arrays.test_x,
            metrics,
            bundle_path=output.bundle_path,
            training_seconds=output.result.seconds,
        )
    return {
        "uri": uri,
        "root": root,
        "config": config,
        "arrays": arrays,
        "output": output,
        "metrics": metrics,
        "tracker": tracker,
        "model_uri": model_uri,
        "client": MlflowClient(uri),
    }


def download(tracked: dict, artifact: str) -> Path:
    folder = tracked["root"] / "downloads"
    return Path(
        mlflow.artifacts.download_artifacts(
            run_id=tracked["tracker"].run_id,
            artifact_path=artifact,
            dst_path=str(folder),
            tracking_uri=tracked["uri"],
        )
    )


def download_text(tracked: dict, artifact: str) -> str:
    return download(tracked, artifact).read_text(encoding="utf-8")


def test_run_is_finished_with_params_and_tags(tracked: dict) -> None:
    run = tracked["client"].get_run(tracked["tracker"].run_id)
    assert run.info.status == "FINISHED"
    params = run.data.params
    assert params["train.max_steps"] == "4"
    assert params["encoder.params.hidden_dims"] == "16"
    assert params["eval.label_fractions"] == "[1.0]"
    assert params["tracking.uri"] == tracked["uri"]
    assert run.data.tags["tscl.git.commit"] == git_state()["commit"]
    assert run.data.tags["tscl.git.dirty"] in ("true", "false")
    assert tracked["tracker"].unsent == 0
    assert not (tracked["root"] / "run" / "unsent_mlflow_records.jsonl").exists()


def test_per_step_loss_matches_the_training_history(tracked: dict) -> None:
    history = tracked["output"].result.history
    logged = tracked["client"].get_metric_history(tracked["tracker"].run_id, "loss")
    assert sorted((m.step, m.value) for m in logged) == [
        (row["step"], row["loss"]) for row in history
    ]
    assert [m.step for m in logged] == [1, 2, 3, 4]
    run = tracked["client"].get_run(tracked["tracker"].run_id)
    assert run.data.metrics["accuracy"] == pytest.approx(tracked["metrics"]["accuracy"])
    assert "samples_per_s" in run.data.metrics


def test_config_and_data_files_artifacts(tracked: dict) -> None:
    assert download_text(tracked, "config.yaml") == to_yaml(tracked["config"])
    data_files = json.loads(download_text(tracked, "data_files.json"))
    files = tracked["arrays"].source["files"]
    assert data_files["files"] == files and data_files["dataset"] == "ECG200"
    # digest = sha256 over the sorted "<sha256>  <file name>" lines
    lines = sorted(f"{sha}  {Path(path).name}" for path, sha in files.items())
    expected = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    run = tracked["client"].get_run(tracked["tracker"].run_id)
    assert run.data.tags["tscl.data.digest"] == expected == data_files["digest"]


def test_figures_are_png_artifacts(tracked: dict) -> None:
    names = {
        a.path
        for a in tracked["client"].list_artifacts(tracked["tracker"].run_id, "figures")
    }
    assert names == {"figures/loss_curves.png", "figures/embedding_map.png"}
    for name in names:
        path = download(tracked, name)
        assert path.read_bytes()[:8] == PNG_SIGNATURE and path.stat().st_size > 5000
    assert (tracked["root"] / "run" / "figures" / "loss_curves.png").is_file()


def test_model_card_names_data_hashes_metrics_and_limits(tracked: dict) -> None:
    card = download_text(tracked, "model_card.md")
    for sha in tracked["arrays"].source["files"].values():
        assert sha in card
    assert "ECG200" in card and "ts2vec" in card and "dilated_conv" in card
    assert "Steps: 4" in card
    assert f"| accuracy | {tracked['metrics']['accuracy']:.4f} |" in card
    assert "Not a medical device" in card
    size = sum(p.numel() for p in tracked["output"].bundle.encoder.parameters())
    assert f"{size:,} parameters" in card


def test_pyfunc_predicts_any_length(tracked: dict) -> None:
    model = load_encoder(tracked["model_uri"], uri=tracked["uri"])
    inputs = model.metadata.get_input_schema().inputs[0]
    assert tuple(inputs.shape) == (-1, -1, 1)
    series = tracked["arrays"].test_x[:5, 0, :]  # (5, 1, 96) -> (5, 96)
    full, short = model(series), model(series[:, :50])
    assert full.shape == short.shape == (5, 32) and full.dtype == np.float32
    assert not np.allclose(full, short)
    expected = embed_series(tracked["output"].bundle, series)
    np.testing.assert_allclose(full, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        model(series[:, :, None]), full, rtol=1e-6
    )  # (N, T, C) form
    run = tracked["client"].get_run(tracked["tracker"].run_id)
    assert run.data.tags["tscl.model_uri"] == tracked["model_uri"]


def test_failed_block_marks_the_run_failed_and_reraises(tracked: dict) -> None:
    with (
        pytest.raises(RuntimeError, match="boom"),
        RunTracker(tracked["config"], run_dir=tracked["root"] / "f") as tracker,
    ):
        raise RuntimeError("boom")
    assert tracked["client"].get_run(tracker.run_id).info.status == "FAILED"


def test_rejected_records_are_spooled_and_resent(tracked: dict) -> None:
    run_dir = tracked["root"] / "spooled"
    kept_message = r"^2 MLflow records .* kept in .*unsent_mlflow_records.jsonl"
    with (
        pytest.warns(TrackingWarning, match=kept_message),
        RunTracker(tracked["config"], run_dir=run_dir) as tracker,
    ):
        tracker.log_metrics({"before": 0.0})
        # One batch, rejected as a whole because of one bad name.
        with pytest.warns(TrackingWarning, match="did not accept"):
            tracker.log_metrics({"bad name!": 1.0, "fine": 2.0})
        assert tracker.unsent == 2
        tracker.log_metrics({"after": 3.0})  # a local store stays in use
    spool = run_dir / "unsent_mlflow_records.jsonl"
    records = [json.loads(line) for line in spool.read_text().splitlines()]
    assert [(r["kind"], r["key"], r["value"]) for r in records] == [
        ("metric", "bad name!", 1.0),
        ("metric", "fine", 2.0),
    ]
    assert {r["run_id"] for r in records} == {tracker.run_id}
    assert tracked["client"].get_run(tracker.run_id).data.metrics == {
        "before": 0.0,
        "after": 3.0,
    }
    spool.write_text(
        spool.read_text().replace("bad name!", "bad_name")
    )  # the user fixes the name
    assert resend_unsent(spool, uri=tracked["uri"]) == 2
    metrics = tracked["client"].get_run(tracker.run_id).data.metrics
    assert metrics == {"before": 0.0, "after": 3.0, "bad_name": 1.0, "fine": 2.0}
    assert not spool.exists()


def test_disabled_tracking_is_a_no_op(tmp_path: Path) -> None:
    config = load_config(
        "tiny",
        [f"tracking.uri=sqlite:///{tmp_path / 'x.db'}", "tracking.enabled=false"],
    )
    with RunTracker(config, run_dir=tmp_path) as tracker:
        tracker.log_step(1, {"loss": 1.0})
        tracker.log_metrics({"accuracy": 1.0})
    assert tracker.run_id is None and tracker.unsent == 0
    assert not (tmp_path / "x.db").exists()


def test_uri_precedence_and_artifact_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    default = resolve_target("", project_dir=tmp_path)
    assert default.uri == f"sqlite:///{tmp_path.resolve()}/mlflow.db"
    assert (
        default.artifact_location("my exp")
        == (tmp_path.resolve() / "mlartifacts" / "my_exp").as_uri()
    )
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:5999/")
    from_env = resolve_target("", project_dir=tmp_path)
    assert (
        from_env.uri == "http://127.0.0.1:5999"
        and from_env.artifact_location("x") is None
    )
    assert (
        resolve_target("sqlite:////tmp/a/b.db").artifact_root
        == "file:///tmp/a/mlartifacts"
    )


def test_git_state_outside_a_repository(tmp_path: Path) -> None:
    assert git_state(tmp_path) == {"commit": "unknown", "dirty": "unknown"}
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert git_state()["commit"] == head


def test_param_and_metric_conversion() -> None:
    assert param_value([0.5, 1.0]) == "[0.5, 1.0]"
    assert param_value({}) == "{}"
    long = param_value("x" * 7000)
    assert len(long) == 6000 and long.endswith("...")
    flat = numeric_metrics(
        {
            "accuracy": 0.5,
            "per_class": {"a": 1},
            "name": "svm",
            "ok": True,
            "n": np.int64(3),
        }
    )
    assert flat == {"accuracy": 0.5, "per_class.a": 1.0, "n": 3.0}


def test_unreachable_server_fails_before_the_run(tracked: dict) -> None:
    with (
        socket.socket() as probe
    ):  # a port that was free a moment ago; nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    uri = f"http://127.0.0.1:{port}"
    config = replace(
        tracked["config"], tracking=replace(tracked["config"].tracking, uri=uri)
    )
    with pytest.raises(TsclError) as caught, RunTracker(config):
        pytest.fail("the block must not run")
    message = str(caught.value)
    assert (
        message
        == f"tracking server {uri} is unreachable: connection refused (set tracking.uri or MLFLOW_TRACKING_URI)"
    )


def test_child_runs_point_to_their_parent(tracked: dict) -> None:
    config = tracked["config"]
    with (
        RunTracker(
            config, run_name="sweep", run_dir=tracked["root"] / "parent"
        ) as parent,
        RunTracker(
            config, run_name="trial-0", nested=True, run_dir=tracked["root"] / "c0"
        ) as child,
    ):
        child.log_metrics({"score": 0.5})
    with RunTracker(
        config,
        run_name="trial-1",
        parent_run_id=parent.run_id,
        run_dir=tracked["root"] / "c1",
    ) as late:
        pass  # e.g. a trial in another process that only knows the parent's id
    client = tracked["client"]
    for run_id in (child.run_id, late.run_id):
        run = client.get_run(run_id)
        assert (
            run.data.tags["mlflow.parentRunId"] == parent.run_id
            and run.info.status == "FINISHED"
        )
    assert client.get_run(parent.run_id).info.status == "FINISHED"
