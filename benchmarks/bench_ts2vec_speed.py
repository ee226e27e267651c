"""Pretraining speed of the TS2Vec recipe on UCR ECG200 at the authors' defaults, beside the reference.

    python -m benchmarks.bench_ts2vec_speed [--seeds 0 1 2] [--no-reference]

200 iterations, batch 8, output 320, hidden 64, depth 10 (the TS2Vec
defaults), on the CPU (or the GPU when there is one). Seconds are wall-clock
pretraining (the training loop, as the reference figure is); accuracy is the
RBF-SVM protocol on the official test split.

The reference runs side by side in the same invocation, seed by seed: the
authors' TS2Vec code as packaged on PyPI (``ts2vec`` 0.1, the ``bench`` extra),
trained on the same arrays with the same number of threads, its embeddings
scored by the same SVM protocol. The ratio of those two means is the figure
to read (these machines drift by 20% over an hour); ANCHORS' 20.6 s / .890
(../shared/ANCHORS.md) is printed beside it.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time

import numpy as np
import torch

from benchmarks.common import data_dir, mean_std, write_results
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
    model = TS2Vec(input_dims=train.shape[-1], device="cpu", max_train_length=3000)
    started = time.perf_counter()
    model.fit(train)  # 200 iterations here (its rule: 600 above 100,000 values)
    seconds = time.perf_counter() - started
    train_repr = model.encode(train, encoding_window="full_series")
    test_repr = model.encode(test, encoding_window="full_series")
    accuracy = PROBES["svm"](
        train_repr, arrays.train_y, test_repr, arrays.test_y, seed=seed
    )["accuracy"]
    return {"seconds": seconds, "accuracy": accuracy}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument(
        "--no-reference",
        action="store_true",
        help="skip the side-by-side run of the authors' code",
    )
    args = parser.parse_args()
    folder = data_dir() / "ucr" / "ECG200"
    arrays = archive_arrays(
        read_ts(folder / "ECG200_TRAIN.ts"), read_ts(folder / "ECG200_TEST.ts")
    )
    rows: dict[str, list[dict[str, float]]] = {"tscl": [], "reference": []}
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:  # interleaved, so drift hits both alike
            runs = {"tscl": run_tscl(arrays, seed, tmp)}
            if not args.no_reference:
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
    summary = {}
    print(f"\nTS2Vec on ECG200, 200 iterations, {torch.get_num_threads()} threads:")
    for name, found in rows.items():
        if not found:
            continue
        seconds, seconds_std = mean_std([r["seconds"] for r in found])
        accuracy, accuracy_std = mean_std([r["accuracy"] for r in found])
        summary[name] = {"seconds": seconds, "accuracy": accuracy}
        print(
            f"  {name:10s} {seconds:6.2f} ± {seconds_std:.2f} s   "
            f"accuracy {accuracy:.3f} ± {accuracy_std:.3f}"
        )
    print(
        f"  ANCHORS    {ANCHOR_SECONDS:6.2f} s          accuracy {ANCHOR_ACCURACY:.3f}"
    )
    ours = summary["tscl"]["seconds"]
    anchor_ratio = ours / ANCHOR_SECONDS
    side_ratio = None
    if "reference" in summary:
        side_ratio = ours / summary["reference"]["seconds"]
        print(
            f"  time ratio tscl / reference, side by side = {side_ratio:.2f} "
            f"(target <= 0.50): {'PASS' if side_ratio <= 0.5 else 'FAIL'}"
        )
    print(f"  time ratio tscl / ANCHORS' 20.6 s = {anchor_ratio:.2f}")
    path = write_results(
        "ts2vec_speed",
        {
            "rows": rows,
            "summary": summary,
            "ratio_side_by_side": side_ratio,
            "ratio_vs_anchor": anchor_ratio,
            "reference": "PyPI ts2vec 0.1 (the authors' code), run in this invocation",
            "anchor": {
                "seconds": ANCHOR_SECONDS,
                "accuracy": ANCHOR_ACCURACY,
                "source": "../shared/ANCHORS.md",
            },
        },
    )
    print(f"results: {path}")


if __name__ == "__main__":
    main()
