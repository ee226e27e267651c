"""Speed of the batched torch augmentations against tsaug, side by side in one run.

Run from the repository root: ``python -m benchmarks.bench_augment``. Times each
augmentation on a (256, 1, 1000) float32 batch (tsaug gets the same data as a
numpy (256, 1000, 1) array, its native layout, conversion not timed), after a
warm-up, as the median (and min) of calls that alternate between the two sides
so that both see the same machine load, with 2 torch threads. The speed-up is
the ratio of medians. Prints a table and writes benchmarks/results/augment.json.
``--threads N`` changes the torch thread count (default 2).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
import warnings
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import torch
import tsaug
from torch import nn

from tscl.augment import (
    ChannelDropout,
    CropResize,
    FrequencyMask,
    Jitter,
    MagnitudeWarp,
    Permutation,
    Scaling,
    TimestampMask,
    TimeWarp,
)

SHAPE = (256, 1, 1000)
WARMUP, REPEATS = 3, 15
RESULTS = Path(__file__).resolve().parent / "results" / "augment.json"


def cases(length: int) -> list[tuple[str, nn.Module, Any, str]]:
    """(name, torch module, tsaug augmenter or None, what the tsaug side is)."""
    crop = (length // 2, length + 1)
    return [
        (
            "jitter",
            Jitter(sigma=0.03, relative_to="range"),
            tsaug.AddNoise(scale=0.03),
            "AddNoise(scale=0.03)",
        ),
        ("scaling", Scaling(sigma=0.1), None, "none in tsaug"),
        (
            "magnitude_warp",
            MagnitudeWarp(sigma=0.2, knots=4),
            tsaug.Drift(max_drift=0.2, n_drift_points=4),
            "Drift (nearest; additive)",
        ),
        (
            "time_warp",
            TimeWarp(n_speed_change=3, max_speed_ratio=3.0),
            tsaug.TimeWarp(n_speed_change=3, max_speed_ratio=3.0),
            "TimeWarp(3, 3.0)",
        ),
        ("permutation", Permutation(max_segments=5), None, "none in tsaug"),
        (
            "crop_resize",
            CropResize(min_ratio=0.5),
            tsaug.Crop(size=crop, resize=length),
            f"Crop(size={crop}, resize={length})",
        ),
        (
            "timestamp_mask",
            TimestampMask(p=0.1),
            tsaug.Dropout(p=0.1, fill=0.0),
            "Dropout(p=0.1, fill=0.0)",
        ),
        ("frequency_mask", FrequencyMask(ratio=0.1), None, "none in tsaug"),
        ("channel_dropout", ChannelDropout(p=0.1), None, "none in tsaug"),
        (
            "composed: time_warp+jitter+crop_resize",
            nn.Sequential(
                TimeWarp(),
                Jitter(sigma=0.03, relative_to="range"),
                CropResize(min_ratio=0.5),
            ),
            tsaug.TimeWarp()
            + tsaug.AddNoise(scale=0.03)
            + tsaug.Crop(size=crop, resize=length),
            "TimeWarp + AddNoise + Crop(resize)",
        ),
    ]


def timed(call: Callable[[], object]) -> float:
    """Wall time of one call in milliseconds."""
    start = time.perf_counter()
    call()
    return 1000 * (time.perf_counter() - start)


def side_by_side(
    ours: Callable[[], object],
    theirs: Callable[[], object] | None,
    repeats: int = REPEATS,
) -> tuple[list[float], list[float]]:
    """Warm-up, then alternating timed calls, so that both sides see the same load."""
    for _ in range(WARMUP):
        ours()
        if theirs is not None:
            theirs()
    ours_ms, theirs_ms = [], []
    for _ in range(repeats):
        ours_ms.append(timed(ours))
        if theirs is not None:
            theirs_ms.append(timed(theirs))
    return ours_ms, theirs_ms


def measure(repeats: int = REPEATS) -> list[dict[str, Any]]:
    """Times every case; returns one row per case."""
    torch.manual_seed(0)
    x = torch.randn(SHAPE)
    x_numpy = np.ascontiguousarray(x.transpose(1, 2).numpy())  # (B, C, T) -> (B, T, C)
    rows = []
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # tsaug's scipy import
        for name, module, augmenter, counterpart in cases(SHAPE[-1]):
            theirs = None if augmenter is None else partial(augmenter.augment, x_numpy)
            ours_ms, theirs_ms = side_by_side(partial(module, x), theirs, repeats)
            row = {"augmentation": name, "tsaug": counterpart}
            row["tscl_ms"] = statistics.median(ours_ms)
            row["tscl_min_ms"] = min(ours_ms)
            row["tsaug_ms"] = statistics.median(theirs_ms) if theirs_ms else None
            row["tsaug_min_ms"] = min(theirs_ms) if theirs_ms else None
            row["speedup"] = row["tsaug_ms"] / row["tscl_ms"] if theirs_ms else None
            rows.append(row)
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    """Markdown table of the rows."""
    lines = [
        "| augmentation | tscl ms (min) | tsaug ms (min) | speed-up | tsaug side |",
        "|---|---:|---:|---:|---|",
    ]
    for row in rows:
        ours = f"{row['tscl_ms']:.2f} ({row['tscl_min_ms']:.2f})"
        theirs, speedup = "-", "-"
        if row["tsaug_ms"] is not None:
            theirs = f"{row['tsaug_ms']:.2f} ({row['tsaug_min_ms']:.2f})"
            speedup = f"{row['speedup']:.1f}x"
        cells = [row["augmentation"], ours, theirs, speedup, row["tsaug"]]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def run(repeats: int = REPEATS) -> dict[str, Any]:
    """The suite (contract: benchmarks/README.md): every case side by side with tsaug."""
    threads = torch.get_num_threads()
    rows = measure(repeats)
    speedups = [row["speedup"] for row in rows if row["speedup"] is not None]
    return {
        "tables": [
            {
                "title": f"Batch {SHAPE} float32 on the CPU, {threads} torch threads: "
                f"median (min) ms of {repeats} alternating calls after {WARMUP} warm-up",
                "columns": [
                    "augmentation",
                    "tscl ms",
                    "tsaug ms",
                    "speed-up",
                    "tsaug side",
                ],
                "rows": [
                    [
                        row["augmentation"],
                        f"{row['tscl_ms']:.2f} ({row['tscl_min_ms']:.2f})",
                        "-"
                        if row["tsaug_ms"] is None
                        else f"{row['tsaug_ms']:.2f} ({row['tsaug_min_ms']:.2f})",
                        "-" if row["speedup"] is None else f"{row['speedup']:.1f}x",
                        row["tsaug"],
                    ]
                    for row in rows
                ],
            }
        ],
        "metrics": {
            "min_speedup": min(speedups),
            "composed_speedup": rows[-1]["speedup"],
        },
        "checks": {
            "every tscl augmentation with a tsaug counterpart is faster": min(speedups)
            > 1
        },
        "notes": [
            "Speed-up = tsaug median / tscl median, both sides timed alternately in "
            "this run; tsaug gets the same values as (B, T, C) numpy (conversion not timed)."
        ],
        "sources": [f"tsaug {tsaug.__version__} (PyPI), run side by side"],
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2, help="torch threads")
    torch.set_num_threads(parser.parse_args().threads)
    load_before = os.getloadavg()[0]  # other jobs on the machine skew timings
    rows = measure()
    print(
        f"batch {SHAPE} float32, CPU, {torch.get_num_threads()} torch threads,"
        f" median (min) of {REPEATS} calls after {WARMUP} warm-up calls,"
        f" 1-min load average {load_before:.1f} on {os.cpu_count()} CPUs"
    )
    print(table(rows))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "shape": list(SHAPE),
        "dtype": "float32",
        "device": "cpu",
        "torch_threads": torch.get_num_threads(),
        "cpu_count": os.cpu_count(),
        "load_average_1min_before": load_before,
        "load_average_1min_after": os.getloadavg()[0],
        "machine": platform.processor() or platform.machine(),
        "torch": torch.__version__,
        "tsaug": tsaug.__version__,
        "warmup": WARMUP,
        "repeats": REPEATS,
        "statistic": "median (and min) wall-clock ms per call; speed-up = ratio of medians",
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    RESULTS.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
