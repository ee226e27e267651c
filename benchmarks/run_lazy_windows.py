"""The registry's entry for ``bench_lazy_windows``: its ``benchmark()`` behind the suite contract.

Kept apart so that ``bench_lazy_windows.py`` (being extended elsewhere) stays
as it is; once that module exposes ``run(**settings)`` itself, point the
registry line at it and delete this file.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks import bench_lazy_windows as lazy

RAM_BYTES = 24 * 10**9  # this machine kind (ENVIRONMENT.md): 24 GB


def ram_bytes() -> int:
    """Physical memory of this machine, from /proc/meminfo (the 24 GB of the machine kind elsewhere)."""
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    return RAM_BYTES


def _benchmark_in_fresh_process(
    sizes: list[float], batch_size: int, folder: str | None
) -> dict[str, Any]:
    """``bench_lazy_windows``'s own CLI in a new small process; its JSON figures.

    Its children report ``ru_maxrss``, which Linux carries over from the process
    that forked them: forked from this (large) runner they would all report the
    runner's resident set, so the module forks them from a fresh interpreter.
    """
    command = [sys.executable, "-m", "benchmarks.bench_lazy_windows", "--sizes"]
    command += [f"{size:g}" for size in sizes] + ["--batch-size", str(batch_size)]
    command += [] if folder is None else ["--dir", folder]
    done = subprocess.run(command, cwd=lazy.REPO_ROOT, check=False, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"bench_lazy_windows exited {done.returncode}")
    return json.loads(lazy.RESULTS.read_text())


def run(
    sizes: list[float], batch_size: int = 1024, folder: str | None = None
) -> dict[str, Any]:
    """The suite (contract: benchmarks/README.md): ``bench_lazy_windows.benchmark`` per size."""
    figures = _benchmark_in_fresh_process(sizes, batch_size, folder)
    ram = ram_bytes()
    rows = [
        [
            row["file_gb"],
            row["file_bytes"] > ram,
            row["windows"],
            row["peak_rss_mb"],
            row["seconds"],
            row["file_bytes"] / 1e6 / row["seconds"],
            row["windows"] / row["seconds"],
        ]
        for row in figures["rows"]
    ]
    return {
        "tables": [
            {
                "title": f"Every window (length {figures['window_length']}, stride "
                f"{figures['stride']}) of one (2, T) float32 .npy, cold page cache, "
                f"batches of {batch_size}; {figures['signal']}",
                "columns": ["file GB", "larger than RAM", "windows", "peak RSS MB"]
                + ["seconds", "MB/s", "windows/s"],
                "formats": [".2f", "", ",d", ".0f", ".1f", ".0f", ",.0f"],
                "rows": rows,
            }
        ],
        "metrics": {
            "peak_rss_ratio": figures["peak_rss_ratio"],
            "max_mb_per_s": max(r[5] for r in rows),
        },
        "checks": {
            f"peak RSS flat across sizes (max/min {figures['peak_rss_ratio']:.2f} "
            f"< {lazy.FLAT_RATIO})": bool(figures["flat"]),
        },
        "notes": [
            f"RAM here: {ram / 1e9:.1f} GB; only sizes above it show windowing past RAM. "
            "One measurement per size (a fresh child process each)."
        ],
        "sources": ["measured in this run"],
        "figures": figures,
    }
