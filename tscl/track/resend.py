"""Sends the records of a spool file to the tracking store once it answers again."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from mlflow.entities import Metric, Param, RunTag
from mlflow.tracking import MlflowClient
from mlflow.utils.validation import MAX_METRICS_PER_BATCH, MAX_PARAMS_TAGS_PER_BATCH

from tscl.track.spool import Spool, read_spool
from tscl.track.target import check_reachable, resolve_target

# Models need an active run and an input example; they stay in the spool
# (its "bundle" file can be logged again by hand).
KEPT_KINDS = frozenset({"model"})


def resend_unsent(spool_path: str | Path, uri: str = "") -> int:
    """Replays a spool file into its runs; what cannot be replayed stays in the file.

    Metrics, params and tags go in batches, then texts and files, then run
    statuses last (so a run is closed after its data arrived). The file is
    deleted when nothing is left in it.

    Args:
        spool_path: an ``unsent_mlflow_records.jsonl`` file.
        uri: tracking URI; "" resolves as for a run (``$MLFLOW_TRACKING_URI`` or local).

    Returns:
        The number of records sent.

    Raises:
        TsclError: when an http(s) server does not answer.
    """
    path = Path(spool_path)
    records = read_spool(path)
    target = resolve_target(uri)
    check_reachable(target.uri)
    client = MlflowClient(target.uri)
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        by_kind[record["kind"]].append(record)
    sent = _send_batches(client, by_kind)
    for record in by_kind["text"]:
        client.log_text(record["run_id"], record["text"], record["artifact_file"])
    for record in by_kind["artifact"]:
        client.log_artifact(
            record["run_id"], record["path"], record.get("artifact_path")
        )
    for record in by_kind["status"]:
        client.set_terminated(
            record["run_id"], record["status"], end_time=record.get("end_time")
        )
    sent += sum(len(by_kind[kind]) for kind in ("text", "artifact", "status"))
    kept = [record for record in records if record["kind"] in KEPT_KINDS]
    _rewrite(path, kept)
    return sent


def _send_batches(
    client: MlflowClient, by_kind: dict[str, list[dict[str, Any]]]
) -> int:
    """Metrics, params and tags, per run, in batches MLflow accepts."""
    sent = 0
    for run_id in {
        record["run_id"]
        for kind in ("metric", "param", "tag")
        for record in by_kind[kind]
    }:
        metrics = [
            Metric(r["key"], float(r["value"]), int(r["timestamp"]), int(r["step"]))
            for r in by_kind["metric"]
            if r["run_id"] == run_id
        ]
        params = [
            Param(r["key"], r["value"])
            for r in by_kind["param"]
            if r["run_id"] == run_id
        ]
        tags = [
            RunTag(r["key"], r["value"])
            for r in by_kind["tag"]
            if r["run_id"] == run_id
        ]
        for start in range(0, len(metrics), MAX_METRICS_PER_BATCH):
            client.log_batch(
                run_id,
                metrics=metrics[start : start + MAX_METRICS_PER_BATCH],
                synchronous=True,
            )
        for items, name in ((params, "params"), (tags, "tags")):
            for start in range(0, len(items), MAX_PARAMS_TAGS_PER_BATCH):
                client.log_batch(
                    run_id,
                    **{name: items[start : start + MAX_PARAMS_TAGS_PER_BATCH]},
                    synchronous=True,
                )
        sent += len(metrics) + len(params) + len(tags)
    return sent


def _rewrite(path: Path, kept: list[dict[str, Any]]) -> None:
    if not kept:
        path.unlink()
        return
    temporary = path.with_suffix(".tmp")
    Spool(temporary).add(kept)
    temporary.replace(path)
