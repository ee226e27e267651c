"""Pretraining speed of the TS2Vec recipe on UCR ECG200 at the authors' defaults, beside the reference.

    python -m benchmarks.bench_ts2vec_speed [--seeds 0 1 2]

200 iterations, batch 8, output 320, hidden 64, depth 10 (the TS2Vec
defaults), on the CPU (or the GPU when there is one). Seconds are wall-clock
pretraining (the training loop, as the reference figure is); accuracy is the
RBF-SVM protocol on the official test split. Reference: the authors' TS2Vec on
this machine kind, 20.6 s and accuracy .890 (../shared/ANCHORS.md).
"""

from __future__ import annotations

import argparse

import torch

from benchmarks.common import data_dir, mean_std, write_results
from tscl.config import load_config
from tscl.data.read_ts import read_ts
from tscl.train.build import archive_arrays
from tscl.train.run import evaluate, pretrain

REFERENCE_SECONDS, REFERENCE_ACCURACY = 20.6, 0.890


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    import tempfile

    folder = data_dir() / "ucr" / "ECG200"
    arrays = archive_arrays(
        read_ts(folder / "ECG200_TRAIN.ts"), read_ts(folder / "ECG200_TEST.ts")
    )
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:
            config = load_config(
                "ts2vec", [f"train.seed={seed}", "train.progress=false"]
            )
            output = pretrain(config, arrays=arrays, run_dir=f"{tmp}/{seed}")
            accuracy = evaluate(output.bundle, arrays, protocol="svm", seed=seed)[
                "accuracy"
            ]
            rows.append(
                {"seed": seed, "seconds": output.result.seconds, "accuracy": accuracy}
            )
            print(
                f"  seed {seed}: {output.result.seconds:.2f}s, accuracy {accuracy:.3f}",
                flush=True,
            )
    seconds, seconds_std = mean_std([r["seconds"] for r in rows])
    accuracy, accuracy_std = mean_std([r["accuracy"] for r in rows])
    ratio = seconds / REFERENCE_SECONDS
    print(f"\nTS2Vec on ECG200, 200 iterations, {torch.get_num_threads()} threads:")
    print(
        f"  tscl      {seconds:6.2f} ± {seconds_std:.2f} s   accuracy {accuracy:.3f} ± {accuracy_std:.3f}"
    )
    print(
        f"  reference {REFERENCE_SECONDS:6.2f} s          accuracy {REFERENCE_ACCURACY:.3f}"
    )
    print(
        f"  time ratio tscl / reference = {ratio:.2f} (target <= 0.50): {'PASS' if ratio <= 0.5 else 'FAIL'}"
    )
    path = write_results(
        "ts2vec_speed",
        {
            "rows": rows,
            "seconds": seconds,
            "ratio": ratio,
            "accuracy": accuracy,
            "reference": {
                "seconds": REFERENCE_SECONDS,
                "accuracy": REFERENCE_ACCURACY,
                "source": "../shared/ANCHORS.md",
            },
        },
    )
    print(f"results: {path}")


if __name__ == "__main__":
    main()
