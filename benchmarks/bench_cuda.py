"""CPU against CUDA with bf16 autocast: TS2Vec pretraining steps side by side (needs a GPU).

    python -m benchmarks.bench_cuda [--seeds 0 1 2] [--steps 100] [--length 3000]

The same TS2Vec steps as ``bench_compile`` (MIT-BIH DS1 record 101 windows,
batch 8, random crops from one seeded generator) through ``fit``'s own
device and precision rules: fp32 on the CPU, bf16 autocast on CUDA
(``train.precision=auto``). Step times are medians after two warm-up steps;
CUDA steps are timed with a device synchronise after each. Skipped, with the
reason, on a machine without CUDA.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import torch

from benchmarks.bench_compile import BATCH, WARMUP_STEPS, new_method, record_windows
from benchmarks.common import SuiteSkipped, print_tables, write_results
from tscl.train.device import autocast, resolve_precision


def timed_steps(
    data: torch.Tensor, seed: int, steps: int, device: torch.device
) -> dict[str, Any]:
    """Median seconds per step and the last loss of ``steps`` AdamW steps on ``device``."""
    method = new_method(seed).to(device)
    optimizer = torch.optim.AdamW(method.parameters(), lr=1e-3)
    generator = torch.Generator().manual_seed(seed)
    dtype = resolve_precision("auto", device)
    data = data.to(device)
    seconds, loss = [], torch.zeros(())
    for _ in range(steps):
        rows = torch.randint(len(data), (BATCH,), generator=generator).to(device)
        began = time.perf_counter()
        with autocast(device, dtype):
            loss = method(data[rows], generator)["loss"]
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        seconds.append(time.perf_counter() - began)
    return {
        "seed": seed,
        "step_s": statistics.median(seconds[WARMUP_STEPS:]),
        "last_loss": float(loss.detach()),
        "precision": "fp32" if dtype is None else str(dtype).removeprefix("torch."),
    }


def run(seeds: list[int], steps: int, length: int) -> dict[str, Any]:
    """The suite (contract: benchmarks/README.md)."""
    if not torch.cuda.is_available():
        raise SuiteSkipped(
            "no CUDA device on this machine (torch.cuda.is_available() is False)"
        )
    threads = torch.get_num_threads()
    data = record_windows(length)
    rows: dict[str, list[dict[str, Any]]] = {"cpu": [], "cuda": []}
    for seed in seeds:
        for name in rows:
            rows[name].append(timed_steps(data, seed, steps, torch.device(name)))
            print(f"  seed {seed} {name}: {rows[name][-1]}", flush=True)
    cpu = [r["step_s"] for r in rows["cpu"]]
    cuda = [r["step_s"] for r in rows["cuda"]]
    speedups = [c / g for c, g in zip(cpu, cuda, strict=True)]
    return {
        "tables": [
            {
                "title": f"TS2Vec steps, windows of {length}, batch {BATCH}, "
                f"{torch.cuda.get_device_name(0)} vs {threads} CPU threads",
                "columns": [
                    "device",
                    "precision",
                    "median s / step",
                    "speed-up vs CPU",
                ],
                "formats": ["", "", ".4f", ".1f"],
                "rows": [
                    ["cpu", rows["cpu"][0]["precision"], cpu, None],
                    ["cuda", rows["cuda"][0]["precision"], cuda, speedups],
                ],
            }
        ],
        "metrics": {
            "speedup": statistics.mean(speedups),
            "cuda_step_s": statistics.mean(cuda),
        },
        "checks": {},
        "sources": ["both devices measured in this run, seed by seed"],
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--length", type=int, default=3000)
    args = parser.parse_args()
    try:
        payload = run(args.seeds, args.steps, args.length)
    except SuiteSkipped as reason:
        raise SystemExit(f"skipped: {reason}") from None
    print_tables(payload)
    print(f"results: {write_results('cuda', payload)}")


if __name__ == "__main__":
    main()
