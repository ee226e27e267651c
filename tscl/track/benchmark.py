"""One MLflow run per benchmark suite: its settings, headline figures and result file.

``make bench`` records every suite it runs in a local store (by default
``sqlite:///<repo>/benchmarks/results/mlflow.db``, artifacts beside it), so
figures from different commits and machines can be compared in the MLflow UI.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlflow.tracking import MlflowClient

from tscl.track.logger import numeric_metrics, param_value
from tscl.track.target import resolve_target

BENCHMARK_EXPERIMENT = "tscl-benchmarks"


def log_benchmark_run(
    *,
    uri: str,
    suite: str,
    status: str,
    params: Mapping[str, Any],
    metrics: Mapping[str, Any],
    tags: Mapping[str, str],
    result_file: str | Path,
    experiment: str = BENCHMARK_EXPERIMENT,
) -> str:
    """Logs one finished (or failed / skipped) suite as a run; returns its run id.

    Args:
        uri: tracking URI (a ``sqlite:///`` file keeps artifacts beside it).
        status: "finished", "failed" or "skipped" (failed ends the run FAILED).
        params: the suite's settings (lists and dicts are logged as JSON).
        metrics: the suite's numeric headline figures (non-numbers dropped).
        result_file: the suite's JSON result, logged as an artifact.
    """
    target = resolve_target(uri)
    client = MlflowClient(target.uri)
    found = client.get_experiment_by_name(experiment)
    experiment_id = (
        found.experiment_id
        if found is not None
        else client.create_experiment(
            experiment, artifact_location=target.artifact_location(experiment)
        )
    )
    run = client.create_run(
        experiment_id,
        run_name=suite,
        tags={"tscl.kind": "benchmark", "tscl.suite": suite, **tags},
    )
    run_id = run.info.run_id
    for key, value in params.items():
        client.log_param(run_id, key, param_value(value))
    for key, value in numeric_metrics(metrics).items():
        client.log_metric(run_id, key, value)
    client.log_artifact(run_id, str(result_file))
    client.set_terminated(run_id, "FAILED" if status == "failed" else "FINISHED")
    return str(run_id)
