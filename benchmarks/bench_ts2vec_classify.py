"""TS2Vec recipe on the shared UCR/UEA sets: accuracy (3 seeds) beside the reference run.

    python -m benchmarks.bench_ts2vec_classify [--seeds 0 1 2] [--sets ECG200 GunPoint ...]
        [--methods ts2vec autotcl]

``--methods`` adds other recipes on the same encoder, steps and probe (e.g.
``autotcl``: TS2Vec's losses on AutoTCL's learned augmentations) as columns
beside TS2Vec (issue 10: learned against fixed augmentations).

The TS2Vec recipe runs at the authors' defaults (output 320, hidden 64, depth
10, batch 8, lr 1e-3, 200 iterations or 600 above 100,000 values) through the
same code path as ``tscl pretrain``; accuracy is the RBF-SVM protocol (C by
5-fold CV on the training split; the test split scored once).
Reference figures: ../shared/ANCHORS.md, "The reference TS2Vec and MiniRocket
run on this machine kind" (the authors' code, one seed, 2-core CPU).
"""

from __future__ import annotations

import argparse
import functools
import tempfile
import time
from typing import Any

import numpy as np
import torch

from benchmarks.common import RunLog, data_dir, mean_std, print_tables, write_results
from tscl.config import load_config
from tscl.data.read_ts import read_ts
from tscl.domains.archive.load import archive_data as archive_arrays
from tscl.train.run import evaluate, pretrain

# name -> (archive folder, reference TS2Vec accuracy, reference pretraining seconds) from ANCHORS.md
REFERENCE = {
    "ECG200": ("ucr", 0.890, 20.6),
    "GunPoint": ("ucr", 0.993, 21.6),
    "Coffee": ("ucr", 1.000, 39.3),
    "ItalyPowerDemand": ("ucr", 0.961, 9.8),
    "ECGFiveDays": ("ucr", 1.000, 20.6),
    "EOGHorizontalSignal": ("ucr", 0.539, 736.9),
    "AllGestureWiimoteX": ("ucr", 0.784, 121.5),
    "AtrialFibrillation": ("uea", 0.267, 79.7),
    "BasicMotions": ("uea", 0.975, 20.0),
    "Epilepsy": ("uea", 0.964, 26.1),
    "FingerMovements": ("uea", 0.480, 34.7),
    "JapaneseVowels": ("uea", 0.989, 9.8),
    "RacketSports": ("uea", 0.859, 9.6),
    "UWaveGestureLibrary": ("uea", 0.875, 101.9),
}


def run_one(name: str, seed: int, tmp: str, method: str = "ts2vec") -> dict[str, float]:
    torch.manual_seed(seed)
    archive = REFERENCE[name][0]
    folder = data_dir() / archive / name
    arrays = archive_arrays(
        read_ts(folder / f"{name}_TRAIN.ts"), read_ts(folder / f"{name}_TEST.ts")
    )
    config = load_config(
        "ts2vec",
        [
            f"dataset={name}",
            f"train.seed={seed}",
            "train.progress=false",
            f"output_dir={tmp}",
            f"method={method}",
        ],
    )
    started = time.perf_counter()
    output = pretrain(config, data=arrays, run_dir=f"{tmp}/{name}-{method}-{seed}")
    seconds = time.perf_counter() - started
    metrics = evaluate(output.bundle, arrays, protocol="svm", seed=seed)
    return {
        "accuracy": metrics["accuracy"],
        "pretrain_s": seconds,
        "train_loop_s": output.result.seconds,
        "steps": output.result.steps,
    }


def collect(
    sets: list[str], seeds: list[int], fresh: bool, method: str = "ts2vec"
) -> tuple[dict[str, list[dict[str, Any]]], str]:
    """(per-set rows of every seed, resumed from the run log where already done;
    a one-line note on where and when they were measured)."""
    # The full run (14 sets x 3 seeds x TS2Vec and AutoTCL) takes longer than one
    # sitting on a 2-core machine: its rows live in the committed ledger.
    log = RunLog(
        "ts2vec_classify", ("name", "seed", "method"), fresh=fresh, ledger=True
    )
    results: dict[str, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in sets:
            results[name] = []
            for seed in seeds:
                row, ran = log.get_or_run(
                    (name, seed, method),
                    functools.partial(run_one, name, seed, tmp, method),
                )
                results[name].append(row)
                if ran:
                    print(
                        f"  {name:22s} {method} seed {seed}: acc {row['accuracy']:.3f}  "
                        f"pretrain {row['pretrain_s']:.1f}s ({row['steps']} steps)",
                        flush=True,
                    )
    measured = log.provenance([r for rows in results.values() for r in rows])
    return results, f"{method}: {measured}"


def run(
    seeds: list[int],
    sets: list[str] | None = None,
    fresh: bool = False,
    methods: list[str] | None = None,
) -> dict[str, Any]:
    """The suite (contract: benchmarks/README.md): accuracy per set beside the reference."""
    sets = list(REFERENCE) if sets is None else sets
    unknown = sorted(set(sets) - set(REFERENCE))
    if unknown:
        raise ValueError(f"sets: no reference figure for {unknown}")
    others = [m for m in (methods or ["ts2vec"]) if m != "ts2vec"]
    results, note = collect(sets, seeds, fresh)
    notes, extra = [note], {}
    for method in others:
        extra[method], note = collect(sets, seeds, fresh, method)
        notes.append(note)
    rows, ours, refs = [], [], []
    means: dict[str, list[float]] = {m: [] for m in others}
    for name, found in results.items():
        accuracy = [r["accuracy"] for r in found]
        _, ref_acc, ref_s = REFERENCE[name]
        ours.append(mean_std(accuracy)[0])
        refs.append(ref_acc)
        seconds = [r["pretrain_s"] for r in found]
        cells = []
        for method in others:
            theirs = extra[method][name]
            means[method].append(mean_std([r["accuracy"] for r in theirs])[0])
            cells += [
                [r["accuracy"] for r in theirs],
                [r["pretrain_s"] for r in theirs],
            ]
        rows.append([name, accuracy, ref_acc, seconds, ref_s, *cells])
    mean_ours, mean_ref = float(np.mean(ours)), float(np.mean(refs))
    gap = (mean_ours - mean_ref) * 100
    tail = [cell for m in others for cell in (float(np.mean(means[m])), None)]
    rows.append([f"mean of {len(ours)}", mean_ours, mean_ref, None, None, *tail])
    columns = ["data set", "tscl accuracy", "reference accuracy"]
    columns += ["tscl pretrain s", "reference pretrain s"]
    for method in others:
        columns += [f"tscl {method} accuracy", f"tscl {method} pretrain s"]
    return {
        "tables": [
            {
                "title": "Test accuracy (RBF-SVM protocol), pretraining seconds"
                + (f"; beside TS2Vec: {', '.join(others)}" if others else ""),
                "columns": columns,
                "formats": [".3f", ".3f", ".3f", ".1f", ".1f"]
                + [".3f", ".1f"] * len(others),
                "rows": rows,
            }
        ],
        "metrics": {
            "mean_accuracy": mean_ours,
            "reference_mean": mean_ref,
            **{f"{m}_mean_accuracy": float(np.mean(means[m])) for m in others},
        },
        "checks": {
            "mean accuracy not below the reference by more than 1 point": gap >= -1.0
        },
        "results": results,
        "notes": notes,
        "sources": [
            "reference: ../shared/ANCHORS.md, 'The reference TS2Vec and MiniRocket "
            "run on this machine kind' (the authors' code, one seed, 2-core CPU); "
            "published UCR/UEA means (all sets, not these): TS2Vec .830 / .712"
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--sets", nargs="+", default=list(REFERENCE))
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="ignore runs logged by an earlier invocation",
    )
    parser.add_argument("--methods", nargs="+", default=["ts2vec"])
    args = parser.parse_args()
    payload = run(args.seeds, args.sets, args.fresh, args.methods)
    print_tables(payload)
    print(f"results: {write_results('ts2vec_classify', payload)}")


if __name__ == "__main__":
    main()
