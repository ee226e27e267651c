"""The ``tscl`` command line.

Each command group is added by one ``add_<name>_command(subparsers)`` function
listed in ``COMMANDS``; it registers its parser and sets ``handler`` (a
function ``(args) -> int``) on it. ``main`` runs the handler and turns every
``TsclError`` into one line ``tscl: error: <message>`` on stderr, exit code 2.

Heavy imports happen inside the handlers so that ``tscl --help`` and
``tscl data list`` start fast.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from tscl import __version__
from tscl.errors import TsclError
from tscl.sweep import add_sweep_command

if TYPE_CHECKING:
    from typing import TypeAlias

    from tscl.config import RunConfig

    Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def _print_error(error: TsclError) -> None:
    """``tscl: error: <message>`` on stderr, always one line."""
    message = " ".join(str(error).split())
    print(f"tscl: error: {message}", file=sys.stderr)


def _data_list(args: argparse.Namespace) -> int:
    from tscl.data.info import catalog_table

    print(catalog_table(args.cache))
    return 0


def _data_info(args: argparse.Namespace) -> int:
    from tscl.data.info import describe

    print(describe(args.name, cache_dir=args.cache))
    return 0


def _data_fetch(args: argparse.Namespace) -> int:
    """Fetch each named data set; a failing one is reported and the rest go on."""
    from tscl.data.catalog import card_names, load_card
    from tscl.data.fetch import fetch

    if bool(args.names) == args.all:
        raise TsclError("tscl data fetch: give either data set names or --all")
    failed = 0
    for name in card_names() if args.all else args.names:
        try:
            card = load_card(name)
            directory = fetch(
                card.name,
                cache_dir=args.cache,
                mirror=args.mirror,
                base_url=args.base_url,
                force=args.force,
            )
        except TsclError as error:
            _print_error(error)
            failed += 1
            continue
        print(f"{card.name}: {len(card.files)} files verified in {directory}")
    return 2 if failed else 0


def add_data_command(subparsers: Subparsers) -> None:
    """``tscl data list | info NAME | fetch NAME... | --all``."""
    data = subparsers.add_parser("data", help="dataset catalog: list, info, fetch")
    commands = data.add_subparsers(
        dest="data_command", metavar="COMMAND", required=True
    )
    cache = argparse.ArgumentParser(add_help=False)
    cache.add_argument(
        "--cache",
        type=Path,
        default=None,
        metavar="DIR",
        help="cache root (default $TSCL_CACHE_DIR or ~/.cache/tscl/datasets)",
    )
    listing = commands.add_parser(
        "list", parents=[cache], help="every catalogued data set"
    )
    listing.set_defaults(handler=_data_list)
    info = commands.add_parser(
        "info", parents=[cache], help="what a fetched data set holds"
    )
    info.add_argument("name", help="data set name (see `tscl data list`)")
    info.set_defaults(handler=_data_info)
    fetch = commands.add_parser(
        "fetch", parents=[cache], help="download or copy data sets and verify sha256"
    )
    fetch.add_argument("names", nargs="*", metavar="NAME", help="data set names")
    fetch.add_argument("--all", action="store_true", help="every catalogued data set")
    source = fetch.add_mutually_exclusive_group()
    source.add_argument(
        "--mirror",
        type=Path,
        metavar="DIR",
        help="copy from a local mirror of the data tree",
    )
    source.add_argument(
        "--base-url", metavar="URL", help="download from a server holding the data tree"
    )
    fetch.add_argument(
        "--force", action="store_true", help="fetch verified files again"
    )
    fetch.set_defaults(handler=_data_fetch)


def _config_from(args: argparse.Namespace) -> RunConfig:
    """The resolved run config (domain defaults under the YAML and overrides), every setting checked.

    ``--resume`` without ``--config`` starts from the checkpoint's own config.
    """
    from tscl.domains import load_run_config
    from tscl.train.build import check_config

    if getattr(args, "resume", False) and args.config is None:
        from tscl.train.resume import checkpoint_config
        from tscl.train.run import CHECKPOINT_NAME

        saved, _ = checkpoint_config(Path(args.run_dir) / CHECKPOINT_NAME)
        config = load_run_config(None, args.overrides, base=saved)
    else:
        config = load_run_config(args.config, args.overrides)
    check_config(config)
    return config


def _examples(data: Any, count: int) -> Any:
    """The first test rows as (n, C, T) values (None for event data)."""
    from tscl.data.training import SignalSet

    for part in (data.test, data.train):
        if isinstance(part, SignalSet) and len(part):
            return part.rows(np.arange(min(count, len(part))))
    return None


def _log_plots(
    tracker: Any,
    history: list[dict[str, float]],
    z: Any = None,
    labels: Any = None,
    class_names: list[str] | None = None,
    title: str = "",
) -> None:
    """Loss curves and a 2-D embedding map of test rows as PNG artifacts of the run."""
    import matplotlib.pyplot as plt

    from tscl.eval.plots import plot_embedding_map, plot_loss_curves

    if history:
        figure = plot_loss_curves(
            history, title=f"Training loss, {title}" if title else "Training loss"
        )
        tracker.log_figure(figure, "loss_curves")
        plt.close(figure)
    if z is not None:
        figure = plot_embedding_map(
            z, labels, class_names, title=title or "Embeddings", split="test"
        )
        tracker.log_figure(figure, "embedding_map")
        plt.close(figure)


def _log_forecast_plots(tracker: Any, metrics: dict[str, Any]) -> None:
    """Forecast against truth on the last test window, one figure per horizon (removed from ``metrics``)."""
    import matplotlib.pyplot as plt

    from tscl.eval.plots import plot_forecast

    # split borders and the inputs validation chose
    tracker.log_params(metrics.pop("forecast_params", {}))
    for horizon, (context, truth, pred) in metrics.pop("forecast_examples", {}).items():
        figure = plot_forecast(
            truth, pred, context=context, title=f"Last test window, horizon {horizon}"
        )
        tracker.log_figure(figure, f"forecast_h{horizon}")
        plt.close(figure)


def _metric_names(metrics: dict[str, Any]) -> dict[str, Any]:
    """Test-split metrics get a ``test_`` prefix; validation ones (val_*, cv_score) keep their names."""
    return {
        k if k.startswith(("val_", "cv_", "baseline_")) else f"test_{k}": v
        for k, v in metrics.items()
    }


def _record_test_scores(
    tracker: Any, metrics: dict[str, Any], data: Any, title: str
) -> dict[str, Any]:
    """Log a test score: measurements as metrics, probe settings as params, a confusion matrix.

    Returns the measurements (per-class sensitivity / +P included).
    """
    import matplotlib.pyplot as plt

    from tscl.eval.plots import plot_confusion_matrix
    from tscl.eval.report import grid_edge_notice, split_classification

    _log_forecast_plots(tracker, metrics)
    report = split_classification(metrics, data.test.y, data.class_names)
    tracker.log_metrics(_metric_names(report.metrics))
    if report.settings:
        tracker.log_params(report.settings)
        notice = grid_edge_notice(report.settings)
        if notice:
            print(notice, file=sys.stderr)
            tracker.log_tags({"tscl.probe_warning": notice})
    if report.y_pred is not None:
        figure = plot_confusion_matrix(
            report.y_true, report.y_pred, data.class_names, title=f"{title}, test split"
        )
        tracker.log_figure(figure, "confusion_matrix")
        plt.close(figure)
    return report.metrics


def _print_metrics(title: str, metrics: dict[str, Any]) -> None:
    from tscl.eval.report import per_class_table

    print(title)
    for name in ("accuracy", "macro_f1", "auroc", "auprc"):
        if name in metrics:
            print(f"  test {name}: {metrics[name]:.4f}")
    for line in per_class_table(metrics):
        print(line)
    horizons = [k[len("mse_h") :] for k in metrics if k.startswith("mse_h")]
    for horizon in horizons:
        print(
            f"  test H={horizon}: MSE {metrics[f'mse_h{horizon}']:.4f}  "
            f"MAE {metrics[f'mae_h{horizon}']:.4f}"
        )


def _pretrain(args: argparse.Namespace) -> int:
    """Pretrain (and with --evaluate score the test split once) in one tracked MLflow run."""
    from tscl.track import RunTracker, resolve_target
    from tscl.track.run_record import resume_tags
    from tscl.track.store import prepare_store
    from tscl.train.resume import check_resume
    from tscl.train.run import CHECKPOINT_NAME, load_data, new_run_dir
    from tscl.train.run_folder import hold_run_folder

    if args.resume and args.run_dir is None:
        raise TsclError("--resume needs --run-dir: the folder holding checkpoint.pt")
    # Every setting, and on resume what may change, is checked before anything is created.
    config = _config_from(args)
    run_dir = Path(args.run_dir) if args.run_dir else new_run_dir(config)
    tags: dict[str, str] = {}
    if args.resume:
        tags = resume_tags(*check_resume(run_dir / CHECKPOINT_NAME, config))
    data = load_data(config)  # data errors end here, before a folder or run exists
    if config.tracking.enabled:
        prepare_store(resolve_target(config.tracking.uri).uri)
    with (
        hold_run_folder(run_dir),
        RunTracker(
            config,
            run_name=run_dir.name,
            run_dir=run_dir,
            source=data.source,
            tags=tags,
            record=True,
            resume=args.resume,
        ) as tracker,
    ):
        return _tracked_pretraining(args, config, data, run_dir, tracker)


def _tracked_pretraining(
    args: argparse.Namespace,
    config: RunConfig,
    data: Any,
    run_dir: Path,
    tracker: Any,
) -> int:
    """Pretrains (and with --evaluate scores the test split once) inside the open run."""
    from tscl.train.resume import checkpoint_history
    from tscl.train.run import CHECKPOINT_NAME, embed_set, evaluate, pretrain

    tracker.log_inputs(_split_sizes(data))
    if args.resume:  # steps the killed process computed but had not sent
        for entry in checkpoint_history(run_dir / CHECKPOINT_NAME):
            values = {k: v for k, v in entry.items() if k != "step"}
            tracker.log_step(int(entry["step"]), values)
    if config.train.workers > 1:
        from tscl.train.distributed import pretrain_distributed

        if args.resume:
            raise TsclError("--resume is not supported with train.workers > 1")
        output = pretrain_distributed(
            config,
            num_workers=config.train.workers,
            data=data,
            run_dir=run_dir,
            callbacks=[tracker.log_step],
        )
    else:
        output = pretrain(
            config,
            run_dir=run_dir,
            resume=args.resume,
            data=data,
            callbacks=[tracker.log_step],
            # MLflow then holds every step up to the checkpoint a resume starts from
            after_checkpoint=[lambda path, step: tracker.flush()],
        )
    result = output.result
    print(
        f"pretrained {config.method} on {config.dataset}: {result.steps} steps in "
        f"{result.seconds:.1f}s, final loss {result.history[-1]['loss']:.4f}"
    )
    metrics: dict[str, Any] = {}
    z = None
    if args.evaluate and config.eval.protocol == "patient_cv":
        metrics = _patient_cv_evaluation(tracker, config, data, output)
    elif args.evaluate:
        metrics = evaluate(
            output.bundle,
            data,
            protocol=config.eval.protocol,
            seed=config.train.seed,
        )
        metrics = _record_test_scores(
            tracker, metrics, data, f"{config.dataset}, {config.method}"
        )
        if output.bundle.heads:  # e.g. forecasting ridges: the logged model holds them
            from tscl.bundle import save_bundle

            save_bundle(output.bundle_path, output.bundle)
        _print_metrics(
            f"{config.dataset} test split, {config.eval.protocol} protocol:",
            metrics,
        )
        if data.test.y is not None:
            shown = data.test.subset(np.arange(min(2000, len(data.test))))
            z = embed_set(output.bundle.encoder, shown, device=config.train.device)
    _log_plots(
        tracker,
        result.history,
        z,
        None if z is None else data.test.y[:2000],
        data.class_names,
        f"{config.dataset}, {config.method}",
    )
    for path in getattr(result.method, "artifacts", {}).values():
        tracker.log_file(path, "method")  # e.g. REBAR's stage-1 model and its losses
    model_uri = tracker.log_encoder(
        output.bundle,
        _examples(data, 4),
        metrics,
        bundle_path=output.bundle_path,
        training_seconds=result.seconds,
    )
    print(f"run folder: {output.run_dir}  (encoder: {output.bundle_path})")
    if tracker.run_id is not None:
        print(
            f"MLflow run {tracker.run_id} in {tracker.target.uri}; model: {model_uri}"
        )
        print(_look_at(tracker.target.uri))
    return 0


def _patient_cv_evaluation(
    tracker: Any, config: RunConfig, data: Any, output: Any
) -> dict[str, Any]:
    """Leave-patients-out CV of the recipe, its figures, and the classifier the model carries.

    Logs ``cv_<score>_<pct>`` (and ``val_macro_f1``, the 10%-label CV macro-F1
    that ``tscl register --best`` selects on), the pooled confusion matrix and
    the domain's figure of out-of-fold predictions; fits the final probe on the
    run's encoder and saves it into the bundle.
    """
    import matplotlib.pyplot as plt

    from tscl.bundle import save_bundle
    from tscl.domains import DOMAINS, get_domain
    from tscl.eval.plots import plot_confusion_matrix
    from tscl.eval.recipe_cv import final_probe, patient_cv
    from tscl.eval.report import cv_table

    result = patient_cv(config, data, say=print)
    summary = result.summary()
    shown = (
        0.1 if 0.1 in config.eval.label_fractions else max(config.eval.label_fractions)
    )
    key = f"cv_macro_f1_{shown * 100:g}"
    tracker.log_metrics({**summary, "val_macro_f1": summary[key]})
    tracker.log_params(
        {"cv.folds": config.eval.folds, "cv.probe": "logistic C=1 balanced"}
    )
    tracker.log_text(
        json.dumps({"folds": result.folds}, indent=1), "patient_cv_folds.json"
    )
    for line in cv_table(summary, config.eval.label_fractions):
        print(line)
    predicted = result.predictions[(shown, config.eval.label_seeds[0])]
    title = f"{config.dataset}, {config.method}, out of fold, {shown * 100:g}% labels"
    figure = plot_confusion_matrix(result.y, predicted, data.class_names, title=title)
    tracker.log_figure(figure, "confusion_matrix")
    plt.close(figure)
    name = config.domain
    draw = get_domain(name).cv_figure if name in DOMAINS else None
    figure = None if draw is None else draw(data, predicted, data.class_names)
    if figure is not None:
        tracker.log_figure(figure, "predicted_strip")
        plt.close(figure)
    output.bundle.classifier = final_probe(output.bundle.encoder, data, config)
    save_bundle(output.bundle_path, output.bundle)
    return {**summary, "val_macro_f1": summary[key]}


def _split_sizes(data: Any) -> dict[str, int]:
    """Rows of each split (windows, series or sequences)."""
    parts = {"train": data.train, "val": data.val, "test": data.test}
    return {name: len(part) for name, part in parts.items() if part is not None}


def _look_at(uri: str) -> str:
    """The command that shows a tracking store's runs."""
    if uri.startswith(("http://", "https://")):
        return f"look at it: open {uri}"
    return (
        "look at it: mlflow ui --host 127.0.0.1 --workers 1 "
        f"--backend-store-uri {uri}  (or make ui), then open http://127.0.0.1:5000"
    )


def _evaluate(args: argparse.Namespace) -> int:
    """Evaluate a pretrained run's encoder on its data set's test split (a tracked run of its own)."""
    from tscl.bundle import load_bundle
    from tscl.domains import load_run_config
    from tscl.track import RunTracker
    from tscl.train.build import check_config
    from tscl.train.run import BUNDLE_NAME, embed_set, evaluate, load_data

    run = Path(args.run)
    bundle = load_bundle(run / BUNDLE_NAME)
    # The run's own config, with any key=value overrides (e.g. eval.protocol=logistic) on top.
    config = load_run_config(None, args.overrides, base=bundle.config)
    check_config(config)
    if config.eval.protocol == "patient_cv":
        raise TsclError(
            "eval.protocol 'patient_cv' pretrains a new encoder for every fold, so it runs "
            "with `tscl pretrain ... --evaluate`; `tscl evaluate --run` scores the run's own "
            "encoder on a test split (e.g. eval.protocol=logistic data.test_fraction=0.2)"
        )
    data = load_data(config)
    with RunTracker(
        config,
        run_name=f"evaluate-{run.name}",
        run_dir=run,
        source=data.source,
        tags={"tscl.kind": "evaluate", "tscl.pretrain_run_dir": str(run)},
    ) as tracker:
        metrics = evaluate(
            bundle, data, protocol=config.eval.protocol, seed=config.train.seed
        )
        tracker.log_inputs(_split_sizes(data))
        title = f"{config.dataset}, {config.method}"
        metrics = _record_test_scores(tracker, metrics, data, title)
        if data.test.y is not None:
            shown = data.test.subset(np.arange(min(2000, len(data.test))))
            z = embed_set(bundle.encoder, shown, device=config.train.device)
            _log_plots(tracker, [], z, data.test.y[:2000], data.class_names, title)
    _print_metrics(
        f"{config.dataset} test split, {config.eval.protocol} protocol:", metrics
    )
    return 0


def _embed(args: argparse.Namespace) -> int:
    """Embed new recordings with a logged / registered encoder; write a parquet table."""
    from tscl.domains.embed_file import embed_file
    from tscl.track.model import embed_series
    from tscl.track.registry import load_bundle_of

    # The weights are read as data: no code stored with the model runs.
    bundle = load_bundle_of(args.model, uri=args.tracking_uri or "")
    table = embed_file(
        bundle,
        Path(args.input),
        encode=lambda x: embed_series(bundle, x),
        warn=lambda line: print(line, file=sys.stderr),
    )
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    temp = output.with_name(f".{output.name}.tmp")
    table.to_parquet(temp, index=False)
    temp.replace(output)
    print(f"{len(table)} embeddings of {args.input} -> {output}")
    return 0


def _write_table(table: Any, output: Path) -> None:
    """A parquet or CSV file (by suffix), written whole or not at all."""
    if output.suffix.lower() not in (".parquet", ".csv"):
        raise TsclError(f"--output {output}: expected a .parquet or .csv file")
    output.parent.mkdir(parents=True, exist_ok=True)
    temp = output.with_name(f".{output.name}.tmp")
    if output.suffix.lower() == ".csv":
        table.to_csv(temp, index=False)
    else:
        table.to_parquet(temp, index=False)
    temp.replace(output)


def _predict(args: argparse.Namespace) -> int:
    """Label new recordings with a registered model that carries a classifier."""
    from tscl.domains import DOMAINS, get_domain, infer_domain
    from tscl.domains.predict_file import predict_file
    from tscl.track.model import embed_series
    from tscl.track.registry import load_bundle_of

    bundle = load_bundle_of(args.model, uri=args.tracking_uri or "")
    path = Path(args.input)
    if (bundle.config.domain or infer_domain(bundle.config.dataset)) == "forecast":
        from tscl.domains.forecast.predict import predict_file as forecast_file

        if args.output is None or args.figure:
            raise TsclError(
                "tscl predict (forecast): give --output FILE.csv, no --figure"
            )
        steps = forecast_file(bundle, path, Path(args.output), args.horizon)
        print(
            f"{steps} forecast steps after the last row of {args.input} -> {args.output}"
        )
        return 0
    table = predict_file(bundle, path, encode=lambda x: embed_series(bundle, x))
    output = Path(args.output or f"predictions/{path.with_suffix('').name}.csv")
    figure = None
    if args.figure:
        name = bundle.config.domain
        draw = get_domain(name).predict_figure if name in DOMAINS else None
        if draw is None:
            raise TsclError(f"--figure: the {name!r} domain draws no prediction figure")
        figure = draw(bundle.preprocessing, path, table)
    _write_table(table, output)
    counts = table["predicted"].value_counts().to_dict() if len(table) else {}
    print(f"{len(table)} predictions of {args.input} -> {output}  {counts}")
    if figure is not None:
        Path(args.figure).parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(args.figure)
        print(f"figure -> {args.figure}")
    return 0


def _register(args: argparse.Namespace) -> int:
    """Register a run's encoder (or the best run of an experiment) and point an alias at it."""
    from tscl.track import register, register_best

    uri = args.tracking_uri or ""
    if bool(args.run_id) == bool(args.best):
        raise TsclError("tscl register: give either --run-id RUN or --best METRIC")
    if args.run_id:
        version = register(args.run_id, args.name, alias=args.alias, uri=uri)
    else:
        where = {}
        for item in args.where:
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise TsclError(f"--where {item}: expected PARAM=VALUE")
            where[key] = value
        version = register_best(
            args.experiment,
            args.best,
            args.name,
            alias=args.alias,
            mode=args.mode,
            uri=uri,
            where=where,
        )
    print(
        f"registered {args.name} version {version}; models:/{args.name}@{args.alias} now points at it"
    )
    return 0


def _add_config_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        default=None,
        metavar="FILE",
        help="YAML config or preset name in tscl/configs (listed below)",
    )
    parser.add_argument(
        "overrides",
        nargs="*",
        metavar="KEY=VALUE",
        help="config overrides, e.g. dataset=ECG200 train.max_steps=200 train.seed=1",
    )


def _presets_help() -> str:
    from tscl.config import PRESETS_DIR

    names = ", ".join(sorted(p.stem for p in PRESETS_DIR.glob("*.yaml")))
    return (
        f"presets (--config NAME): {names}; `tscl config show` prints a resolved config"
    )


def _config_show(args: argparse.Namespace) -> int:
    """Print the resolved run config: domain defaults, then the YAML, then the overrides."""
    from tscl.config import to_yaml

    print(to_yaml(_config_from(args)), end="")
    return 0


def add_config_command(subparsers: Subparsers) -> None:
    """``tscl config show [--config FILE] [key=value...]``."""
    parser = subparsers.add_parser("config", help="show the resolved run config")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    show = actions.add_parser(
        "show",
        help="print the config a run would use (every name and value checked)",
        epilog=_presets_help(),
    )
    _add_config_arguments(show)
    show.set_defaults(handler=_config_show)


def add_pretrain_command(subparsers: Subparsers) -> None:
    """``tscl pretrain [--config FILE] [--run-dir DIR] [--resume] key=value...``."""
    parser = subparsers.add_parser(
        "pretrain",
        help="contrastive pretraining of an encoder",
        epilog=_presets_help(),
    )
    _add_config_arguments(parser)
    parser.add_argument(
        "--run-dir",
        type=Path,
        default=None,
        help="run folder (default runs/<method>-<data>-...)",
    )
    parser.add_argument(
        "--resume", action="store_true", help="continue from RUN_DIR/checkpoint.pt"
    )
    parser.add_argument(
        "--evaluate",
        action="store_true",
        help="also score the test split once, in the same run",
    )
    parser.set_defaults(handler=_pretrain)


def add_evaluate_command(subparsers: Subparsers) -> None:
    """``tscl evaluate --run DIR [key=value...]``."""
    parser = subparsers.add_parser(
        "evaluate", help="score a pretrained encoder on its test split"
    )
    parser.add_argument(
        "--run",
        required=True,
        metavar="DIR",
        help="a run folder written by tscl pretrain",
    )
    parser.add_argument(
        "overrides", nargs="*", metavar="KEY=VALUE", help="e.g. eval.protocol=logistic"
    )
    parser.set_defaults(handler=_evaluate)


def _add_tracking_uri(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--tracking-uri",
        default=None,
        help="default: $MLFLOW_TRACKING_URI or the local store",
    )


def add_embed_command(subparsers: Subparsers) -> None:
    """``tscl embed --model URI --input FILE --output FILE.parquet``."""
    parser = subparsers.add_parser(
        "embed", help="embed recordings with a logged or registered encoder"
    )
    parser.add_argument(
        "--model", required=True, help="model URI, e.g. models:/ecg-encoder@champion"
    )
    parser.add_argument(
        "--input",
        required=True,
        help="a WFDB record, .ts, .csv or .npy file, or an event log (events.parquet/.csv)",
    )
    parser.add_argument("--output", required=True, help="parquet file to write")
    _add_tracking_uri(parser)
    parser.set_defaults(handler=_embed)


def add_predict_command(subparsers: Subparsers) -> None:
    """``tscl predict --model URI --input FILE [--output FILE.csv] [--figure FILE.png]``."""
    parser = subparsers.add_parser(
        "predict",
        help="label recordings with a registered model (encoder + classifier)",
    )
    parser.add_argument(
        "--model", required=True, help="model URI, e.g. models:/ecg-encoder@champion"
    )
    parser.add_argument(
        "--input",
        required=True,
        help="a WFDB record (beats are detected when it has no .atr), a CSV up to "
        "time t (forecasting models), or a file tscl embed reads",
    )
    parser.add_argument(
        "--output",
        default=None,
        help=".csv or .parquet, one row per beat / window "
        "(default: predictions/<input>.csv)",
    )
    parser.add_argument(
        "--figure",
        default=None,
        help="also draw the predictions (PNG), e.g. an ECG strip",
    )
    parser.add_argument(
        "--horizon",
        type=int,
        default=None,
        help="forecasting models: steps after the input's last row "
        "(default: the longest stored)",
    )
    _add_tracking_uri(parser)
    parser.set_defaults(handler=_predict)


def add_register_command(subparsers: Subparsers) -> None:
    """``tscl register (--run-id RUN | --best METRIC) --name NAME [--alias champion]``."""
    parser = subparsers.add_parser(
        "register", help="register an encoder in the MLflow model registry"
    )
    parser.add_argument(
        "--run-id", default=None, help="the MLflow run whose encoder to register"
    )
    parser.add_argument(
        "--best",
        default=None,
        metavar="METRIC",
        help="register the best run by this metric",
    )
    parser.add_argument(
        "--experiment", default="tscl", help="experiment searched by --best"
    )
    parser.add_argument("--mode", choices=("max", "min"), default="max")
    parser.add_argument(
        "--where",
        action="append",
        default=[],
        metavar="PARAM=VALUE",
        help="with --best: only runs whose param equals VALUE (repeatable), "
        "e.g. --where dataset=mitdb",
    )
    parser.add_argument("--name", required=True, help="registered model name")
    parser.add_argument(
        "--alias", default="champion", help="alias to point at the new version"
    )
    _add_tracking_uri(parser)
    parser.set_defaults(handler=_register)


COMMANDS: dict[str, Callable[[Subparsers], None]] = {
    "data": add_data_command,
    "config": add_config_command,
    "pretrain": add_pretrain_command,
    "evaluate": add_evaluate_command,
    "embed": add_embed_command,
    "predict": add_predict_command,
    "register": add_register_command,
    "sweep": add_sweep_command,
}


def build_parser() -> argparse.ArgumentParser:
    """The ``tscl`` parser with every command group in ``COMMANDS``."""
    parser = argparse.ArgumentParser(
        prog="tscl",
        description="Contrastive representation learning for time series and medical signals.",
    )
    parser.add_argument("--version", action="version", version=f"tscl {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add_command in COMMANDS.values():
        add_command(subparsers)
    return parser


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse ``tscl`` arguments; ``key=value`` overrides may stand anywhere, before or after flags.

    argparse stops filling a ``nargs="*"`` positional at the first flag, so
    overrides after ``--evaluate`` would be "unrecognized": they are collected
    here instead, in command-line order. Anything else unknown is still an error.
    """
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        overrides = [item for item in extra if "=" in item and not item.startswith("-")]
        rest = [item for item in extra if item not in overrides]
        if rest or not hasattr(args, "overrides"):
            parser.error(f"unrecognized arguments: {' '.join(rest or extra)}")
        given = list(sys.argv[1:] if argv is None else argv)
        # Keep the user's order: later overrides win over earlier ones.
        args.overrides = [
            item for item in given if item in (*args.overrides, *overrides)
        ]
    return args


def main(argv: list[str] | None = None) -> int:
    """Run ``tscl``; returns the exit code (0 ok, 2 usage or data errors)."""
    args = parse_args(argv)
    # MLflow's INFO lines (table creation, input-example checks) drown tscl's own output;
    # MLflow sets its loggers' level when it is first imported, from this variable.
    os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "WARNING")
    logging.getLogger("mlflow").setLevel(logging.WARNING)
    try:
        return int(args.handler(args))
    except TsclError as error:
        _print_error(error)
        return 2
    except BrokenPipeError:
        # The reader of stdout went away (e.g. `tscl data list | head`): stop
        # quietly, and keep the interpreter's final flush from failing too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
