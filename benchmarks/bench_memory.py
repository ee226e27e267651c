"""Peak memory of the TS2Vec encoder against sequence length, with a fit of how it grows.

    python -m benchmarks.bench_memory [--lengths 1000 2000 4000 8000] [--loss-lengths 250 500 1000]

Three workloads on a batch of 8 MIT-BIH DS1 record 101 windows (MLII) of
length T, each measured in a fresh child process so one measurement cannot
reuse memory another freed:

- ``embed``: encoder forward without gradients (what ``tscl embed`` runs);
- ``train``: encoder forward and backward (activations kept for the gradient);
- ``ts2vec step``: the full TS2Vec objective on two views spanning all T steps,
  forward and backward. Its temporal term compares every timestamp with every
  other, a (B, 2T, 2T) matrix per pooling level, so it grows with T squared;
  training bounds it by cropping to ``max_train_length`` (3000).

On the CPU the peak is the rise of the child's resident set over the step
(``VmHWM`` after resetting it through ``/proc/self/clear_refs``, minus
``VmRSS`` before); on CUDA it is ``torch.cuda.max_memory_allocated`` over the
step. The growth exponent is the slope of log(peak) against log(T) between the
two largest lengths: 1 is linear, 2 quadratic.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from benchmarks.common import REPO_ROOT, print_tables, write_results

BATCH = 8
LINEAR_EXPONENT = 1.15  # the largest growth exponent still read as linear
MODES = ("embed", "train", "ts2vec step")


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field}")


def _workload(mode: str, length: int, device: torch.device) -> Callable[[], None]:
    """The step to measure, with its model and batch already built."""
    from benchmarks.bench_compile import new_method, record_windows

    method = new_method(0).to(device)
    x = record_windows(length, count=BATCH).to(device)  # (B, 1, T)
    method.train(mode != "embed")

    def step() -> None:
        if mode == "embed":
            with torch.no_grad():
                method.encoder(x)
        elif mode == "train":
            method.encoder(x).square().mean().backward()
        else:
            z_a, z_b = method.encode_views(x, x, length)  # 2 x (B, D, T)
            method.loss(z_a, z_b).backward()

    return step


def child(mode: str, length: int, device_name: str) -> dict[str, Any]:
    """In the child: the peak memory (MB) one workload adds, on the given device."""
    device = torch.device(device_name)
    step = _workload(mode, length, device)
    gc.collect()
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
        before = torch.cuda.memory_allocated(device)
        step()
        torch.cuda.synchronize(device)
        peak = torch.cuda.max_memory_allocated(device) - before
        return {"peak_mb": peak / 2**20}
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
    before = _status_kb("VmRSS")
    step()
    return {"peak_mb": (_status_kb("VmHWM") - before) / 1024}


def measure(mode: str, length: int, device: str) -> float:
    """Peak MB of one workload, from a fresh child process."""
    command = [sys.executable, "-m", "benchmarks.bench_memory", "--child", mode]
    command += [str(length), device]
    done = subprocess.run(
        command, cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{mode} at T={length} failed:\n{done.stderr[-2000:]}")
    return float(json.loads(done.stdout.strip().splitlines()[-1])["peak_mb"])


def growth(lengths: list[int], peaks: list[float]) -> dict[str, float]:
    """Linear fit (MB = a + b T, R^2) and the log-log slope between the two largest T."""
    t, mb = np.asarray(lengths, dtype=float), np.asarray(peaks, dtype=float)
    slope, intercept = np.polyfit(t, mb, 1)
    residual = mb - (intercept + slope * t)
    r2 = 1 - float(residual @ residual) / float(((mb - mb.mean()) ** 2).sum())
    exponent = math.log(mb[-1] / mb[-2]) / math.log(t[-1] / t[-2])
    return {
        "mb_per_1000": 1000 * float(slope),
        "intercept_mb": float(intercept),
        "r2": r2,
        "exponent": exponent,
    }


def run(lengths: list[int], loss_lengths: list[int]) -> dict[str, Any]:
    """The suite (contract: benchmarks/README.md)."""
    device = "cuda" if torch.cuda.is_available() else "cpu"
    found: dict[str, dict[str, Any]] = {}
    for mode in MODES:
        sizes = sorted(loss_lengths if mode == "ts2vec step" else lengths)
        peaks = [measure(mode, length, device) for length in sizes]
        found[mode] = {"lengths": sizes, "peaks_mb": peaks, **growth(sizes, peaks)}
        print(
            f"  {mode}: {dict(zip(sizes, np.round(peaks, 1), strict=True))}", flush=True
        )
    rows = []
    for mode, fit in found.items():
        ratios = [
            b / a for a, b in zip(fit["peaks_mb"], fit["peaks_mb"][1:], strict=False)
        ]
        rows.append(
            [
                mode,
                ", ".join(
                    f"{t:,}: {p:.0f}"
                    for t, p in zip(fit["lengths"], fit["peaks_mb"], strict=True)
                ),
                ", ".join(f"{r:.2f}" for r in ratios),
                fit["mb_per_1000"],
                fit["r2"],
                fit["exponent"],
            ]
        )
    linear = {m: found[m]["exponent"] <= LINEAR_EXPONENT for m in ("embed", "train")}
    return {
        "tables": [
            {
                "title": f"Peak {device.upper()} memory added by one step, batch {BATCH}, "
                "TS2Vec encoder (64 hidden, 320 out, depth 10)",
                "columns": ["workload", "T: peak MB", "ratio per step up in T"]
                + ["MB per 1000 steps (fit)", "R^2 linear", "growth exponent"],
                "formats": ["", "", "", ".1f", ".4f", ".2f"],
                "rows": rows,
            }
        ],
        "metrics": {
            f"exponent_{m.replace(' ', '_')}": found[m]["exponent"] for m in found
        },
        "checks": {
            f"{mode} memory grows linearly with T (exponent <= {LINEAR_EXPONENT})": ok
            for mode, ok in linear.items()
        },
        "notes": [
            "Deterministic: one measurement per length (no seeds).",
            "The ts2vec step's temporal term holds a (B, 2T, 2T) similarity matrix per "
            "pooling level, so it grows with T^2; pretraining caps T by cropping to "
            "max_train_length (3000), which is why the sweep stops short of it.",
        ],
        "sources": ["measured in this run"],
        "fits": found,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--lengths", type=int, nargs="+", default=[1000, 2000, 4000, 8000]
    )
    parser.add_argument("--loss-lengths", type=int, nargs="+", default=[250, 500, 1000])
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, length, device = args.child
        print(json.dumps(child(mode, int(length), device)))
        return
    payload = run(args.lengths, args.loss_lengths)
    print_tables(payload)
    print(f"results: {write_results('memory', payload)}")


if __name__ == "__main__":
    main()
