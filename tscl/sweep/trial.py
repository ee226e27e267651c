"""One sweep trial: pretrain a sampled config, report validation scores with checkpoints to Tune.

The training loop writes a tscl checkpoint every ``eval_every`` steps
(``train.checkpoint_every``). ``ValidationReporter`` scores each new one on the
validation split, logs the scores to the trial's MLflow child run and reports
them to Tune with the checkpoint, so ASHA can stop the trial and a restored
trial continues from its last reported checkpoint (steps after it run again).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tscl.config import RunConfig
from tscl.data.training import TrainingData
from tscl.sweep.runs import SWEEP_TAG, TRIAL_TAG, OpenRun, child_runs
from tscl.sweep.selection import checkpoint_encoder, validation_scores
from tscl.sweep.space import trial_config
from tscl.track import RunTracker
from tscl.track.logger import RunLogger
from tscl.track.registry import connect
from tscl.train.checkpoint import load_checkpoint
from tscl.train.run import BUNDLE_NAME, CHECKPOINT_NAME, pretrain

LAST_STEP_TAG = "tscl.sweep.last_step"
RESUMED_TAG = "tscl.sweep.resumed_from_step"


@dataclass(frozen=True)
class TrialSetup:
    """What every trial receives through Ray's object store.

    Attributes:
        base: the base config (tracking URI resolved by the driver).
        arrays: training and validation parts only; the test split is empty.
        tags: extra child-run tags (the driver's git commit: trials run elsewhere).
    """

    base: RunConfig
    arrays: TrainingData
    probe: str
    probe_max_train: int
    eval_every: int
    parent_run_id: str
    sweep: str
    tags: dict[str, str] = field(default_factory=dict)


class StopTrial(Exception):
    """Tune ended the trial at a report (ASHA stopped it, or the sweep was interrupted)."""

    def __init__(self, step: int) -> None:
        super().__init__(f"stopped at step {step}")
        self.step = step


class ValidationReporter:
    """Training callback ``(step, metrics)``: scores and reports each new checkpoint once.

    The loop saves a periodic checkpoint after calling its callbacks, so a
    checkpoint is scored at the next logged step; ``report()`` after training
    scores the final one.
    """

    def __init__(
        self,
        setup: TrialSetup,
        config: RunConfig,
        arrays: TrainingData,
        folder: Path,
        run: RunLogger,
        reported_step: int = 0,
    ) -> None:
        self.setup, self.config, self.arrays = setup, config, arrays
        self.folder, self.run, self.reported_step = folder, run, reported_step
        self.seen: tuple[int, int] | None = None

    def __call__(self, step: int, metrics: dict[str, float]) -> None:
        self.report()

    def new_checkpoint(self) -> dict[str, Any] | None:
        """The checkpoint's state when it is newer than the last one reported."""
        path = self.folder / CHECKPOINT_NAME
        if not path.exists():
            return None
        stat = path.stat()
        if (stat.st_ino, stat.st_mtime_ns) == self.seen:
            return None
        self.seen = (stat.st_ino, stat.st_mtime_ns)
        state = load_checkpoint(path)
        return state if int(state["step"]) > self.reported_step else None

    def report(self, *, final: bool = False) -> None:
        """Scores a new checkpoint, logs it to MLflow and reports it to Tune."""
        state = self.new_checkpoint()
        if state is None:
            return
        step = int(state["step"])
        encoder = checkpoint_encoder(self.config, self.arrays.in_channels, state)
        scores = validation_scores(
            encoder,
            self.arrays,
            probe=self.setup.probe,
            seed=self.config.train.seed,
            device=self.config.train.device,
            max_train=self.setup.probe_max_train,
        )
        self.run.log_metrics(scores, step=step)  # also sends the buffered steps
        self.reported_step = step
        losses = [entry["loss"] for entry in state["history"] if "loss" in entry]
        train_loss = losses[-1] if losses else float("nan")
        self.send({"step": step, "train_loss": train_loss, **scores}, final=final)

    def send(self, metrics: dict[str, float], *, final: bool) -> None:
        """``tune.report`` with a copy of the checkpoint (and the encoder when final)."""
        from ray import tune

        with tempfile.TemporaryDirectory() as folder:
            shutil.copy2(self.folder / CHECKPOINT_NAME, Path(folder) / CHECKPOINT_NAME)
            if final and (self.folder / BUNDLE_NAME).exists():
                shutil.copy2(self.folder / BUNDLE_NAME, Path(folder) / BUNDLE_NAME)
            try:
                tune.report(metrics, checkpoint=tune.Checkpoint.from_directory(folder))
            except SystemExit:  # how Ray ends a trial it stops
                raise StopTrial(int(metrics["step"])) from None


def restore_checkpoint(checkpoint: Any, folder: Path) -> int:
    """Copies a Tune checkpoint's tscl checkpoint into ``folder``; returns its step (0: none)."""
    if checkpoint is None:
        return 0
    with checkpoint.as_directory() as source:
        shutil.copy2(Path(source) / CHECKPOINT_NAME, folder / CHECKPOINT_NAME)
    return int(load_checkpoint(folder / CHECKPOINT_NAME)["step"])


def child_run_id(
    setup: TrialSetup, config: RunConfig, trial_id: str, trial_name: str, folder: Path
) -> str:
    """The trial's child run: the one tagged with its trial id (a resumed trial), else a new one."""
    client = connect(config.tracking.uri)
    existing = child_runs(client, setup.parent_run_id).get(trial_id)
    if existing is not None:
        return str(existing.info.run_id)
    tags = {SWEEP_TAG: setup.sweep, TRIAL_TAG: trial_id, **setup.tags}
    with RunTracker(
        config,
        run_name=trial_name,
        parent_run_id=setup.parent_run_id,
        tags=tags,
        run_dir=folder,
        source=setup.arrays.source,
    ) as tracker:
        assert tracker.run_id is not None
        return tracker.run_id


def run_trial(params: dict[str, Any], setup: TrialSetup) -> None:
    """Ray Tune trainable: pretrains one sampled config (``params``: dotted key -> value)."""
    from ray import tune

    context = tune.get_context()
    config = trial_config(setup.base, params, setup.eval_every)
    assert setup.arrays.val is not None
    arrays = replace(  # arrays from Ray's object store are read-only
        setup.arrays,
        train=replace(setup.arrays.train, x=setup.arrays.train_x.copy()),
        val=replace(setup.arrays.val, x=setup.arrays.val_x.copy()),
    )
    folder = Path(tempfile.mkdtemp(prefix="tscl-trial-"))
    try:
        start = restore_checkpoint(tune.get_checkpoint(), folder)
        trial_id, trial_name = context.get_trial_id(), context.get_trial_name()
        run_id = child_run_id(setup, config, trial_id, trial_name, folder)
        with OpenRun(config.tracking.uri, run_id, folder) as run:
            if start:
                run.log_tags({RESUMED_TAG: start})
            reporter = ValidationReporter(setup, config, arrays, folder, run, start)
            try:
                pretrain(
                    config,
                    run_dir=folder,
                    resume=start > 0,
                    callbacks=[run.log_step, reporter],
                    data=arrays,
                )
                reporter.report(final=True)
            except StopTrial:
                # ASHA's stop or an interrupted sweep: the driver sets FINISHED
                # for trials Tune terminated, once the sweep ends.
                run.status = "KILLED"
            run.log_tags({LAST_STEP_TAG: reporter.reported_step})
    finally:
        shutil.rmtree(folder, ignore_errors=True)
