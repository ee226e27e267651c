"""``make bench``: every benchmark suite in turn (``python -m benchmarks [--only NAME ...]``).

Quality and speed figures are printed and written as JSON under benchmarks/results/.
The full run takes about 1.5 hours on 2 CPU cores (the UCR/UEA and ETTh1 suites dominate); the
UCR/UEA and ETTh1 suites log finished runs and resume from them.
"""

from __future__ import annotations

import argparse
import runpy
import sys
import time

SUITES = {
    "augment": "benchmarks.bench_augment",
    "lazy_windows": "benchmarks.bench_lazy_windows",
    "ts2vec_speed": "benchmarks.bench_ts2vec_speed",
    "ts2vec_classify": "benchmarks.bench_ts2vec_classify",
    "ts2vec_forecast": "benchmarks.bench_ts2vec_forecast",
    "pairs_speed": "benchmarks.bench_pairs_speed",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=list(SUITES), default=list(SUITES))
    args = parser.parse_args()
    for name in args.only:
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        sys.argv = [SUITES[name]]
        runpy.run_module(SUITES[name], run_name="__main__")
        print(f"=== {name}: {time.perf_counter() - started:.0f}s ===", flush=True)


if __name__ == "__main__":
    main()
