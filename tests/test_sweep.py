"""Ray Tune sweeps (issue 5, acceptance 3): real local Ray, real MLflow SQLite store, real ECG200.

The two sweeps share one Ray session (starting Ray costs ~9 s). Each trial
pretrains a tiny TS2Vec encoder on 75% of ECG200's training split and is scored
by an SVM probe on the other 25%; ECG200's test split never reaches a trial.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from mlflow.tracking import MlflowClient
from ray import tune

from tscl.config import from_yaml, load_config
from tscl.data.read_ts import read_ts
from tscl.errors import ConfigError
from tscl.sweep.command import add_sweep_command
from tscl.sweep.driver import SweepResult, run_sweep
from tscl.sweep.runs import STOPPED_EARLY_TAG, TRIAL_TAG
from tscl.sweep.selection import cap_validation, selection_arrays
from tscl.sweep.space import load_space, override, trial_config
from tscl.sweep.trial import RESUMED_TAG
from tscl.train.distributed import ray_session

REPO = Path(__file__).resolve().parents[1]
# Ray's and MLflow's own deprecation notices, raised while they import.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def workspace(
    tmp_path_factory: pytest.TempPathFactory, data_dir: Path
) -> Iterator[Path]:
    """A folder for the store and sweeps; data sets are fetched from the shared data folder."""
    root = tmp_path_factory.mktemp("sweeps")
    patch = pytest.MonkeyPatch()
    patch.setenv("TSCL_DATA_MIRROR", str(data_dir))
    patch.setenv("TSCL_CACHE_DIR", str(root / "cache"))
    patch.delenv("MLFLOW_TRACKING_URI", raising=False)
    yield root
    patch.undo()


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[bool]:
    """One quiet local Ray on 127.0.0.1 for the module; run_sweep reuses it."""
    with ray_session(num_cpus=2) as started_here:
        yield started_here


def write_space(root: Path, name: str, *, max_steps: int, asha: bool) -> Path:
    """A 2-trial space: tiny TS2Vec on ECG200, scored every 10 steps."""
    space: dict[str, Any] = {
        "base": {
            "preset": "tiny",
            "overrides": [
                f"train.max_steps={max_steps}",
                "train.log_every=5",
                "train.device=cpu",
                f"tracking.uri=sqlite:///{root / 'mlflow.db'}",
                f"output_dir={root / 'runs'}",
            ],
        },
        "metric": "val_accuracy",
        "mode": "max",
        "num_samples": 2,
        "seed": 0,
        "eval_every": 10,
        "probe": "svm",
        "validation": {"fraction": 0.25},
        "space": {
            "train.lr": {"loguniform": [1.0e-4, 1.0e-2]},
            "encoder.params.hidden_dims": {"choice": [8, 16]},
        },
    }
    if asha:
        space["scheduler"] = {
            "asha": {"max_t": max_steps, "grace_period": 10, "reduction_factor": 2}
        }
    path = root / f"{name}.yaml"
    path.write_text(yaml.safe_dump(space), encoding="utf-8")
    return path


def children_of(client: MlflowClient, parent_run_id: str) -> list[Any]:
    experiment = client.get_run(parent_run_id).info.experiment_id
    return client.search_runs(
        [experiment], filter_string=f"tags.mlflow.parentRunId = '{parent_run_id}'"
    )


def history_steps(client: MlflowClient, run_id: str, key: str) -> list[int]:
    return sorted(m.step for m in client.get_metric_history(run_id, key))


@pytest.fixture(scope="module")
def asha_sweep(workspace: Path, ray_cluster: bool) -> SweepResult:
    space = write_space(workspace, "asha", max_steps=30, asha=True)
    return run_sweep(space, name="asha", storage=workspace / "tune")


def test_asha_sweep_tracks_one_parent_and_a_finished_child_per_trial(
    asha_sweep: SweepResult, workspace: Path
) -> None:
    result = asha_sweep
    assert result.complete
    assert sorted(result.statuses.values()) == ["TERMINATED", "TERMINATED"]
    client = MlflowClient(f"sqlite:///{workspace / 'mlflow.db'}")
    parent = client.get_run(result.parent_run_id)
    assert parent.info.status == "FINISHED"
    assert "asha.yaml" in [a.path for a in client.list_artifacts(parent.info.run_id)]
    children = children_of(client, result.parent_run_id)
    assert {c.data.tags[TRIAL_TAG] for c in children} == set(result.statuses)
    for child in children:
        assert child.info.status == "FINISHED"
        assert 0.0 <= child.data.metrics["val_accuracy"] <= 1.0
        # Validation scores at the checkpoints (every 10 steps); ASHA may stop at 10.
        steps = history_steps(client, child.info.run_id, "val_accuracy")
        assert steps[0] == 10 and all(s % 10 == 0 and s <= 30 for s in steps)
        assert len(client.get_metric_history(child.info.run_id, "loss")) >= 2
    best_id = parent.data.tags["tscl.sweep.best_trial_id"]
    (best,) = [c for c in children if c.data.tags[TRIAL_TAG] == best_id]
    value = parent.data.metrics["best_val_accuracy"]
    assert value == best.data.metrics["val_accuracy"]
    assert value == max(c.data.metrics["val_accuracy"] for c in children)
    best_params = {
        key.removeprefix("best."): text
        for key, text in parent.data.params.items()
        if key.startswith("best.")
    }
    assert best_params == best.data.params
    assert best_params["train.lr"] != parent.data.params["train.lr"]  # a sampled value
    # A trial ASHA stopped early is FINISHED and says so (KILLED means killed).
    early = 0
    for child in children:
        last = max(history_steps(client, child.info.run_id, "val_accuracy"))
        tagged = child.data.tags.get(STOPPED_EARLY_TAG) == "true"
        assert tagged == (last < 30), (last, child.data.tags)
        early += tagged
    assert parent.data.metrics["trials_stopped_early"] == early
    assert parent.data.metrics["trials_finished"] == 2 - early
    text = client.download_artifacts(parent.info.run_id, "best_config.yaml")
    assert from_yaml(Path(text).read_text()) == result.best_config


class InterruptOnce(tune.Callback):
    """Sends SIGINT (Ctrl+C) to the driver once Tune has registered ``after`` trial checkpoints.

    Counting checkpoints, not results: Tune hands a result to the callbacks
    before it registers the result's checkpoint (a save resolved in a later
    step of its loop), so a SIGINT sent on a result could, on a loaded
    machine, end the sweep before any trial had a checkpoint to resume from.
    Tune registers the checkpoint right after this hook, in the same step.
    A marker file makes it fire only once: Tune stores callbacks with the
    sweep and runs them again when it resumes.
    """

    def __init__(self, marker: Path, after: int) -> None:
        self.marker, self.after, self.seen = marker, after, 0

    def on_checkpoint(self, *args: Any, **kwargs: Any) -> None:
        self.seen += 1
        if self.seen >= self.after and not self.marker.exists():
            self.marker.touch()
            os.kill(os.getpid(), signal.SIGINT)


def test_interrupted_sweep_resumes_into_the_same_parent_run(
    workspace: Path, ray_cluster: bool
) -> None:
    """Ctrl+C once Tune has registered 2 checkpoints, then ``resume=True``.

    SIGINT is what Ctrl+C sends; Tune's handler ends the tuning loop after the
    current step and saves the experiment state with its unfinished trials. The
    point is deterministic in checkpoints, not time: after 2 of the 8
    (2 trials x 4 checkpoints) no trial can have finished, and a trial has a
    registered checkpoint to continue from.
    """
    space = write_space(workspace, "resume", max_steps=40, asha=False)
    storage = workspace / "tune"
    interrupter = InterruptOnce(workspace / "interrupted", after=2)
    first = run_sweep(space, name="resume", storage=storage, callbacks=[interrupter])
    client = MlflowClient(f"sqlite:///{workspace / 'mlflow.db'}")
    assert not first.complete
    assert "TERMINATED" not in first.statuses.values()
    assert client.get_run(first.parent_run_id).info.status == "KILLED"
    assert {c.info.status for c in children_of(client, first.parent_run_id)} == {
        "KILLED"
    }
    with pytest.raises(ConfigError, match="pass --resume"):
        run_sweep(space, name="resume", storage=storage)

    second = run_sweep(space, name="resume", storage=storage, resume=True)
    assert second.complete and second.parent_run_id == first.parent_run_id
    assert set(second.statuses) == set(first.statuses)
    assert set(second.statuses.values()) == {"TERMINATED"}
    parent = client.get_run(second.parent_run_id)
    assert parent.info.status == "FINISHED"
    assert "best_val_accuracy" in parent.data.metrics
    children = children_of(client, second.parent_run_id)
    assert len(children) == 2  # resumed trials log into their own child runs
    for child in children:
        assert child.info.status == "FINISHED"
        assert history_steps(client, child.info.run_id, "val_accuracy")[-1] == 40
    resumed = [int(c.data.tags.get(RESUMED_TAG, 0)) for c in children]
    assert max(resumed) >= 10  # a trial continued from its checkpoint


def test_trials_see_no_test_data_and_hold_out_stratified_validation(
    workspace: Path, data_dir: Path
) -> None:
    config = load_config("tiny", [f"output_dir={workspace / 'runs'}"])
    arrays = selection_arrays(config, val_fraction=0.25)
    folder = data_dir / "ucr" / "ECG200"
    train = read_ts(folder / "ECG200_TRAIN.ts").to_array()  # (100, 1, 96)
    test = read_ts(folder / "ECG200_TEST.ts").to_array()
    assert arrays.test_x.shape == (0, 1, 96) and arrays.test_y is not None
    assert len(arrays.test_y) == 0
    assert arrays.val_x is not None and arrays.val_y is not None
    # ECG200's training classes are 31 / 69: round(0.25 * n) of each is held out.
    assert np.bincount(arrays.val_y).tolist() == [8, 17]
    assert np.bincount(arrays.train_y).tolist() == [23, 52]
    rows = {tuple(np.round(row.ravel(), 4)) for row in train}
    held = {tuple(np.round(row.ravel(), 4)) for row in arrays.val_x}
    kept = {tuple(np.round(row.ravel(), 4)) for row in arrays.train_x}
    assert held <= rows and kept <= rows and not held & kept
    assert not (held | kept) & {tuple(np.round(row.ravel(), 4)) for row in test}


def test_capped_validation_is_one_stratified_draw_for_every_trial(
    workspace: Path,
) -> None:
    config = load_config("tiny", [f"output_dir={workspace / 'runs'}"])
    arrays = selection_arrays(config, val_fraction=0.25)  # 8 / 17 validation series
    capped = cap_validation(arrays, 10, seed=0)
    again = cap_validation(arrays, 10, seed=0)
    assert capped.val_y is not None and np.bincount(capped.val_y).tolist() == [3, 7]
    np.testing.assert_array_equal(capped.val_x, again.val_x)  # the same rows each time
    val = {tuple(np.round(row.ravel(), 4)) for row in arrays.val_x}
    assert {tuple(np.round(row.ravel(), 4)) for row in capped.val_x} <= val
    np.testing.assert_array_equal(capped.train_x, arrays.train_x)
    assert capped.source["validation_rows"] == {"of": 25, "scored": 10}
    assert cap_validation(arrays, 0, seed=0) is arrays  # 0: every validation row
    assert cap_validation(arrays, 25, seed=0) is arrays


def test_patient_data_is_scored_on_validation_patients_only(workspace: Path) -> None:
    """MIT-BIH beats: trials get the validation patients, never a per-beat hold-out."""
    grouped = load_config("ecg_ts2vec", [f"output_dir={workspace / 'runs'}"])
    arrays = selection_arrays(grouped, val_fraction=0.25)
    assert arrays.val_x is not None and len(arrays.test_x) == 0
    patients = arrays.source["patients"]
    assert not set(patients["train"]) & set(patients["val"])
    assert len(arrays.val_x) == len(arrays.val_y) > 0
    no_validation = load_config("ecg_ts2vec", ["data.val_fraction=0.0"])
    with pytest.raises(ConfigError, match="data.val_fraction: set it > 0 for mitdb"):
        selection_arrays(no_validation, val_fraction=0.25)


def test_space_files_in_the_repository_are_valid() -> None:
    ucr = load_space(REPO / "tune" / "ts2vec_ucr.yaml")
    assert (ucr.metric, ucr.mode, ucr.probe) == ("val_accuracy", "max", "svm")
    assert ucr.asha == {"max_t": 200, "grace_period": 50, "reduction_factor": 2}
    ecg = load_space(REPO / "tune" / "ecg_ts2vec.yaml", ["train.max_steps=300"])
    assert ecg.base.dataset == "mitdb" and ecg.base.train.max_steps == 300
    assert ecg.metric == "val_macro_f1"
    # `make sweep`'s default is sized for 15 minutes on 2 cores (README): keep it so.
    default = load_space(REPO / "tune" / "ecg_ts2vec.yaml")
    scorings = default.base.train.max_steps // default.eval_every
    assert default.num_samples * default.base.train.max_steps <= 1800
    assert scorings <= 2 and 0 < default.probe_max_train + default.probe_max_val <= 6000


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ({"metrc": "val_accuracy"}, "Did you mean 'metric'"),
        ({"metric": "test_accuracy"}, "metric: 'test_accuracy' is not one of"),
        ({"space": {"train.lrr": {"choice": [0.1]}}}, "train.lrr"),
        ({"space": {"dataset": {"choice": ["GunPoint"]}}}, "set it in base"),
        ({"space": {"train.lr": {"loguniform": [0.0, 1.0]}}}, "low > 0"),
        ({"space": {"train.lr": {"normal": [0.0, 1.0]}}}, "expected one sampler"),
        ({"scheduler": {"asha": {"max_steps": 3}}}, "scheduler.asha: unknown keys"),
        ({"eval_every": 5}, r"eval_every: expected >= train.log_every \(10\)"),
        ({"probe": "forest"}, "probe: 'forest' is not one of svm, logistic, knn"),
        ({"probe_max_val": -1}, r"probe_max_val: expected >= 0 \(0 = all\)"),
    ],
)
def test_bad_space_files_fail_naming_the_key(
    tmp_path: Path, edit: dict[str, Any], message: str
) -> None:
    space = {"base": {"preset": "tiny"}, "eval_every": 10, **edit}
    path = tmp_path / "space.yaml"
    path.write_text(yaml.safe_dump(space), encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_space(path)


def test_sampled_values_become_config_overrides() -> None:
    assert override("train.lr", np.float64(0.00025)) == "train.lr=0.00025"
    assert override("train.batch_size", np.int64(16)) == "train.batch_size=16"
    assert override("train.compile", True) == "train.compile=true"
    assert (
        override("eval.label_fractions", [1.0, 0.1])
        == "eval.label_fractions=[1.0, 0.1]"
    )
    base = load_config("tiny")
    params = {"train.lr": np.float64(2.5e-4), "encoder.params.hidden_dims": 8}
    config = trial_config(base, params, eval_every=10)
    assert config.train.lr == 2.5e-4 and config.encoder.params["hidden_dims"] == 8
    assert config.train.checkpoint_every == 10 and config.encoder.params["depth"] == 3


def test_sweep_command_parses_its_arguments() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    add_sweep_command(parser.add_subparsers(dest="command"))
    args = parser.parse_args(
        [
            "sweep",
            "--space",
            "tune/ts2vec_ucr.yaml",
            "--resume",
            "--name",
            "a",
            "dataset=GunPoint",
        ]
    )
    assert (args.space, args.resume, args.name) == (
        Path("tune/ts2vec_ucr.yaml"),
        True,
        "a",
    )
    assert args.overrides == ["dataset=GunPoint"] and args.storage is None
    assert args.handler.__name__ == "_sweep"


def test_two_trial_sweep_over_the_motion_domain_space(
    workspace: Path, ray_cluster: bool
) -> None:
    """tune/motion.yaml's own search space, two short trials on the smartwatch subjects."""
    space = yaml.safe_load((REPO / "tune" / "motion.yaml").read_text(encoding="utf-8"))
    space["num_samples"], space["eval_every"] = 2, 10
    space["scheduler"] = {
        "asha": {"max_t": 20, "grace_period": 10, "reduction_factor": 2}
    }
    space["base"]["overrides"] += [
        "train.max_steps=20",
        "train.log_every=5",
        "encoder.params.hidden_dims=8",
        "encoder.params.output_dims=16",
        "encoder.params.depth=2",
        "train.device=cpu",
        f"tracking.uri=sqlite:///{workspace / 'mlflow.db'}",
        f"output_dir={workspace / 'runs'}",
    ]
    path = workspace / "motion.yaml"
    path.write_text(yaml.safe_dump(space), encoding="utf-8")
    result = run_sweep(path, name="motion", storage=workspace / "tune")
    assert result.complete and len(result.statuses) == 2
    client = MlflowClient(f"sqlite:///{workspace / 'mlflow.db'}")
    children = children_of(client, result.parent_run_id)
    assert len(children) == 2
    for child in children:
        assert child.data.params["domain"] == "motion"
        assert 0.0 <= child.data.metrics["val_accuracy"] <= 1.0
