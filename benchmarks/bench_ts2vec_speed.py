"""Pretraining speed of the TS2Vec recipe on UCR ECG200 at the authors' defaults, beside the reference.

    python -m benchmarks.bench_ts2vec_speed [--seeds 0 1 2] [--no-reference]

200 iterations, batch 8, output 320, hidden 64, depth 10 (the TS2Vec
defaults), on the CPU (or the GPU when there is one). Seconds are wall-clock
pretraining (the training loop, as the reference figure is); accuracy is the
RBF-SVM protocol on the official test split.

The reference runs side by side in the same invocation, seed by seed: the
authors' TS2Vec code as packaged on PyPI (``ts2vec`` 0.1, the ``bench`` extra),
trained on the same arrays at batch 8 (its train.py default; the PyPI class
defaults to 16) with the same number of threads, its embeddings scored by the
same SVM protocol. The per-seed time ratio is the figure
to read (these machines drift by 20% over an hour); ANCHORS' 20.6 s / .890
(../shared/ANCHORS.md) is printed beside it.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from typing import Any

import numpy as np
import torch

from benchmarks.common import data_dir, mean_std, print_tables, write_results
from tscl.config import load_config
from tscl.data.read_ts import read_ts
from tscl.data.training import TrainingData as Arrays
from tscl.domains.archive.load import archive_data as archive_arrays
from tscl.eval import PROBES
from tscl.train.run import evaluate, pretrain

ANCHOR_SECONDS, ANCHOR_ACCURACY = 20.6, 0.890


def run_tscl(arrays: Arrays, seed: int, folder: str) -> dict[str, float]:
    config = load_config("ts2vec", [f"train.seed={seed}", "train.progress=false"])
    output = pretrain(config, data=arrays, run_dir=f"{folder}/{seed}")
    accuracy = evaluate(output.bundle, arrays, protocol="svm", seed=seed)["accuracy"]
    return {"seconds": output.result.seconds, "accuracy": accuracy}


def run_reference(arrays: Arrays, seed: int) -> dict[str, float]:
    """The authors' TS2Vec (PyPI ``ts2vec`` 0.1) at its defaults on the same arrays."""
    from ts2vec import TS2Vec  # the bench extra: pip install -e ".[bench]"

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    train = arrays.train_x.transpose(0, 2, 1)  # (N, C, T) -> (N, T, C), its layout
    test = arrays.test_x.transpose(0, 2, 1)
    # Batch 8 as the authors' train.py (the class default is 16).
    model = TS2Vec(
        input_dims=train.shape[-1],
        device="cuda" if torch.cuda.is_available() else "cpu",  # tscl's device
        batch_size=8,
        max_train_length=3000,
    )
    started = time.perf_counter()
    model.fit(train)  # 200 iterations here (its rule: 600 above 100,000 values)
    seconds = time.perf_counter() - started
    train_repr = model.encode(train, encoding_window="full_series")
    test_repr = model.encode(test, encoding_window="full_series")
    accuracy = PROBES["svm"](
        train_repr, arrays.train_y, test_repr, arrays.test_y, seed=seed
    )["accuracy"]
    return {"seconds": seconds, "accuracy": accuracy}


def measure(
    arrays: Arrays, seeds: list[int], reference: bool
) -> dict[str, list[dict[str, float]]]:
    """Per-seed rows of both sides, interleaved seed by seed so drift hits both alike."""
    rows: dict[str, list[dict[str, float]]] = {"tscl": [], "reference": []}
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            runs = {"tscl": run_tscl(arrays, seed, tmp)}
            if reference:
                runs["reference"] = run_reference(arrays, seed)
            for name, row in runs.items():
                rows[name].append({"seed": seed, **row})
            print(
                f"  seed {seed}: "
                + ", ".join(
                    f"{name} {row['seconds']:.2f}s acc {row['accuracy']:.3f}"
                    for name, row in runs.items()
                ),
                flush=True,
            )
    return rows


def run(seeds: list[int], reference: bool = True) -> dict[str, Any]:
    """The suite (contract: benchmarks/README.md): both sides per seed, their time ratio."""
    folder = data_dir() / "ucr" / "ECG200"
    arrays = archive_arrays(
        read_ts(folder / "ECG200_TRAIN.ts"), read_ts(folder / "ECG200_TEST.ts")
    )
    rows = measure(arrays, seeds, reference)
    ours = [r["seconds"] for r in rows["tscl"]]
    theirs = [r["seconds"] for r in rows["reference"]]
    ratios = [a / b for a, b in zip(ours, theirs, strict=False)]
    accuracy = {name: [r["accuracy"] for r in found] for name, found in rows.items()}
    table_rows = [
        ["tscl", ours, accuracy["tscl"], ratios or None],
        [
            "authors' TS2Vec, same run",
            theirs or None,
            accuracy["reference"] or None,
            None,
        ],
        ["ANCHORS reference run", ANCHOR_SECONDS, ANCHOR_ACCURACY, None],
    ]
    metrics = {"tscl_seconds": mean_std(ours)[0]}
    checks = {}
    if ratios:
        metrics["time_ratio"] = mean_std(ratios)[0]
        checks["tscl / reference pretraining time <= 0.5, side by side"] = (
            metrics["time_ratio"] <= 0.5
        )
    return {
        "tables": [
            {
                "title": "TS2Vec on UCR ECG200, 200 iterations, batch 8 (both sides)",
                "columns": [
                    "system",
                    "pretrain s",
                    "test accuracy",
                    "time / reference",
                ],
                "formats": [".2f", ".2f", ".3f", ".2f"],
                "rows": table_rows,
            }
        ],
        "metrics": metrics,
        "checks": checks,
        "rows": rows,
        "notes": [
            "Seconds are the training loop's wall clock; accuracy is the RBF-SVM "
            "protocol (C by 5-fold CV on train) on the official test split.",
        ],
        "sources": [
            "authors' TS2Vec: PyPI ts2vec 0.1, run in this invocation seed by seed",
            f"{ANCHOR_SECONDS} s / {ANCHOR_ACCURACY}: ../shared/ANCHORS.md "
            "(the authors' code on this machine kind, one seed)",
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument(
        "--no-reference",
        action="store_true",
        help="skip the side-by-side run of the authors' code",
    )
    args = parser.parse_args()
    payload = run(args.seeds, reference=not args.no_reference)
    print_tables(payload)
    print(f"results: {write_results('ts2vec_speed', payload)}")


if __name__ == "__main__":
    main()
