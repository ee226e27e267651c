"""The model registry: register a logged encoder, point an alias at a version, load by alias.

Aliases are how a version is promoted: ``set_alias("ecg-encoder", "champion", 2)``
moves ``models:/ecg-encoder@champion`` from whatever version it named to v2.
Every function takes ``uri`` ("" = ``$MLFLOW_TRACKING_URI`` or the local store).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import mlflow
from mlflow.entities import Run
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from tscl.bundle import EncoderBundle
from tscl.errors import ConfigError, TsclError
from tscl.track.model import (
    MODEL_URI_TAG,
    LoadedEncoder,
    load_encoder_model,
    load_model_bundle,
)
from tscl.track.store import prepare_store
from tscl.track.target import check_reachable, resolve_target

SEARCH_PAGE = 1000


def connect(uri: str = "") -> MlflowClient:
    """A client for the resolved tracking URI, also made MLflow's current tracking URI."""
    target = resolve_target(uri)
    check_reachable(target.uri)
    prepare_store(target.uri)
    mlflow.set_tracking_uri(target.uri)
    return MlflowClient(target.uri)


def model_uri_of(client: MlflowClient, model_uri_or_run_id: str) -> str:
    """A model URI as given, or the encoder model logged by a run id."""
    if ":" in model_uri_or_run_id:
        return model_uri_or_run_id
    try:
        run = client.get_run(model_uri_or_run_id)
    except MlflowException as err:
        raise TsclError(
            f"run '{model_uri_or_run_id}' was not found in {client.tracking_uri}"
        ) from err
    logged = run.data.tags.get(MODEL_URI_TAG)
    if not logged:
        raise TsclError(
            f"run '{model_uri_or_run_id}' has no logged encoder (no tag {MODEL_URI_TAG})"
        )
    return logged


def register(
    model_uri_or_run_id: str,
    name: str,
    alias: str | None = "champion",
    *,
    uri: str = "",
    selection: str = "",
) -> int:
    """Registers a logged encoder as a new version of ``name`` and points ``alias`` at it.

    The version's description and tags say which run it came from (method,
    data set) and, when given, how it was selected; a new registered model gets
    a description of what it holds.

    Args:
        model_uri_or_run_id: a model URI (``models:/m-...``, ``runs:/<id>/model``)
            or the id of a run that logged an encoder.
        alias: alias to move to the new version; None leaves aliases alone.
        selection: how the version was chosen, e.g. "best val_macro_f1 = 0.41
            of 3 runs in experiment tscl".

    Returns:
        The new version number.
    """
    client = connect(uri)
    model_uri = model_uri_of(client, model_uri_or_run_id)
    version = mlflow.register_model(model_uri, name)
    run_id = getattr(version, "run_id", None) or ""
    tags = client.get_run(run_id).data.tags if run_id else {}
    method, dataset = tags.get("tscl.method", "?"), tags.get("tscl.dataset", "?")
    chosen = selection or "registered by hand"
    client.update_model_version(
        name,
        version.version,
        description=f"tscl {method} encoder pretrained on {dataset}, run {run_id}; {chosen}.",
    )
    for key, value in {
        "tscl.method": method,
        "tscl.dataset": dataset,
        "tscl.run_id": run_id,
        "tscl.selection": chosen,
    }.items():
        client.set_model_version_tag(name, version.version, key, value)
    if not client.get_registered_model(name).description:
        client.update_registered_model(
            name,
            description=(
                f"tscl encoders ({method} on {dataset} first). Each version's description "
                "names its run and how it was selected; load one with models:/"
                f"{name}@<alias> (`tscl embed --model models:/{name}@champion ...`)."
            ),
        )
    if alias:
        client.set_registered_model_alias(name, alias, version.version)
    return int(version.version)


def set_alias(name: str, alias: str, version: int | str, *, uri: str = "") -> None:
    """Points ``models:/<name>@<alias>`` at ``version`` (promotes it)."""
    client = connect(uri)
    try:
        client.set_registered_model_alias(name, alias, str(version))
    except MlflowException as err:
        raise TsclError(
            f"registered model '{name}': cannot set alias '{alias}' to version {version}: "
            f"{' '.join(err.message.split())[:200]}"
        ) from err


def param_filter(where: Mapping[str, str]) -> str:
    """``{"dataset": "mitdb"}`` -> `` and params.`dataset` = 'mitdb'`` (MLflow search syntax)."""
    clauses = []
    for key, value in where.items():
        if "`" in key or "'" in str(value):
            raise ConfigError(f"--where {key}={value}: quotes are not allowed")
        clauses.append(f" and params.`{key}` = '{value}'")
    return "".join(clauses)


def candidate_runs(
    client: MlflowClient,
    experiment_id: str,
    metric: str,
    where: Mapping[str, str] | None = None,
) -> list[Run]:
    """FINISHED runs of an experiment with a logged encoder, a finite ``metric`` and the ``where`` params."""
    candidates: list[Run] = []
    token = None
    while True:
        page = client.search_runs(
            [experiment_id],
            filter_string="attributes.status = 'FINISHED'" + param_filter(where or {}),
            max_results=SEARCH_PAGE,
            page_token=token,
        )
        candidates += [
            run
            for run in page
            if MODEL_URI_TAG in run.data.tags
            and math.isfinite(run.data.metrics.get(metric, math.nan))
        ]
        token = page.token
        if not token:
            return candidates


def best_run(
    client: MlflowClient,
    experiment: str,
    metric: str,
    mode: str = "max",
    where: Mapping[str, str] | None = None,
) -> Run:
    """The FINISHED run with a logged encoder and the best value of ``metric``.

    Ties go to the most recent run (MLflow lists newest first).

    Raises:
        ConfigError: if ``mode`` is not max or min.
        TsclError: if the experiment is missing or no run qualifies.
    """
    if mode not in ("max", "min"):
        raise ConfigError(f"mode: '{mode}' is not one of max, min")
    found = client.get_experiment_by_name(experiment)
    if found is None:
        raise TsclError(
            f"experiment '{experiment}' was not found in {client.tracking_uri}"
        )
    candidates = candidate_runs(client, found.experiment_id, metric, where)
    if not candidates:
        wanted = "".join(f", {k}={v}" for k, v in (where or {}).items())
        raise TsclError(
            f"experiment '{experiment}': no FINISHED run has a logged encoder and "
            f"metric '{metric}'{wanted}"
        )
    sign = 1.0 if mode == "max" else -1.0
    return max(candidates, key=lambda run: sign * run.data.metrics[metric])


def register_best(
    experiment: str,
    metric: str,
    name: str,
    alias: str = "champion",
    mode: str = "max",
    *,
    uri: str = "",
    where: Mapping[str, str] | None = None,
) -> int:
    """Registers the encoder of the best FINISHED run (by ``metric``) and moves ``alias`` to it.

    ``where`` keeps only runs whose params equal the given values (e.g. the data set).

    Returns:
        The new version number.
    """
    client = connect(uri)
    run = best_run(client, experiment, metric, mode, where)
    found = client.get_experiment_by_name(experiment)
    count = (
        len(candidate_runs(client, found.experiment_id, metric, where)) if found else 1
    )
    selection = (
        f"selected as the {'highest' if mode == 'max' else 'lowest'} {metric} = "
        f"{run.data.metrics[metric]:.4g} of {count} runs in experiment '{experiment}'"
    )
    return register(
        run.data.tags[MODEL_URI_TAG], name, alias, uri=uri, selection=selection
    )


def load_bundle_of(model_uri: str, *, uri: str = "") -> EncoderBundle:
    """The encoder bundle of a logged or registered model, read as data (nothing from the store runs).

    What ``tscl embed`` uses: unlike ``load_encoder`` (MLflow's pyfunc loading,
    which runs the model's entry file), only the weights file is read, with
    ``weights_only=True``.
    """
    connect(uri)
    try:
        return load_model_bundle(model_uri)
    except MlflowException as err:
        raise TsclError(
            f"cannot load model {model_uri}: {' '.join(err.message.split())[:200]}"
        ) from err


def load_encoder(model_uri: str, *, uri: str = "") -> LoadedEncoder:
    """Loads an encoder model, e.g. ``models:/ecg-encoder@champion``.

    Returns:
        A callable mapping (N, T) / (N, T, C) float32 series to (N, D) embeddings.
    """
    connect(uri)
    try:
        return load_encoder_model(model_uri)
    except MlflowException as err:
        raise TsclError(
            f"cannot load model {model_uri}: {' '.join(err.message.split())[:200]}"
        ) from err
