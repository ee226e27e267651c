"""``RunLogger``: sends params, tags, metrics and files to one MLflow run, or keeps them.

Logging never stops training. When a call fails, the records are appended to
the run's spool file instead; when the failure is a tracking server that no
longer answers, the logger stops calling it (no more retry delays) and spools
everything that follows.
"""

from __future__ import annotations

import json
import tempfile
import time
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from mlflow.entities import Metric, Param, RunTag
from mlflow.tracking import MlflowClient
from mlflow.utils.validation import (
    MAX_METRICS_PER_BATCH,
    MAX_PARAM_VAL_LENGTH,
    MAX_PARAMS_TAGS_PER_BATCH,
    MAX_TAG_VAL_LENGTH,
)

from tscl.errors import TsclError
from tscl.track.spool import Spool, TrackingWarning
from tscl.track.target import TrackingTarget, check_reachable

FLUSH_EVERY = 20  # logged steps per batch request
Records = Callable[[], list[dict[str, Any]]]


def param_value(value: Any) -> str:
    """A param as text (lists/dicts as JSON), cut to MLflow's length limit."""
    text = json.dumps(value) if isinstance(value, (list, tuple, dict)) else str(value)
    if len(text) > MAX_PARAM_VAL_LENGTH:
        text = text[: MAX_PARAM_VAL_LENGTH - 3] + "..."
    return text


def numeric_metrics(metrics: Mapping[str, Any], prefix: str = "") -> dict[str, float]:
    """The numbers of a (nested) metrics dict, keys joined with dots; others dropped."""
    flat: dict[str, float] = {}
    for key, value in metrics.items():
        if isinstance(value, Mapping):
            flat.update(numeric_metrics(value, f"{prefix}{key}."))
        elif isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
            flat[f"{prefix}{key}"] = float(value)
    return flat


def now_ms() -> int:
    return int(time.time() * 1000)


class RunLogger:
    """Logs into an open run; every method is a no-op while ``run_id`` is None.

    Subclasses open the run and set ``client``, ``run_id``, ``target`` and
    ``spool``.
    """

    client: MlflowClient
    run_dir: Path | None = None

    def __init__(self, flush_every: int = FLUSH_EVERY) -> None:
        self.flush_every = max(1, flush_every)
        self.run_id: str | None = None
        self.target: TrackingTarget | None = None
        self.spool: Spool | None = None
        self.offline = False
        self._buffer: list[Metric] = []
        self._pending_steps = 0
        self.skip_through = 0  # a continued run: steps up to here are logged already

    @property
    def unsent(self) -> int:
        """How many records could not be sent (they are in ``spool_path``)."""
        return 0 if self.spool is None else self.spool.count

    @property
    def spool_path(self) -> Path | None:
        return None if self.spool is None else self.spool.path

    def _send(self, action: Callable[[], Any], records: Records) -> bool:
        """Runs ``action``; on failure (or once offline) spools ``records()`` instead."""
        if self.run_id is None:
            return False
        if not self.offline:
            try:
                action()
                return True
            except Exception as err:  # never let tracking stop training
                self._note_failure(err)
        self._keep(records())
        return False

    def _keep(self, records: list[dict[str, Any]]) -> None:
        assert self.spool is not None
        self.spool.add({"run_id": self.run_id, **record} for record in records)

    def _note_failure(self, err: Exception) -> None:
        """Goes offline if the server stopped answering; warns either way."""
        if self.offline:
            return
        reason = f"{type(err).__name__}: {' '.join(str(err).split())[:200]}"
        if self.target is not None and self.target.is_remote:
            try:
                check_reachable(self.target.uri)
            except TsclError:
                self.offline = True
                message = (
                    f"tracking server {self.target.uri} stopped answering ({reason})"
                )
                warnings.warn(
                    f"{message}; records go to {self.spool_path}",
                    TrackingWarning,
                    stacklevel=4,
                )
                return
        warnings.warn(
            f"MLflow did not accept records ({reason}); kept in {self.spool_path}",
            TrackingWarning,
            stacklevel=4,
        )

    def log_params(self, params: Mapping[str, Any]) -> None:
        """Logs params (values as text, cut to MLflow's limit) in batches of 100."""
        items = [Param(str(key), param_value(value)) for key, value in params.items()]
        for start in range(0, len(items), MAX_PARAMS_TAGS_PER_BATCH):
            chunk = items[start : start + MAX_PARAMS_TAGS_PER_BATCH]
            self._send(
                lambda chunk=chunk: self.client.log_batch(
                    self.run_id, params=chunk, synchronous=True
                ),
                lambda chunk=chunk: [
                    {"kind": "param", "key": p.key, "value": p.value} for p in chunk
                ],
            )

    def log_tags(self, tags: Mapping[str, Any]) -> None:
        """Logs tags (values as text, cut to MLflow's limit)."""
        items = [
            RunTag(str(key), str(value)[:MAX_TAG_VAL_LENGTH])
            for key, value in tags.items()
        ]
        for start in range(0, len(items), MAX_PARAMS_TAGS_PER_BATCH):
            chunk = items[start : start + MAX_PARAMS_TAGS_PER_BATCH]
            self._send(
                lambda chunk=chunk: self.client.log_batch(
                    self.run_id, tags=chunk, synchronous=True
                ),
                lambda chunk=chunk: [
                    {"kind": "tag", "key": t.key, "value": t.value} for t in chunk
                ],
            )

    def log_step(self, step: int, metrics: Mapping[str, Any]) -> None:
        """Buffers one training step's metrics; sends every ``flush_every`` steps.

        Has the training-callback signature ``(step, metrics)``. Steps up to
        ``skip_through`` (a resumed run's already logged ones) are not sent again.
        """
        if step <= self.skip_through:
            return
        timestamp = now_ms()
        values = numeric_metrics(metrics).items()
        self._buffer += [
            Metric(key, value, timestamp, int(step)) for key, value in values
        ]
        self._pending_steps += 1
        if self._pending_steps >= self.flush_every:
            self.flush()

    def log_metrics(self, metrics: Mapping[str, Any], step: int | None = None) -> None:
        """Logs the numbers of a (nested) metrics dict now, at ``step`` (default 0)."""
        timestamp = now_ms()
        values = numeric_metrics(metrics).items()
        self._buffer += [
            Metric(key, value, timestamp, step or 0) for key, value in values
        ]
        self.flush()

    def flush(self) -> None:
        """Sends the buffered metrics, in batches of at most 1000."""
        batch, self._buffer, self._pending_steps = self._buffer, [], 0
        for start in range(0, len(batch), MAX_METRICS_PER_BATCH):
            chunk = batch[start : start + MAX_METRICS_PER_BATCH]
            self._send(
                lambda chunk=chunk: self.client.log_batch(
                    self.run_id, metrics=chunk, synchronous=True
                ),
                lambda chunk=chunk: [
                    {
                        "kind": "metric",
                        "key": m.key,
                        "value": m.value,
                        "step": m.step,
                        "timestamp": m.timestamp,
                    }
                    for m in chunk
                ],
            )

    def log_text(self, text: str, artifact_file: str) -> None:
        """Logs ``text`` as the artifact ``artifact_file``."""
        self._send(
            lambda: self.client.log_text(self.run_id, text, artifact_file),
            lambda: [{"kind": "text", "artifact_file": artifact_file, "text": text}],
        )

    def log_file(self, path: str | Path, artifact_path: str | None = None) -> None:
        """Logs a local file as an artifact (a copy is kept with the spool if unsent)."""

        def records() -> list[dict[str, Any]]:
            assert self.spool is not None
            kept = self.spool.keep_file(path)
            return [
                {"kind": "artifact", "path": str(kept), "artifact_path": artifact_path}
            ]

        self._send(
            lambda: self.client.log_artifact(self.run_id, str(path), artifact_path),
            records,
        )

    def log_figure(self, figure: Figure, name: str) -> None:
        """Saves ``figure`` as ``<name>.png`` (in ``run_dir/figures`` if set) and logs it under figures/."""
        if self.run_id is None:
            return
        with tempfile.TemporaryDirectory() as folder:
            parent = (
                self.run_dir / "figures" if self.run_dir is not None else Path(folder)
            )
            parent.mkdir(parents=True, exist_ok=True)
            figure.savefig(parent / f"{name}.png", format="png")
            self.log_file(parent / f"{name}.png", "figures")
