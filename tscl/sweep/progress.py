"""What a running sweep prints: its plan at the start, then a live line of trials and the best score.

``SweepProgress`` is a Tune callback run by the driver process. It prints a line
when a trial finishes, stops early or fails, and otherwise at least every
``interval_s`` seconds (so a sweep under nohup or in a CI log is never silent
for long): trials finished / running / stopped early /
failed, the best trial by its latest validation score (the one the sweep
would choose if it ended now), elapsed and estimated remaining time.
"""

from __future__ import annotations

import math
import sys
import time
from typing import Any

from ray.tune import Callback

PROGRESS_INTERVAL_S = 20.0


def _minutes(seconds: float) -> str:
    return "?" if not math.isfinite(seconds) else f"{seconds / 60:.1f} min"


class SweepProgress(Callback):
    """Live sweep progress on stdout.

    Args:
        name: the sweep's name.
        total: trials the sweep will run.
        max_steps: training steps of a trial that is not stopped early.
        metric, mode: the score trials are ranked by.
        interval_s: longest silence while results arrive.
    """

    def __init__(
        self,
        name: str,
        total: int,
        max_steps: int,
        metric: str,
        mode: str,
        interval_s: float = PROGRESS_INTERVAL_S,
    ) -> None:
        self.name, self.total, self.max_steps = name, total, max_steps
        self.metric, self.mode, self.interval_s = metric, mode, interval_s
        self.reset()

    def reset(self) -> None:
        self.started = self.last_line = time.monotonic()
        self.running: set[str] = set()
        self.finished: set[str] = set()
        self.stopped: set[str] = set()
        self.failed: set[str] = set()
        self.latest: dict[str, float] = {}  # each trial's last reported score

    def __getstate__(self) -> dict[str, Any]:
        # Tune stores its callbacks with the experiment: keep only the settings.
        keys = ("name", "total", "max_steps", "metric", "mode", "interval_s")
        return {k: self.__dict__[k] for k in keys}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.reset()

    @property
    def best(self) -> tuple[float, str] | None:
        """(score, trial) of the best trial by its latest score: what the sweep's
        final selection (Tune's ``scope="last"``) will choose if it ended now."""
        if not self.latest:
            return None
        pick = max if self.mode == "max" else min
        trial_id = pick(self.latest, key=self.latest.__getitem__)
        return self.latest[trial_id], trial_id

    def line(self) -> str:
        elapsed = time.monotonic() - self.started
        done = len(self.finished) + len(self.stopped) + len(self.failed)
        remaining = elapsed / done * (self.total - done) if done else float("nan")
        best = (
            f"best {self.metric} {self.best[0]:.4f} (trial {self.best[1]})"
            if self.best
            else f"no {self.metric} yet"
        )
        return (
            f"sweep {self.name}: {len(self.finished)} finished, {len(self.running)} running, "
            f"{len(self.stopped)} stopped early, {len(self.failed)} failed of {self.total}; "
            f"{best}; elapsed {_minutes(elapsed)}, remaining ~{_minutes(remaining)}"
        )

    def say(self) -> None:
        self.last_line = time.monotonic()
        print(self.line(), file=sys.stdout, flush=True)

    def on_step_end(self, iteration: int, trials: list, **info: Any) -> None:
        # Tune's loop turns several times a second: a line even while no trial reports.
        if time.monotonic() - self.last_line >= self.interval_s:
            self.say()

    def on_trial_start(
        self, iteration: int, trials: list, trial: Any, **info: Any
    ) -> None:
        self.running.add(trial.trial_id)

    def on_trial_result(
        self, iteration: int, trials: list, trial: Any, result: dict, **info: Any
    ) -> None:
        self.running.add(trial.trial_id)
        value = result.get(self.metric)
        if isinstance(value, (int, float)) and math.isfinite(value):
            self.latest[trial.trial_id] = float(value)
        if time.monotonic() - self.last_line >= self.interval_s:
            self.say()

    def on_trial_complete(
        self, iteration: int, trials: list, trial: Any, **info: Any
    ) -> None:
        self.running.discard(trial.trial_id)
        early = stopped_early(trial, self.max_steps)
        (self.stopped if early else self.finished).add(trial.trial_id)
        self.say()

    def on_trial_error(
        self, iteration: int, trials: list, trial: Any, **info: Any
    ) -> None:
        self.running.discard(trial.trial_id)
        self.failed.add(trial.trial_id)
        self.say()


def stopped_early(trial: Any, max_steps: int) -> bool:
    """Whether a finished trial ended before its last step (the scheduler stopped it)."""
    planned = int((trial.config or {}).get("train.max_steps", max_steps) or 0)
    step = (trial.last_result or {}).get("step")
    return planned > 0 and step is not None and int(step) < planned


def plan_line(
    name: str, total: int, max_steps: int, concurrent: int, space: str
) -> str:
    """The line a sweep prints before its first trial."""
    steps = f"up to {max_steps} steps" if max_steps else "the recipe's default steps"
    return (
        f"sweep {name}: {total} trials from {space}, {steps} each, "
        f"{concurrent} at a time; a progress line follows every trial and at least every "
        f"{PROGRESS_INTERVAL_S:.0f} s"
    )
