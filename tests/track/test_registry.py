"""Registry: versions, moving the champion alias, best-run selection, loading by alias in a new process."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import wfdb
from mlflow.tracking import MlflowClient

from tscl.bundle import load_bundle
from tscl.config import load_config
from tscl.data.training import TrainingData as Arrays
from tscl.errors import ConfigError, TsclError
from tscl.track import RunTracker, register, register_best, set_alias
from tscl.track.model import embed_series
from tscl.train.run import pretrain

NAME = "ecg200-encoder"
WINDOW = 720  # 2 s of MIT-BIH at 360 Hz


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, ecg200: Arrays) -> dict:
    """Two tracked 2-step runs (seeds 0, 1) with a hand-set "score" (0.3, 0.7) and logged encoders."""
    root = tmp_path_factory.mktemp("registry")
    uri = f"sqlite:///{root / 'mlflow.db'}"
    arrays = ecg200
    runs = []
    for seed, score in ((0, 0.3), (1, 0.7)):
        config = load_config(
            "tiny",
            [
                "train.max_steps=2",
                f"train.seed={seed}",
                f"tracking.uri={uri}",
                "tracking.experiment=registry",
            ],
        )
        run_dir = root / f"run{seed}"
        with RunTracker(config, run_dir=run_dir, source=arrays.source) as tracker:
            output = pretrain(
                config, run_dir=run_dir, data=arrays, callbacks=[tracker.log_step]
            )
            tracker.log_metrics({"score": score})
            tracker.log_encoder(
                output.bundle, arrays.test_x, bundle_path=output.bundle_path
            )
        runs.append(
            {
                "run_id": tracker.run_id,
                "model_uri": tracker.model_uri,
                "bundle": output.bundle_path,
            }
        )
    return {
        "uri": uri,
        "root": root,
        "runs": runs,
        "client": MlflowClient(uri),
        "config": config,
    }


def champion(store: dict, name: str = NAME) -> int:
    return int(store["client"].get_model_version_by_alias(name, "champion").version)


def record_100_window(data_dir: Path) -> np.ndarray:
    """The first 2 s of MIT-BIH record 100, lead MLII: (1, 720) float32."""
    record = wfdb.rdrecord(
        str(data_dir / "ecg" / "wfdb" / "mitdb" / "100"), sampto=WINDOW, channels=[0]
    )
    return record.p_signal.T.astype(np.float32)  # (720, 1) -> (1, 720)


def test_register_then_move_the_champion(
    store: dict, data_dir: Path, fresh_process_output: Callable[[str], np.ndarray]
) -> None:
    first, second = store["runs"]
    assert (
        register(first["run_id"], NAME, uri=store["uri"]) == 1
    )  # by run id: its logged encoder
    assert champion(store) == 1
    assert register(second["model_uri"], NAME, alias=None, uri=store["uri"]) == 2
    assert champion(store) == 1  # a new version is not promoted by itself
    set_alias(NAME, "champion", 2, uri=store["uri"])
    assert champion(store) == 2
    assert store["client"].get_model_version(NAME, "2").run_id == second["run_id"]

    window = record_100_window(data_dir)
    code = (
        "import json, sys, wfdb, numpy as np\n"
        "from tscl.track import load_encoder\n"
        f"record = wfdb.rdrecord({str(data_dir / 'ecg/wfdb/mitdb/100')!r}, sampto={WINDOW}, channels=[0])\n"
        "window = record.p_signal.T.astype(np.float32)  # (720, 1) -> (1, 720)\n"
        f"z = load_encoder('models:/{NAME}@champion', uri={store['uri']!r})(window)\n"
        "print(json.dumps(z.tolist()))\n"
    )
    z = fresh_process_output(code)
    assert z.shape == (1, 32) and np.all(np.isfinite(z))
    v2 = embed_series(load_bundle(second["bundle"]), window)
    v1 = embed_series(load_bundle(first["bundle"]), window)
    np.testing.assert_allclose(z, v2, rtol=1e-5, atol=1e-6)
    assert not np.allclose(z, v1, atol=1e-4)  # really the promoted version


def test_register_best_skips_failed_runs_and_follows_mode(store: dict) -> None:
    first, second = store["runs"]
    # A FAILED run with the best score and a model tag must never be chosen.
    with (
        pytest.raises(RuntimeError),
        RunTracker(store["config"], run_dir=store["root"] / "failed") as tracker,
    ):
        tracker.log_metrics({"score": 0.99})
        tracker.log_tags({"tscl.model_uri": first["model_uri"]})
        raise RuntimeError("diverged")
    best = register_best("registry", "score", "best-encoder", uri=store["uri"])
    version = store["client"].get_model_version_by_alias("best-encoder", "champion")
    assert int(version.version) == best and version.run_id == second["run_id"]
    worst = register_best(
        "registry",
        "score",
        "worst-encoder",
        alias="lowest",
        mode="min",
        uri=store["uri"],
    )
    version = store["client"].get_model_version_by_alias("worst-encoder", "lowest")
    assert int(version.version) == worst and version.run_id == first["run_id"]


def test_registry_errors_are_one_line(store: dict) -> None:
    uri = store["uri"]
    with RunTracker(store["config"], run_dir=store["root"] / "empty") as tracker:
        pass  # a run that logged no encoder
    with pytest.raises(TsclError, match="no logged encoder"):
        register(tracker.run_id, NAME, uri=uri)
    with pytest.raises(TsclError, match="experiment 'nope' was not found"):
        register_best("nope", "score", NAME, uri=uri)
    with pytest.raises(TsclError, match="no FINISHED run"):
        register_best("registry", "no_such_metric", NAME, uri=uri)
    with pytest.raises(ConfigError, match="mode"):
        register_best("registry", "score", NAME, mode="best", uri=uri)
    with pytest.raises(TsclError, match="cannot set alias 'champion' to version 99"):
        set_alias(NAME, "champion", 99, uri=uri)
