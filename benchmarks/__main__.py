"""``make bench``: every registered suite in turn, then benchmarks/RESULTS.md.

    python -m benchmarks run [--quick] [--suite NAME ...] [--jobs N]   # run, record, report
    python -m benchmarks run --logged [--suite NAME ...]     # tabulate run ledgers, run nothing
    python -m benchmarks report                              # rewrite RESULTS.md only
    python -m benchmarks list                                # the registered suites

``run`` writes each suite's result as ``benchmarks/results/suites/<suite>.json``, logs
it as an MLflow run (``sqlite:///benchmarks/results/mlflow.db``, experiment
``tscl-benchmarks``) and regenerates RESULTS.md from the latest result of every
suite. A suite that fails or is skipped does not stop the others; the exit
status is 1 when one failed. ``--jobs N`` runs the suites in N worker processes
at once (each with ``--threads``), dealt by their last recorded CPU time so the
workers end together; each suite's ratios are still measured side by side in
one process, under the load of the other workers. The suites are listed in benchmarks/registry.py;
the contract a suite module follows is in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from benchmarks import report
from benchmarks.registry import QUICK_WALL_S, SUITES
from benchmarks.runner import ledger_suites, load_results, run_suite, use_threads

DEFAULT_COST_S = 120.0  # a suite never recorded in this mode


def deal(names: list[str], costs: dict[str, float], jobs: int) -> list[list[str]]:
    """Suites into ``jobs`` groups of about equal cost (longest first to the least loaded)."""
    groups: list[list[str]] = [[] for _ in range(max(1, min(jobs, len(names))))]
    loads = [0.0] * len(groups)
    for name in sorted(names, key=lambda n: -costs.get(n, DEFAULT_COST_S)):
        k = loads.index(min(loads))
        groups[k].append(name)
        loads[k] += costs.get(name, DEFAULT_COST_S)
    return groups


def _run_jobs(args: argparse.Namespace, names: list[str], mode: str) -> int:
    """The suites in ``args.jobs`` worker processes, then one report."""
    costs = {name: float(s) for name, s in QUICK_WALL_S.items()}  # until measured here
    costs |= {
        name: float(record["cpu_s"])
        for name, record in load_results().items()
        if record.get("mode") == mode and record.get("cpu_s") is not None
    }
    began = time.perf_counter()
    workers = []
    for group in deal(names, costs, args.jobs):
        command = [sys.executable, "-m", "benchmarks", "run", "--no-report",
                   "--threads", str(args.threads), "--suite", *group]  # fmt: skip
        if args.quick:
            command.append("--quick")
        print(f"worker: {' '.join(group)}", flush=True)
        workers.append(subprocess.Popen(command))
    codes = [worker.wait() for worker in workers]
    path = report.write(load_results())
    print(
        f"\n{len(names)} suites in {len(workers)} workers in "
        f"{time.perf_counter() - began:.0f}s; wrote {path}",
        flush=True,
    )
    return 1 if any(codes) else 0


def _run(args: argparse.Namespace) -> int:
    mode = "quick" if args.quick else "full"
    use_threads(args.threads)
    names = args.suite or list(SUITES)
    if args.logged:
        ledgers = ledger_suites()
        names = args.suite or ledgers
        other = [n for n in names if n not in ledgers]
        if other:
            print(
                f"error: --logged: {', '.join(other)} keep(s) no run ledger; "
                f"suites with one: {', '.join(ledgers) or 'none'}",
                file=sys.stderr,
            )
            return 2
    elif args.jobs > 1 and len(names) > 1:
        return _run_jobs(args, names, mode)
    began = time.perf_counter()
    failed = []
    for name in names:
        print(f"\n=== {name} ({mode}) ===", flush=True)
        record = run_suite(name, mode, logged_only=args.logged)
        reason = f": {record['reason']}" if record.get("reason") else ""
        print(
            f"=== {name}: {record['status']} in {record['wall_s']:.0f}s{reason} ===",
            flush=True,
        )
        if record["status"] == "failed":
            print(record.get("traceback", ""), file=sys.stderr, flush=True)
            failed.append(name)
    path = report.write(load_results()) if args.report else "no report (--no-report)"
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
    run.add_argument(
        "--jobs", type=int, default=1, help="worker processes running suites at once"
    )
    run.add_argument(
        "--logged", action="store_true",
        help="tabulate the suites' run ledgers, running nothing (suites with a ledger);"
        " with runs missing the suite is recorded as partial",
    )  # fmt: skip
    run.add_argument(
        "--no-report", dest="report", action="store_false",
        help="leave RESULTS.md alone (the workers of --jobs)",
    )  # fmt: skip
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
