"""The live sweep line: trials finished / running / stopped early / failed and the best score so far."""

from __future__ import annotations

import pickle
from types import SimpleNamespace

import pytest

from tscl.sweep.progress import SweepProgress, plan_line, stopped_early


def trial(
    trial_id: str, step: int | None, max_steps: int | None = None
) -> SimpleNamespace:
    config = {} if max_steps is None else {"train.max_steps": max_steps}
    return SimpleNamespace(trial_id=trial_id, config=config, last_result={"step": step})


def test_progress_counts_and_best(capsys: pytest.CaptureFixture[str]) -> None:
    progress = SweepProgress("ecg", 4, 30, "val_accuracy", "max", interval_s=0.0)
    a, b, c = trial("a", 30), trial("b", 10), trial("c", None)
    for t in (a, b, c):
        progress.on_trial_start(0, [], t)
    progress.on_trial_result(0, [], a, {"val_accuracy": 0.7, "step": 10})
    progress.on_trial_result(0, [], b, {"val_accuracy": 0.8, "step": 10})
    progress.on_trial_complete(0, [], a)
    progress.on_trial_complete(0, [], b)  # stopped at step 10 of 30
    progress.on_trial_error(0, [], c)
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith(
        "sweep ecg: 1 finished, 0 running, 1 stopped early, 1 failed of 4; "
        "best val_accuracy 0.8000 (trial b); elapsed"
    )
    assert "remaining ~" in last


def test_min_mode_and_quiet_between_intervals(
    capsys: pytest.CaptureFixture[str],
) -> None:
    progress = SweepProgress("s", 2, 0, "val_loss", "min", interval_s=3600.0)
    progress.on_trial_result(0, [], trial("a", 5), {"val_loss": 2.0})
    progress.on_trial_result(0, [], trial("b", 5), {"val_loss": 1.0})
    progress.on_trial_result(0, [], trial("a", 6), {"val_loss": 3.0})
    assert capsys.readouterr().out == ""  # no line before the interval has passed
    assert progress.best == (1.0, "b")
    # the best is by each trial's latest score, as the final selection: b got worse
    progress.on_trial_result(0, [], trial("b", 6), {"val_loss": 4.0})
    assert progress.best == (3.0, "a")


def test_stored_with_the_experiment_without_its_counts() -> None:
    progress = SweepProgress("s", 2, 30, "val_accuracy", "max")
    progress.on_trial_start(0, [], trial("a", 1))
    restored = pickle.loads(pickle.dumps(progress))
    assert restored.total == 2 and restored.running == set()


def test_stopped_early_uses_the_trials_own_steps() -> None:
    assert stopped_early(trial("a", 10), 30)
    assert not stopped_early(trial("a", 30), 30)
    assert not stopped_early(
        trial("a", 30, max_steps=30), 60
    )  # the trial sampled its steps
    assert not stopped_early(trial("a", 10), 0)  # unknown plan: not called early
    assert (
        "3 trials from tune/ecg.yaml, up to 600 steps each, 2 at a time"
        in plan_line("ecg", 3, 600, 2, "tune/ecg.yaml")
    )


def test_a_line_while_no_trial_reports(capsys: pytest.CaptureFixture[str]) -> None:
    progress = SweepProgress("s", 2, 30, "val_accuracy", "max", interval_s=0.0)
    progress.on_step_end(0, [])
    assert capsys.readouterr().out.startswith("sweep s: 0 finished, 0 running")
