"""``tscl sweep``: the command-line parser and handler (Ray and MLflow load only when it runs)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tscl.cli import Subparsers


def _sweep(args: argparse.Namespace) -> int:
    """Runs or resumes the sweep and prints its outcome; exit 1 when trials are left."""
    from tscl.sweep.driver import run_sweep

    result = run_sweep(
        args.space,
        args.overrides,
        name=args.name,
        storage=args.storage,
        resume=args.resume,
    )
    done = sum(status == "TERMINATED" for status in result.statuses.values())
    print(
        f"sweep {result.name}: {done}/{len(result.statuses)} trials terminated; "
        f"MLflow parent run {result.parent_run_id}; Tune folder {result.path}"
    )
    if not result.complete:
        storage = f" --storage {args.storage}" if args.storage else ""
        extra = "".join(f" {item}" for item in args.overrides)
        print(
            "not complete; continue with: tscl sweep --space "
            f"{args.space} --name {result.name}{storage} --resume{extra}"
        )
        return 1
    print(
        f"best trial {result.best_trial_id}: {result.metric} = {result.best_value:.4f}"
    )
    print(f"best config: {result.path}.best_config.yaml")
    return 0


def add_sweep_command(subparsers: Subparsers) -> None:
    """``tscl sweep --space FILE [--resume] [--name NAME] [--storage DIR] key=value...``."""
    parser = subparsers.add_parser(
        "sweep", help="hyperparameter search with Ray Tune (ASHA), tracked in MLflow"
    )
    parser.add_argument(
        "--space",
        required=True,
        type=Path,
        metavar="FILE",
        help="search space file, e.g. tune/ts2vec_ucr.yaml",
    )
    parser.add_argument(
        "--name", default=None, help="sweep name (default: the space file's name)"
    )
    parser.add_argument(
        "--storage",
        type=Path,
        default=None,
        metavar="DIR",
        help="Tune storage folder (default <output_dir>/sweeps)",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue the interrupted sweep of this name (same space and overrides)",
    )
    parser.add_argument(
        "overrides",
        nargs="*",
        metavar="KEY=VALUE",
        help="overrides of the space's base config, e.g. dataset=GunPoint",
    )
    parser.set_defaults(handler=_sweep)
