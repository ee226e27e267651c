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
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tscl import __version__
from tscl.errors import TsclError

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
    from tscl.config import load_config

    return load_config(args.config, args.overrides)


def _pretrain(args: argparse.Namespace) -> int:
    """Pretrain, write the run folder, print where it is."""
    from tscl.train.run import pretrain

    config = _config_from(
        args
    )  # unknown keys and bad types fail here, before any data is read
    output = pretrain(config, run_dir=args.run_dir, resume=args.resume)
    result = output.result
    print(
        f"pretrained {config.method} on {config.dataset}: {result.steps} steps in {result.seconds:.1f}s, "
        f"final loss {result.history[-1]['loss']:.4f}"
        if result.history
        else ""
    )
    print(f"run folder: {output.run_dir}  (encoder: {output.bundle_path})")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    """Evaluate a pretrained run's encoder on its data set's test split."""
    from tscl.config import load_config
    from tscl.train.bundle import load_bundle
    from tscl.train.run import BUNDLE_NAME, evaluate, load_arrays

    bundle = load_bundle(Path(args.run) / BUNDLE_NAME)
    # The run's own config, with any key=value overrides (e.g. eval.protocol=logistic) on top.
    config = load_config(None, args.overrides, base=bundle.config)
    arrays = load_arrays(config)
    metrics = evaluate(
        bundle, arrays, protocol=config.eval.protocol, seed=config.train.seed
    )
    print(f"{config.dataset} test split, {config.eval.protocol} protocol:")
    for name in ("accuracy", "macro_f1", "auroc", "auprc"):
        if name in metrics:
            print(f"  test {name}: {metrics[name]:.4f}")
    return 0


def _add_config_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        default=None,
        metavar="FILE",
        help="YAML config or preset name in tscl/configs (ts2vec, tiny, ecg_ts2vec)",
    )
    parser.add_argument(
        "overrides",
        nargs="*",
        metavar="KEY=VALUE",
        help="config overrides, e.g. dataset=ECG200 train.max_steps=200 train.seed=1",
    )


def add_pretrain_command(subparsers: Subparsers) -> None:
    """``tscl pretrain [--config FILE] [--run-dir DIR] [--resume] key=value...``."""
    parser = subparsers.add_parser(
        "pretrain", help="contrastive pretraining of an encoder"
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


COMMANDS: dict[str, Callable[[Subparsers], None]] = {
    "data": add_data_command,
    "pretrain": add_pretrain_command,
    "evaluate": add_evaluate_command,
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


def main(argv: list[str] | None = None) -> int:
    """Run ``tscl``; returns the exit code (0 ok, 2 usage or data errors)."""
    args = build_parser().parse_args(argv)
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
