"""The Tune driver: run or resume a sweep, one MLflow parent run, the best trial logged on it.

A sweep named N keeps its Tune experiment in ``<storage>/N`` and, beside it,
``N.sweep.json`` (the MLflow parent run id, tracking URI, space text and
overrides: a resume must match them) and ``N.best_config.yaml`` once complete.
Ray is the running one, or ``$RAY_ADDRESS``'s cluster, or a local one on
127.0.0.1 (``tscl.train.distributed.ray_session``).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tscl.config import RunConfig, flatten, to_yaml
from tscl.errors import ConfigError
from tscl.saved_state import load_tensors
from tscl.sweep.progress import SweepProgress, plan_line, stopped_early
from tscl.sweep.runs import SWEEP_TAG, OpenRun, child_runs, close_children
from tscl.sweep.selection import cap_validation, selection_arrays
from tscl.sweep.space import SweepSpace, load_space, search_space, trial_config
from tscl.sweep.trial import TrialSetup, run_trial
from tscl.track import RunTracker, resolve_target
from tscl.track.provenance import git_state
from tscl.train.checkpoint import load_checkpoint
from tscl.train.distributed import ray_session
from tscl.train.run import BUNDLE_NAME, CHECKPOINT_NAME

ASHA_DEFAULTS = {"max_t": 100, "grace_period": 1, "reduction_factor": 4}
# A trial whose process dies (killed, out of memory, a lost node) is started again
# from its last reported checkpoint, this many times.
TRIAL_RETRIES = 2


@dataclass
class SweepResult:
    """What ``run_sweep`` did; ``complete`` is False when trials are left to resume.

    Attributes:
        statuses: Tune status by trial id (TERMINATED, ERROR, PENDING, ...).
        best_value: the best trial's last reported ``metric`` (None until complete).
    """

    name: str
    path: Path
    parent_run_id: str
    metric: str
    complete: bool = False
    statuses: dict[str, str] = field(default_factory=dict)
    best_trial_id: str | None = None
    best_value: float | None = None
    best_config: RunConfig | None = None


def trial_dirname(trial: Any) -> str:
    """Short trial folder names (Tune's default repeats every sampled value)."""
    return f"trial_{trial.trial_id}"


def trial_resources(requested: Mapping[str, float]) -> dict[str, float]:
    """CPUs (default 1) per trial, and the requested GPU fraction where the cluster has GPUs."""
    import ray

    wanted = {"cpu": 1.0, **requested}
    if ray.cluster_resources().get("GPU", 0.0) <= 0:
        wanted.pop("gpu", None)
    return wanted


def build_tuner(
    setup: TrialSetup,
    space: SweepSpace,
    path: Path,
    *,
    restore: bool = False,
    callbacks: Sequence[Any] = (),
) -> Any:
    """A ``tune.Tuner`` for the space, or the one stored at ``path`` (unfinished and errored trials resume)."""
    from ray import tune
    from ray.tune.schedulers import ASHAScheduler
    from ray.tune.search.basic_variant import BasicVariantGenerator

    trainable = tune.with_parameters(run_trial, setup=setup)
    trainable = tune.with_resources(trainable, trial_resources(space.resources))
    if restore:
        return tune.Tuner.restore(
            str(path), trainable, resume_unfinished=True, resume_errored=True
        )
    scheduler = None
    if space.asha is not None:
        asha = {**ASHA_DEFAULTS, **space.asha}
        scheduler = ASHAScheduler(
            time_attr="step",  # reports carry the training step
            max_t=int(asha["max_t"]),
            grace_period=int(asha["grace_period"]),
            reduction_factor=float(asha["reduction_factor"]),
        )
    tune_config = tune.TuneConfig(
        metric=space.metric,
        mode=space.mode,
        num_samples=space.num_samples,
        scheduler=scheduler,
        search_alg=BasicVariantGenerator(random_state=space.seed),
        reuse_actors=False,
        trial_dirname_creator=trial_dirname,
    )
    run_config = tune.RunConfig(
        name=path.name,
        storage_path=str(path.parent),
        verbose=0,
        checkpoint_config=tune.CheckpointConfig(num_to_keep=1),
        failure_config=tune.FailureConfig(max_failures=TRIAL_RETRIES),
        callbacks=list(callbacks),
    )
    return tune.Tuner(
        trainable,
        param_space=search_space(space.space),
        tune_config=tune_config,
        run_config=run_config,
    )


def sweep_state(
    state_path: Path, space: SweepSpace, overrides: Sequence[str], resume: bool
) -> dict[str, Any]:
    """The stored state of a sweep to resume (checked against the space), or a new one."""
    if not resume:
        if state_path.exists():
            raise ConfigError(
                f"{state_path}: this sweep exists; pass --resume to continue it, or another --name"
            )
        uri = resolve_target(space.base.tracking.uri).uri
        return {"tracking_uri": uri, "space": space.text, "overrides": list(overrides)}
    if not state_path.is_file():
        raise ConfigError(
            f"{state_path}: no sweep to resume (check --name and --storage)"
        )
    state: dict[str, Any] = json.loads(state_path.read_text(encoding="utf-8"))
    if state["space"] != space.text or state["overrides"] != list(overrides):
        raise ConfigError(
            f"{state_path}: the space file or key=value overrides differ from the sweep's; "
            "resume with the same ones, or start a new --name"
        )
    return state


def check_trial_files(path: Path) -> None:
    """Every tscl file a resumed sweep will read (trial checkpoints, encoders) holds plain data only.

    Raises:
        UnsafeFileError: one line naming the first file carrying other objects;
            nothing in it runs.
    """
    for saved in sorted(path.glob(f"**/{CHECKPOINT_NAME}")):
        load_checkpoint(saved)
    for saved in sorted(path.glob(f"**/{BUNDLE_NAME}")):
        load_tensors(saved, "tscl encoder bundle")


def start_parent(base: RunConfig, name: str, space_path: Path, spool_dir: Path) -> str:
    """Creates the sweep's parent run: the base config as params, the space file as an artifact."""
    tags = {SWEEP_TAG: name, "tscl.sweep.role": "parent"}
    with RunTracker(base, run_name=name, tags=tags, run_dir=spool_dir) as tracker:
        tracker.log_file(space_path)
        assert tracker.run_id is not None
        return tracker.run_id


def log_best(
    parent: OpenRun,
    space: SweepSpace,
    base: RunConfig,
    analysis: Any,
    result: SweepResult,
) -> None:
    """Logs the best trial on the parent: ``best.*`` params, best_config.yaml, ``best_<metric>``."""
    best = analysis.get_best_trial(
        space.metric, space.mode, scope="last", filter_nan_and_inf=True
    )
    if best is None:
        return
    config = trial_config(base, best.config, space.eval_every)  # as the trial built it
    result.best_trial_id, result.best_config = best.trial_id, config
    result.best_value = float(best.last_result[space.metric])
    parent.log_params({f"best.{key}": value for key, value in flatten(config).items()})
    parent.log_text(to_yaml(config), "best_config.yaml")
    parent.log_metrics({f"best_{space.metric}": result.best_value})
    child = child_runs(parent.client, result.parent_run_id).get(best.trial_id)
    child_id = "" if child is None else child.info.run_id
    parent.log_tags(
        {"tscl.sweep.best_trial_id": best.trial_id, "tscl.sweep.best_run_id": child_id}
    )
    result.path.with_name(f"{result.path.name}.best_config.yaml").write_text(
        to_yaml(config), encoding="utf-8"
    )


def run_sweep(
    space_path: str | Path,
    overrides: Sequence[str] = (),
    *,
    name: str | None = None,
    storage: str | Path | None = None,
    resume: bool = False,
    callbacks: Sequence[Any] = (),
) -> SweepResult:
    """Runs a sweep, or resumes an interrupted one into the same MLflow parent run.

    Args:
        space_path: a space file (see ``tune/`` and ``tscl.sweep.space``).
        overrides: ``key=value`` overrides of the space's base config.
        name: the sweep's name (default the space file's stem).
        storage: Tune's storage folder (default ``<output_dir>/sweeps``).
        resume: continue sweep ``name``: its unfinished and errored trials.
        callbacks: extra ``ray.tune.Callback`` objects for a new sweep; Tune
            stores them with it and runs them again on resume (where new ones
            are ignored).

    Raises:
        ConfigError: bad space file or keys, an existing sweep without ``resume``,
            or a resume whose space or overrides differ.
    """
    space_path = Path(space_path)
    space = load_space(space_path, overrides)
    if not space.base.tracking.enabled:
        raise ConfigError("tracking.enabled: sweeps record their trials in MLflow")
    name = name or space_path.stem
    root = storage if storage is not None else Path(space.base.output_dir) / "sweeps"
    root = Path(root).resolve()
    state_path = root / f"{name}.sweep.json"
    state = sweep_state(state_path, space, overrides, resume)
    if resume:
        check_trial_files(root / name)  # before anything reads them
    tracking = replace(space.base.tracking, uri=state["tracking_uri"])
    base = replace(space.base, tracking=tracking)
    arrays = selection_arrays(base, space.val_fraction)  # fails before Ray starts
    arrays = cap_validation(arrays, space.probe_max_val, space.seed)
    spool_dir = root / f"{name}-mlflow"
    if not resume:
        root.mkdir(parents=True, exist_ok=True)
        state["parent_run_id"] = start_parent(base, name, space_path, spool_dir)
        state_path.write_text(json.dumps(state, indent=2), encoding="utf-8")
    git = git_state()
    setup = TrialSetup(
        base=base,
        arrays=arrays,
        probe=space.probe,
        probe_max_train=space.probe_max_train,
        eval_every=space.eval_every,
        parent_run_id=state["parent_run_id"],
        sweep=name,
        tags={"tscl.git.commit": git["commit"], "tscl.git.dirty": git["dirty"]},
    )
    result = SweepResult(
        name=name,
        path=root / name,
        parent_run_id=state["parent_run_id"],
        metric=space.metric,
    )
    parent = OpenRun(state["tracking_uri"], result.parent_run_id, spool_dir)
    total = space.num_samples * math.prod(
        len(spec["grid"])
        for spec in space.space.values()
        if isinstance(spec, dict) and "grid" in spec
    )
    cpus = os.cpu_count() or 1
    concurrent = max(1, int(cpus // space.resources.get("cpu", 1.0)))
    max_steps = base.train.max_steps  # 0: the recipe's default for the data
    print(plan_line(name, total, max_steps, min(total, concurrent), str(space_path)))
    progress = SweepProgress(name, total, max_steps, space.metric, space.mode)
    with ray_session(num_cpus=cpus), parent:
        _tune(setup, space, base, result, parent, resume, [*callbacks, progress])
    print(
        f"sweep {name}: {'complete' if result.complete else 'incomplete'}; "
        + (
            f"best {space.metric} {result.best_value:.4f} (trial {result.best_trial_id}); "
            if result.best_value is not None
            else ""
        )
        + f"parent MLflow run {result.parent_run_id} in {state['tracking_uri']}"
    )
    return result


def _tune(
    setup: TrialSetup,
    space: SweepSpace,
    base: RunConfig,
    result: SweepResult,
    parent: OpenRun,
    resume: bool,
    callbacks: Sequence[Any],
) -> None:
    """Fits the tuner, then sets the runs' statuses and logs the best trial."""
    from ray import tune

    restore = resume and tune.Tuner.can_restore(str(result.path))
    build_tuner(setup, space, result.path, restore=restore, callbacks=callbacks).fit()
    # The saved state has the statuses of before Tune cleaned up its trials.
    analysis = tune.ExperimentAnalysis(str(result.path))
    result.statuses = {trial.trial_id: trial.status for trial in analysis.trials}
    planned = base.train.max_steps
    early = {
        trial.trial_id
        for trial in analysis.trials
        if trial.status == "TERMINATED" and stopped_early(trial, planned)
    }
    close_children(parent.client, result.parent_run_id, result.statuses, early)
    parent.log_metrics(
        {
            "trials_finished": float(len(set(result.statuses) - early)),
            "trials_stopped_early": float(len(early)),
            "trials_failed": float(sum(s == "ERROR" for s in result.statuses.values())),
        }
    )
    statuses = set(result.statuses.values())
    result.complete = statuses == {"TERMINATED"}
    if result.complete:
        log_best(parent, space, base, analysis, result)
        parent.status = "FINISHED"
    else:
        left = statuses - {"TERMINATED", "ERROR"}
        parent.status = "KILLED" if left else "FAILED"
