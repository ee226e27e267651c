"""Issue 14, acceptances 1 and 6: a sweep resumes only from plain files; a killed trial retries from its checkpoint."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest
import yaml
from mlflow.tracking import MlflowClient
from reliability_helpers import one_line_error, plant

from tscl.cli import main
from tscl.sweep.runs import TRIAL_TAG
from tscl.sweep.space import load_space
from tscl.sweep.trial import RESUMED_TAG

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def write_space(root: Path, name: str, *, max_steps: int) -> Path:
    """A 2-trial space: tiny TS2Vec on ECG200, scored and checkpointed every 10 steps."""
    space: dict[str, Any] = {
        "base": {
            "preset": "tiny",
            "overrides": [
                f"train.max_steps={max_steps}",
                "train.log_every=5",
                "train.device=cpu",
                "train.num_threads=1",
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
        "space": {"train.lr": {"loguniform": [1.0e-4, 1.0e-2]}},
    }
    path = root / f"{name}.yaml"
    path.write_text(yaml.safe_dump(space), encoding="utf-8")
    return path


def test_sweep_resume_refuses_a_planted_trial_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    space_path = write_space(tmp_path, "planted", max_steps=20)
    storage = tmp_path / "tune"
    state = {
        "tracking_uri": f"sqlite:///{tmp_path / 'mlflow.db'}",
        "space": load_space(space_path).text,
        "overrides": [],
        "parent_run_id": "0" * 32,
    }
    storage.mkdir()
    (storage / "planted.sweep.json").write_text(json.dumps(state), encoding="utf-8")
    marker = tmp_path / "marker"
    trial = storage / "planted" / "trial_0001" / "checkpoint_000000"
    planted = plant(trial / "checkpoint.pt", marker, {"step": 10})
    args = ["sweep", "--space", str(space_path), "--name", "planted"]
    code = main([*args, "--storage", str(storage), "--resume"])
    line = one_line_error(capsys.readouterr().err)
    assert code == 2 and "refused" in line and str(planted) in line
    assert not marker.exists()
    assert not (tmp_path / "mlflow.db").exists()  # stopped before the store and Ray


@pytest.mark.slow
def test_a_killed_trial_retries_from_its_checkpoint_and_completes(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ray import tune

    from tscl.sweep.driver import run_sweep

    class KillOnce(tune.Callback):
        """SIGKILLs a trial's process once Tune holds its checkpoint of step >= 10."""

        def __init__(self, marker: Path) -> None:
            self.marker = marker

        def on_trial_save(
            self, iteration: int, trials: list, trial: Any, **info: Any
        ) -> None:
            result = trial.last_result
            if result.get("step", 0) >= 10 and not self.marker.exists():
                self.marker.write_text(f"{trial.trial_id} {result['pid']}")
                os.kill(result["pid"], signal.SIGKILL)

    monkeypatch.setenv("TSCL_DATA_MIRROR", str(data_dir))
    monkeypatch.setenv("TSCL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    space = write_space(tmp_path, "killed", max_steps=30)
    marker = tmp_path / "killed_trial"
    result = run_sweep(
        space, name="killed", storage=tmp_path / "tune", callbacks=[KillOnce(marker)]
    )
    killed_trial = marker.read_text().split()[0]
    assert result.complete, result.statuses
    assert set(result.statuses.values()) == {"TERMINATED"}
    client = MlflowClient(f"sqlite:///{tmp_path / 'mlflow.db'}")
    experiment = client.get_run(result.parent_run_id).info.experiment_id
    children = client.search_runs(
        [experiment],
        filter_string=f"tags.mlflow.parentRunId = '{result.parent_run_id}'",
    )
    by_trial = {child.data.tags[TRIAL_TAG]: child for child in children}
    assert len(by_trial) == 2 and len(children) == 2  # the retry kept its child run
    retried = by_trial[killed_trial]
    assert retried.info.status == "FINISHED"
    assert int(retried.data.tags[RESUMED_TAG]) >= 10  # it went on from a checkpoint
    steps = sorted(
        m.step for m in client.get_metric_history(retried.info.run_id, "val_accuracy")
    )
    assert steps[-1] == 30
