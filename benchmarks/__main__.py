"""``make bench``: every registered suite in turn, then benchmarks/RESULTS.md.

    python -m benchmarks run [--quick] [--suite NAME ...]   # run, record, report
    python -m benchmarks report                              # rewrite RESULTS.md only
    python -m benchmarks list                                # the registered suites

``run`` writes each suite's result as ``benchmarks/results/suites/<suite>.json``, logs
it as an MLflow run (``sqlite:///benchmarks/results/mlflow.db``, experiment
``tscl-benchmarks``) and regenerates RESULTS.md from the latest result of every
suite. A suite that fails or is skipped does not stop the others; the exit
status is 1 when one failed. The suites are listed in benchmarks/registry.py;
the contract a suite module follows is in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from benchmarks import report
from benchmarks.registry import SUITES
from benchmarks.runner import load_results, run_suite, use_threads


def _run(args: argparse.Namespace) -> int:
    mode = "quick" if args.quick else "full"
    use_threads(args.threads)
    names = args.suite or list(SUITES)
    began = time.perf_counter()
    failed = []
    for name in names:
        print(f"\n=== {name} ({mode}) ===", flush=True)
        record = run_suite(name, mode)
        reason = f": {record['reason']}" if record.get("reason") else ""
        print(
            f"=== {name}: {record['status']} in {record['wall_s']:.0f}s{reason} ===",
            flush=True,
        )
        if record["status"] == "failed":
            print(record.get("traceback", ""), file=sys.stderr, flush=True)
            failed.append(name)
    path = report.write(load_results())
    print(
        f"\n{len(names)} suites in {time.perf_counter() - began:.0f}s; "
        f"failed: {', '.join(failed) or 'none'}; wrote {path}",
        flush=True,
    )
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run suites, record them, rewrite RESULTS.md")
    run.add_argument("--quick", action="store_true", help="the quick settings")
    run.add_argument("--suite", nargs="+", choices=list(SUITES), help="only these")
    run.add_argument(
        "--threads",
        type=int,
        default=int(os.environ.get("OMP_NUM_THREADS") or os.cpu_count() or 1),
        help="torch threads for every suite (default $OMP_NUM_THREADS, else all cores;"
        " use 1 on a machine others are using: 2 threads stall each other there)",
    )
    commands.add_parser("report", help="rewrite RESULTS.md from the latest results")
    commands.add_parser("list", help="the registered suites")
    args = parser.parse_args(argv)
    if args.command == "run":
        return _run(args)
    if args.command == "report":
        print(f"wrote {report.write(load_results())}")
        return 0
    for name, suite in SUITES.items():
        print(f"{name:16s} {suite.module:36s} {suite.title}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
