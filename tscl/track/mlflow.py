"""``RunTracker``: one MLflow run around a pretraining, an evaluation or a sweep trial.

On enter the tracker checks that the tracking store answers, creates or finds
the experiment, starts the run, and logs the flattened config as params, the
YAML as ``config.yaml`` and the git commit as tags. ``log_data_source`` adds
the data files' hashes (tags + ``data_files.json``); ``log_encoder`` logs the
encoder as a pyfunc model with ``model_card.md``. Records that cannot be sent
are kept in ``<run_dir>/unsent_mlflow_records.jsonl`` and the run ends with a
one-line warning naming how many and where (see ``tscl.track.logger``).

Typical use (what the CLI does)::

    with RunTracker(config, run_dir=run_dir) as tracker:
        arrays = load_arrays(config)
        tracker.log_data_source(arrays.source)
        out = pretrain(config, run_dir=run_dir, arrays=arrays, callbacks=[tracker.log_step])
        metrics = evaluate(out.bundle, arrays)
        tracker.log_metrics(metrics)
        tracker.log_encoder(out.bundle, arrays.test_x, metrics, bundle_path=out.bundle_path)
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

import mlflow
import numpy as np
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from tscl.bundle import EncoderBundle, save_bundle
from tscl.config import RunConfig, flatten, to_yaml
from tscl.errors import TsclError
from tscl.track.card import render_model_card
from tscl.track.logger import FLUSH_EVERY, RunLogger, now_ms, numeric_metrics
from tscl.track.model import MODEL_URI_TAG, embedding_size, log_encoder_model
from tscl.track.provenance import DataFingerprint, data_fingerprint, git_state
from tscl.track.run_record import last_logged_step, settle_recorded_run, write_record
from tscl.track.spool import SPOOL_NAME, Spool, TrackingWarning
from tscl.track.store import prepare_store
from tscl.track.target import check_reachable, resolve_target

__all__ = ["MODEL_URI_TAG", "RunTracker"]

# A dead server must not stall training for MLflow's default ~4 min of retries.
# Applied with setdefault, so the user's own settings win.
REMOTE_HTTP_DEFAULTS = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "2",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "30",
}


@contextmanager
def single_attempt(enabled: bool) -> Iterator[None]:
    """No HTTP retries inside the block (when ``enabled``): for a server known to be down."""
    if not enabled:
        yield
        return
    key = "MLFLOW_HTTP_REQUEST_MAX_RETRIES"
    previous = os.environ.get(key)
    os.environ[key] = "0"
    try:
        yield
    finally:
        if previous is None:
            del os.environ[key]
        else:
            os.environ[key] = previous


# MLflow keeps a dataset digest of at most 36 characters.
DIGEST_LENGTH = 32


def command_line() -> str:
    """The command that started this process, as the run's description."""
    import shlex

    program = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    if program in ("__main__.py", "-c"):
        program = "tscl"  # python -m tscl
    words = [program, *sys.argv[1:]]
    return "Started by `" + " ".join(shlex.quote(word) for word in words) + "`"


def run_environment_tags(config: RunConfig) -> dict[str, str]:
    """What a run was made with: tscl, torch, the device, git of tscl's own checkout."""
    import platform

    import torch

    from tscl import __version__
    from tscl.train.device import resolve_device

    git = git_state(
        Path(__file__).resolve().parent
    )  # the package's checkout, not the cwd
    return {
        "tscl.git.commit": git["commit"],
        "tscl.git.dirty": git["dirty"],
        "tscl.method": config.method,
        "tscl.dataset": config.dataset,
        "tscl.domain": config.domain or "",
        "tscl.version": __version__,
        "torch.version": torch.__version__,
        "tscl.device": str(resolve_device(config.train.device)),
        "python.version": platform.python_version(),
    }


def dataset_source(dataset: str) -> Any:
    """Where a data set's files are, as an MLflow dataset source."""
    from mlflow.data.dataset_source_registry import resolve_dataset_source

    from tscl.data.dataset_ref import as_path

    path = as_path(dataset)
    if path is None:
        from tscl.data.fetch import cache_root

        path = cache_root() / dataset
    with (
        warnings.catch_warnings()
    ):  # MLflow registers its local source twice and says so
        warnings.simplefilter("ignore", UserWarning)
        return resolve_dataset_source(Path(path).resolve().as_uri())


class RunTracker(RunLogger):
    """Context manager around one MLflow run; a no-op when ``tracking.enabled`` is false.

    Args:
        config: the run's config (``tracking`` says where and which experiment).
        run_name: MLflow run name.
        parent_run_id: make this a child run (sweep trials).
        nested: allow starting while another run is active in this process.
        tags: extra run tags.
        run_dir: the run's local folder, for the spool file and figures.
            Default ``<output_dir>/mlflow-<run id>`` (created only when needed).
        source: the data set's ``{"dataset": name, "files": {path: sha256}}``
            when already known (else call ``log_data_source`` later).
        flush_every: logged steps buffered before one batch request.
        record: a pretraining's run: recorded in ``run_dir`` (``mlflow_run.json``);
            a recorded run a dead process left RUNNING is marked (``tscl.track.run_record``).
        resume: with ``record``, continue the recorded run (same id, steps
            after the last logged one) instead of starting a new one.

    Raises:
        TsclError: on enter, when an http(s) tracking server does not answer.
    """

    def __init__(
        self,
        config: RunConfig,
        *,
        run_name: str | None = None,
        parent_run_id: str | None = None,
        nested: bool = False,
        tags: Mapping[str, str] | None = None,
        run_dir: str | Path | None = None,
        source: Mapping[str, Any] | None = None,
        flush_every: int = FLUSH_EVERY,
        record: bool = False,
        resume: bool = False,
    ) -> None:
        super().__init__(flush_every)
        self.config = config
        self.enabled = config.tracking.enabled
        self.run_name, self.parent_run_id, self.nested = run_name, parent_run_id, nested
        self.extra_tags = dict(tags or {})
        self.run_dir = Path(run_dir) if run_dir is not None else None
        self.model_uri: str | None = None
        self.fingerprint: DataFingerprint | None = None
        self._source = source
        self.record, self.resume = record and run_dir is not None, resume

    @property
    def local_dir(self) -> Path:
        if self.run_dir is not None:
            return self.run_dir
        return Path(self.config.output_dir) / f"mlflow-{self.run_id}"

    def __enter__(self) -> RunTracker:
        if not self.enabled:
            return self
        self.target = resolve_target(self.config.tracking.uri)
        check_reachable(self.target.uri)
        if self.target.is_remote:
            for key, value in REMOTE_HTTP_DEFAULTS.items():
                os.environ.setdefault(key, value)
        prepare_store(self.target.uri)
        mlflow.set_tracking_uri(self.target.uri)
        self.client = MlflowClient(self.target.uri)
        tags = {**run_environment_tags(self.config), **self.extra_tags}
        logged = self._start_run(tags)
        # A resumed run's params stay those it started with; changes are tagged by the caller.
        params = flatten(self.config)
        self.log_params({k: v for k, v in params.items() if k not in logged})
        self.log_text(to_yaml(self.config), "config.yaml")
        if self._source is not None:
            self.log_data_source(self._source)
        return self

    def _start_run(self, tags: Mapping[str, str]) -> Mapping[str, str]:
        """Starts a new run, or continues the run folder's recorded one; returns its logged params."""
        assert self.target is not None
        continued = None
        if self.record:
            assert self.run_dir is not None
            continued = settle_recorded_run(
                self.client, self.run_dir, self.target.uri, resume=self.resume
            )
        logged: Mapping[str, str] = {}
        if continued is None:
            run = mlflow.start_run(
                experiment_id=self._experiment_id(),
                run_name=self.run_name,
                nested=self.nested,
                parent_run_id=self.parent_run_id,
                tags=tags,
                description=command_line(),
                log_system_metrics=self.config.tracking.system_metrics,
            )
        else:  # the same run goes on: RUNNING again, steps after its last one
            run = mlflow.start_run(run_id=continued, nested=self.nested)
            logged = self.client.get_run(continued).data.params
            self.skip_through = last_logged_step(self.client, continued)
        self.run_id = run.info.run_id
        if self.record:
            assert self.run_dir is not None
            write_record(self.run_dir, self.run_id, self.target.uri)
        self.spool = Spool(self.local_dir / SPOOL_NAME)
        if continued is not None:
            self.log_tags(tags)
        return logged

    def _experiment_id(self) -> str:
        """The configured experiment's id; created with an explicit artifact location if new."""
        assert self.target is not None
        name = self.config.tracking.experiment
        found = self.client.get_experiment_by_name(name)
        if found is None:
            try:
                return self.client.create_experiment(
                    name, artifact_location=self.target.artifact_location(name)
                )
            except MlflowException:  # created meanwhile by another process
                found = self.client.get_experiment_by_name(name)
                if found is None:
                    raise
        if found.lifecycle_stage == "deleted":
            raise TsclError(
                f"tracking.experiment '{name}' is deleted in {self.target.uri}: "
                "restore it or pick another name"
            )
        return str(found.experiment_id)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Flushes, ends the run FINISHED (FAILED on an exception, which propagates), warns if records were kept."""
        if self.run_id is None:
            return
        self.flush()
        status = "FINISHED" if exc_type is None else "FAILED"
        try:  # end_run forgets the active run before it calls the store
            with single_attempt(self.offline):
                mlflow.end_run(status)
        except Exception as err:
            self._note_failure(err)
            self._keep([{"kind": "status", "status": status, "end_time": now_ms()}])
        if self.unsent:
            uri = self.target.uri if self.target is not None else ""
            warnings.warn(
                f"{self.unsent} MLflow records of run {self.run_id} were not sent to {uri}; "
                f"they are kept in {self.spool_path} (tscl.track.resend_unsent sends them)",
                TrackingWarning,
                stacklevel=2,
            )

    def log_data_source(self, source: Mapping[str, Any]) -> DataFingerprint:
        """Logs the data card name and file hashes: tags and ``data_files.json``."""
        self.fingerprint = data_fingerprint(source)
        self.log_tags(
            {
                "tscl.data.name": self.fingerprint.dataset,
                "tscl.data.digest": self.fingerprint.digest,
                "tscl.data.files": len(self.fingerprint.files),
            }
        )
        self.log_text(
            json.dumps(self.fingerprint.as_dict(), indent=2), "data_files.json"
        )
        return self.fingerprint

    def log_inputs(self, splits: Mapping[str, int]) -> None:
        """The data set as MLflow inputs, one per split (context = split, rows as a tag)."""
        if self.run_id is None or self.fingerprint is None:
            return
        from mlflow.data.meta_dataset import MetaDataset

        source = dataset_source(self.config.dataset)
        for split, rows in splits.items():
            # One dataset per split: MLflow keeps one input per (name, digest).
            digest = hashlib.sha256(f"{self.fingerprint.digest}:{split}".encode())
            dataset = MetaDataset(
                source=source,
                name=f"{self.fingerprint.dataset}/{split}",
                digest=digest.hexdigest()[:DIGEST_LENGTH],
            )

            def send(
                dataset: MetaDataset = dataset, split: str = split, rows: int = rows
            ) -> None:
                mlflow.log_input(dataset, context=split, tags={"rows": str(rows)})

            self._send(send, [])

    def log_encoder(
        self,
        bundle: EncoderBundle,
        input_example: np.ndarray | None,
        metrics: Mapping[str, Any] | None = None,
        *,
        bundle_path: str | Path | None = None,
        registered_model_name: str | None = None,
        training_seconds: float | None = None,
    ) -> str | None:
        """Logs the encoder as a pyfunc model ("model") and ``model_card.md``.

        Args:
            input_example: (N, C, T) series; the first rows are stored as the example.
            metrics: evaluation metrics for the card (log them with ``log_metrics``).
            bundle_path: the saved bundle file; saved afresh if None.
            registered_model_name: also register the model under this name.

        Returns:
            The model URI (to register or load), or None if it could not be sent
            (then the bundle and card are kept with the spool).
        """
        if self.run_id is None:
            return None
        self.flush()
        if self.fingerprint is None:
            self.log_data_source(
                bundle.info.get("source") or {"dataset": bundle.config.dataset}
            )
        assert self.fingerprint is not None
        card = render_model_card(
            bundle,
            out_dim=embedding_size(bundle, input_example),
            fingerprint=self.fingerprint,
            metrics=numeric_metrics(metrics or {}),
            training_seconds=training_seconds,
        )
        self.log_text(card, "model_card.md")
        with tempfile.TemporaryDirectory() as folder:
            if bundle_path is None:
                bundle_path = save_bundle(Path(folder) / "encoder.pt", bundle)
            card_path = Path(folder) / "model_card.md"
            card_path.write_text(card, encoding="utf-8")
            self.model_uri = self._send_model(
                bundle,
                Path(bundle_path),
                card_path,
                input_example,
                registered_model_name,
            )
        if self.model_uri is not None:
            self.log_tags({MODEL_URI_TAG: self.model_uri})
        return self.model_uri

    def _send_model(
        self,
        bundle: EncoderBundle,
        bundle_path: Path,
        card_path: Path,
        input_example: np.ndarray | None,
        registered_model_name: str | None,
    ) -> str | None:
        """Logs the model; if that fails, keeps the bundle and card with the spool."""
        logged: list[str] = []

        def send() -> None:
            info = log_encoder_model(
                bundle,
                bundle_path,
                input_example,
                card_path=card_path,
                registered_model_name=registered_model_name,
            )
            logged.append(info.model_uri)

        def records() -> list[dict[str, Any]]:
            assert self.spool is not None
            return [
                {
                    "kind": "model",
                    "bundle": str(self.spool.keep_file(bundle_path)),
                    "card": str(self.spool.keep_file(card_path)),
                    "registered_model_name": registered_model_name,
                }
            ]

        return logged[0] if self._send(send, records) else None
