"""Peak memory and speed of lazy windowing as the recording grows past RAM-sized.

Writes (C=2, T) float32 ``.npy`` files of growing size (MIT-BIH record 100
tiled end to end, written chunk by chunk so generation stays flat too), drops
each from the page cache, then in a fresh subprocess per file runs every window
(length 1000, stride 500) through ``LazyWindows.iter_batches`` computing the
per-window, per-channel standard deviation. The child reports its own peak RSS
(``getrusage(RUSAGE_SELF).ru_maxrss``), which must stay flat across sizes.

With ``--train`` it measures training instead: a collection of ``.npy``
recordings (0.25 GB each; 0.5, 1 and 2 GB in all by default) is cut into
256-sample windows lazily (``LazyWindows`` over one ``NpySource`` per file), wrapped in a
``SignalSet`` and drawn by the uniform ``BatchSource`` for a few hundred TS2Vec
steps (``tscl.train.loop.fit``); the child's peak RSS must stay flat as the
collection grows. For contrast the same training runs on the collection loaded
into memory (``np.load``), whose peak RSS grows with it.

Run from the repository root::

    python -m benchmarks.bench_lazy_windows [--sizes 0.25 1 2 4] [--dir DIR]
    python -m benchmarks.bench_lazy_windows --train [--sizes 0.5 1 2] [--steps 300]

Prints a table and writes ``benchmarks/results/lazy_windows.json`` (training:
``lazy_windows_train.json``); the generated files are deleted at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS = REPO_ROOT / "benchmarks" / "results" / "lazy_windows.json"
DATA_DIR = Path(os.environ.get("TSCL_DATA_DIR", REPO_ROOT.parent / "shared" / "data"))
LENGTH, STRIDE, CHANNELS = 1000, 500, 2
BYTES_PER_GB = 10**9
FLAT_RATIO = 1.5
FILE_GB = 0.25  # one recording of the training collection
TRAIN_ENCODER = {
    "hidden_dims": 16,
    "depth": 3,
    "output_dims": 32,
}  # memory, not accuracy
# Training windows: TS2Vec's temporal term costs O(T^2) per window, so 256 samples.
TRAIN_LENGTH, TRAIN_STRIDE = 256, 256


def _base_signal() -> tuple[np.ndarray, str]:
    """(2, T0) float32 tile: MIT-BIH record 100, or a 1.2 Hz sine without the data."""
    record = DATA_DIR / "ecg" / "wfdb" / "mitdb" / "100"
    if record.with_suffix(".hea").is_file():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import wfdb

            signal = wfdb.rdrecord(str(record)).p_signal.T  # (T0, 2) -> (2, T0)
        return signal.astype(np.float32), "MIT-BIH 100 (real), tiled"
    t = np.arange(650000, dtype=np.float64) / 360.0
    sine = np.sin(2 * np.pi * 1.2 * t)
    return np.stack([sine, -sine]).astype(np.float32), "1.2 Hz sine (no MIT-BIH found)"


def write_npy(path: Path, gigabytes: float, tile: np.ndarray) -> int:
    """Writes a (2, T) C-order float32 .npy of ~``gigabytes``; returns T."""
    length = int(gigabytes * BYTES_PER_GB) // (4 * CHANNELS)
    repeats = max(1, (4 << 20) // tile.shape[1])  # blocks of ~4 M samples (16 MB)
    with open(path, "wb") as file:
        header = {"descr": "<f4", "fortran_order": False, "shape": (CHANNELS, length)}
        np.lib.format.write_array_header_1_0(file, header)
        for channel in range(CHANNELS):
            block = np.tile(tile[channel], repeats)  # (repeats * T0,)
            for first in range(0, length, len(block)):
                file.write(block[: min(len(block), length - first)].tobytes())
        file.flush()
        os.fsync(file.fileno())
    return length


def _drop_cache(path: Path) -> None:
    """Asks the kernel to drop ``path`` from the page cache (cold reads next)."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(descriptor)


def _rss_mb() -> float:
    """Current resident set size in MB, from /proc/self/status."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _windows_lazy(path: Path, batch_size: int) -> Iterator[np.ndarray]:
    from tscl.data.lazy import LazyWindows, NpySource

    yield from LazyWindows(
        [NpySource(path)], length=LENGTH, stride=STRIDE
    ).iter_batches(batch_size)


def _windows_memmap(path: Path, batch_size: int) -> Iterator[np.ndarray]:
    """The same batches cut from ``np.load(mmap_mode="r")``, for contrast."""
    array = np.load(path, mmap_mode="r")  # (C, T) memory map
    count = (array.shape[1] - LENGTH) // STRIDE + 1
    for first in range(0, count, batch_size):
        starts = np.arange(first, min(first + batch_size, count)) * STRIDE
        block = array[:, starts[0] : starts[-1] + LENGTH]  # (C, span), still mapped
        # (C, span) -> (C, span - L + 1, L) view -> (B, C, L)
        view = np.lib.stride_tricks.sliding_window_view(block, LENGTH, axis=1)
        yield np.ascontiguousarray(view[:, starts - starts[0]].transpose(1, 0, 2))


def run_child(path: Path, batch_size: int, mode: str) -> dict[str, Any]:
    """In the child: iterate every window of ``path``; report peak RSS and time."""
    import tscl.data.lazy  # noqa: F401  (import torch etc. before the baseline)

    rss_after_import = _rss_mb()
    batches = _windows_lazy if mode == "lazy" else _windows_memmap
    began = time.perf_counter()
    total, count = np.zeros(CHANNELS), 0
    for batch in batches(path, batch_size):  # (B, C, L)
        total += batch.std(axis=-1, dtype=np.float64).sum(axis=0)  # (B, C) -> (C,)
        count += len(batch)
    seconds = time.perf_counter() - began
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux
    return {
        "windows": count,
        "seconds": seconds,
        "peak_rss_mb": peak_kb / 1024,
        "rss_after_import_mb": rss_after_import,
        "mean_window_std": (total / max(count, 1)).tolist(),
    }


def _measure(path: Path, batch_size: int, mode: str = "lazy") -> dict[str, Any]:
    """Runs one child on ``path`` (cold page cache) and returns its figures."""
    _drop_cache(path)
    command = [sys.executable, "-m", "benchmarks.bench_lazy_windows"]
    command += ["--child", str(path), "--batch-size", str(batch_size)]
    command += ["--child-mode", mode]
    return _child_json(command, f"child failed on {path}")


def _child_json(command: list[str], failure: str) -> dict[str, Any]:
    """Runs a child benchmark process; its last stdout line is its JSON report."""
    done = subprocess.run(
        command, cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{failure}:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| file GB | windows | peak RSS MB | RSS after import MB | seconds | MB/s "
        "| windows/s | memmap peak RSS MB |",
        "|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for row in rows:
        rate = row["file_bytes"] / 1e6 / row["seconds"]
        memmap = row.get("memmap_peak_rss_mb")
        lines.append(
            f"| {row['file_gb']:.2f} | {row['windows']:,} | {row['peak_rss_mb']:.0f} | "
            f"{row['rss_after_import_mb']:.0f} | {row['seconds']:.1f} | {rate:.0f} | "
            f"{row['windows'] / row['seconds']:,.0f} | "
            f"{'-' if memmap is None else f'{memmap:.0f}'} |"
        )
    return "\n".join(lines)


def benchmark(
    sizes: list[float], folder: Path, batch_size: int, *, compare_memmap: bool = False
) -> dict[str, Any]:
    """Generates, measures and deletes one file per size; returns the figures."""
    tile, signal = _base_signal()
    rows = []
    for gigabytes in sizes:
        path = folder / f"lazy_{gigabytes:g}gb.npy"
        try:
            began = time.perf_counter()
            length = write_npy(path, gigabytes, tile)
            written = time.perf_counter() - began
            row = {
                "file_gb": path.stat().st_size / BYTES_PER_GB,
                "file_bytes": path.stat().st_size,
            }
            row |= {"samples_per_channel": length, "write_seconds": written}
            row |= _measure(path, batch_size)
            if compare_memmap:
                memmap = _measure(path, batch_size, mode="memmap")
                row |= {
                    "memmap_peak_rss_mb": memmap["peak_rss_mb"],
                    "memmap_seconds": memmap["seconds"],
                }
                if not np.allclose(memmap["mean_window_std"], row["mean_window_std"]):
                    raise RuntimeError(
                        f"{path.name}: memmap and lazy statistics differ"
                    )
        finally:
            path.unlink(missing_ok=True)
        expected = (length - LENGTH) // STRIDE + 1
        if row["windows"] != expected:
            raise RuntimeError(
                f"{path.name}: {row['windows']} windows, expected {expected}"
            )
        print(
            f"  {gigabytes:g} GB: {row['windows']:,} windows in {row['seconds']:.1f} s",
            flush=True,
        )
        rows.append(row)
    peaks = [row["peak_rss_mb"] for row in rows]
    return {
        "rows": rows,
        "signal": signal,
        "window_length": LENGTH,
        "stride": STRIDE,
        "batch_size": batch_size,
        "page_cache": "dropped before each child (cold reads)",
        "peak_rss_ratio": max(peaks) / min(peaks),
        "flat": max(peaks) / min(peaks) < FLAT_RATIO,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "numpy": np.__version__,
        },
    }


def _collection(paths: list[Path], mode: str) -> Any:
    """The recordings as one SignalSet of windows: read lazily, or loaded into memory."""
    from tscl.data.lazy import LazyWindows, NpySource
    from tscl.data.training import SignalSet

    windows = LazyWindows(
        [NpySource(path) for path in paths], length=TRAIN_LENGTH, stride=TRAIN_STRIDE
    )
    if mode == "memory":  # every window materialised: (N, C, L) float32
        loaded = [np.load(path) for path in paths]
        x = np.concatenate(
            [
                np.lib.stride_tricks.sliding_window_view(a, TRAIN_LENGTH, axis=1)[
                    :, ::TRAIN_STRIDE
                ].transpose(1, 0, 2)
                for a in loaded
            ]
        )
        del loaded
        return SignalSet(x=np.ascontiguousarray(x, dtype=np.float32))
    return SignalSet(x=windows)


def run_train_child(paths: list[Path], mode: str, steps: int) -> dict[str, Any]:
    """In the child: ``steps`` TS2Vec steps drawn by a uniform source; peak RSS and time."""
    import torch

    from tscl.config import RunConfig, load_config
    from tscl.train.build import build_method, build_source
    from tscl.train.loop import fit

    torch.set_num_threads(1)
    rss_after_import = _rss_mb()
    config: RunConfig = load_config(
        None,
        [f"encoder.params.{k}={v}" for k, v in TRAIN_ENCODER.items()]
        + ["train.batch_size=8", "train.progress=false", "train.device=cpu"],
    )
    began = time.perf_counter()
    rows = _collection(paths, mode)
    source = build_source(config, rows)
    torch.manual_seed(0)
    method = build_method(config, CHANNELS)
    result = fit(method, source, config.train, max_steps=steps)
    seconds = time.perf_counter() - began
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux
    return {
        "windows": len(rows),
        "steps": result.steps,
        "seconds": seconds,
        "peak_rss_mb": peak_kb / 1024,
        "rss_after_import_mb": rss_after_import,
        "final_loss": float(result.history[-1]["loss"]) if result.history else None,
    }


def _measure_train(paths: list[Path], mode: str, steps: int) -> dict[str, Any]:
    for path in paths:
        _drop_cache(path)
    command = [sys.executable, "-m", "benchmarks.bench_lazy_windows", "--train"]
    command += ["--child-mode", mode, "--steps", str(steps), "--child-files"]
    command += [str(path) for path in paths]
    return _child_json(command, f"training child failed ({mode})")


def train_benchmark(
    sizes: list[float], folder: Path, steps: int, *, compare_memory: bool = True
) -> dict[str, Any]:
    """Grows one collection file by file; trains on it lazily (and in memory) at each size."""
    tile, signal = _base_signal()
    paths: list[Path] = []
    rows = []
    try:
        for gigabytes in sorted(sizes):
            while len(paths) * FILE_GB < gigabytes - 1e-9:
                path = folder / f"recording_{len(paths):03d}.npy"
                write_npy(path, FILE_GB, tile)
                paths.append(path)
            row: dict[str, Any] = {
                "collection_gb": sum(p.stat().st_size for p in paths) / BYTES_PER_GB,
                "files": len(paths),
                "lazy": _measure_train(paths, "lazy", steps),
            }
            if compare_memory:
                row["memory"] = _measure_train(paths, "memory", steps)
            print(
                f"  {row['collection_gb']:.2f} GB ({len(paths)} files): lazy peak RSS "
                f"{row['lazy']['peak_rss_mb']:.0f} MB in {row['lazy']['seconds']:.0f} s",
                flush=True,
            )
            rows.append(row)
    finally:
        for path in paths:
            path.unlink(missing_ok=True)
    peaks = [row["lazy"]["peak_rss_mb"] for row in rows]
    return {
        "rows": rows,
        "signal": signal,
        "window_length": TRAIN_LENGTH,
        "stride": TRAIN_STRIDE,
        "steps": steps,
        "encoder": TRAIN_ENCODER,
        "batch_size": 8,
        "method": "ts2vec",
        "source": "uniform (tscl.data.sources.UniformSource over SignalSet(LazyWindows))",
        "peak_rss_ratio": max(peaks) / min(peaks),
        "flat": max(peaks) / min(peaks) < FLAT_RATIO,
    }


def _train_table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| collection GB | files | windows | steps | lazy peak RSS MB | lazy s "
        "| in-memory peak RSS MB | in-memory s |",
        "|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for row in rows:
        lazy, memory = row["lazy"], row.get("memory")
        lines.append(
            f"| {row['collection_gb']:.2f} | {row['files']} | {lazy['windows']:,} | "
            f"{lazy['steps']} | {lazy['peak_rss_mb']:.0f} | {lazy['seconds']:.0f} | "
            + (
                "- | - |"
                if memory is None
                else f"{memory['peak_rss_mb']:.0f} | {memory['seconds']:.0f} |"
            )
        )
    return "\n".join(lines)


def train_main(args: argparse.Namespace) -> None:
    if args.child_files:
        print(
            json.dumps(run_train_child(args.child_files, args.child_mode, args.steps))
        )
        return
    sizes = args.sizes or [0.5, 1, 2]
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="tscl_bench_lazy_") as folder:
        print(f"lazy training: collections of {sizes} GB in {folder}", flush=True)
        figures = train_benchmark(sizes, Path(folder), args.steps)
    print(_train_table(figures["rows"]))
    verdict = "PASS" if figures["flat"] else "FAIL"
    print(
        f"lazy peak RSS flat while training (max/min = {figures['peak_rss_ratio']:.2f} "
        f"< {FLAT_RATIO}): {verdict}"
    )
    path = RESULTS.with_name("lazy_windows_train.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"wrote {path.relative_to(REPO_ROOT)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=float,
        nargs="+",
        default=None,
        help="file sizes in GB (default 0.25 1 2 4; with --train: collection sizes 0.5 1 2)",
    )
    parser.add_argument(
        "--dir", type=Path, default=None, help="where to write the temporary files"
    )
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument(
        "--compare-memmap", action="store_true", help="also time np.memmap slicing"
    )
    parser.add_argument(
        "--train", action="store_true", help="train TS2Vec from lazy windows instead"
    )
    parser.add_argument("--steps", type=int, default=300, help="training steps")
    parser.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument(
        "--child-files", type=Path, nargs="+", default=None, help=argparse.SUPPRESS
    )
    parser.add_argument("--child-mode", default="lazy", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.train:
        train_main(args)
        return
    args.sizes = args.sizes or [0.25, 1, 2, 4]
    if args.child is not None:
        print(json.dumps(run_child(args.child, args.batch_size, args.child_mode)))
        return
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="tscl_bench_lazy_") as folder:
        print(f"lazy windows: {args.sizes} GB files in {folder}", flush=True)
        figures = benchmark(
            args.sizes,
            Path(folder),
            args.batch_size,
            compare_memmap=args.compare_memmap,
        )
    print(_table(figures["rows"]))
    verdict = "PASS" if figures["flat"] else "FAIL"
    print(
        f"peak RSS flat (max/min = {figures['peak_rss_ratio']:.2f} < {FLAT_RATIO}): {verdict}"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
