"""Hierarchical (COMET) against augmentation-only (TS2Vec) positives, subject-independent.

Run from the repository root: ``python -m benchmarks.bench_pairs_quality``
(``--quick``: the smartwatch set only, 60 pretraining steps).

Data sets and splits (each domain's subject-independent protocol; no subject
in two of train / validation / test):

- ``watch``: the smartwatch exercises (motion domain, 4 s windows), split by subject;
- ``ecg``: MIT-BIH DS1 beats (the 22 DS1 patients in the shared folder), split
  by patient (leave patients out inside DS1; DS2 is not used);
- ``eeg``: EEGMMIDB eyes open / closed (R01 / R02), split by subject.

For each method (``ts2vec``, ``comet``) and seed, the encoder is pretrained
on the training subjects' windows, then a standardised logistic probe is
fitted on 1 %, 10 % and 100 % of the training labels (class-stratified,
nested subsets from the seed); C and class weighting are chosen on the
validation subjects only (``logistic_holdout_protocol``), and the test
subjects are scored once. Macro-F1 and macro AUROC, mean ± std over seeds.
A majority-class baseline is printed beside. Finished runs are logged to
``results/pairs_quality_runs.jsonl`` and skipped when re-run.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from benchmarks.common import RunLog, data_dir, mean_std, write_results

SETS = {
    "watch": ["dataset=seglearn_watch"],
    "ecg": ["dataset=mitdb"],
    "eeg": ["dataset=eegmmidb", "data.options={task: eyes}"],
}
METHODS = ("ts2vec", "comet")
FRACTIONS = (0.01, 0.1, 1.0)


def run_one(name: str, method: str, seed: int, steps: int) -> dict:
    """Pretrain one encoder and probe it at every label fraction."""
    import os

    from tscl.domains import load_run_config
    from tscl.embedding import embed_set
    from tscl.eval.holdout import logistic_holdout_protocol
    from tscl.eval.label_fractions import stratified_fraction
    from tscl.train.run import load_data, pretrain

    os.environ.setdefault("TSCL_DATA_MIRROR", str(data_dir()))
    overrides = [
        *SETS[name],
        f"method={method}",
        f"train.seed={seed}",
        "train.progress=false",
        "train.num_threads=1",
        "tracking.enabled=false",
    ]
    if steps:
        overrides.append(f"train.max_steps={steps}")
    config = load_run_config(overrides=overrides)
    data = load_data(config)
    started = time.perf_counter()
    output = pretrain(
        config, data=data, run_dir=f"/tmp/tscl_pairs_quality/{name}-{method}-{seed}"
    )
    seconds = time.perf_counter() - started
    encoder = output.bundle.encoder
    train, val, test = (
        embed_set(encoder, part, device="cpu")
        for part in (data.train, data.val, data.test)
    )
    row = {
        "set": name,
        "method": method,
        "seed": seed,
        "steps": output.result.steps,
        "seconds": seconds,
    }
    for fraction in FRACTIONS:
        keep = stratified_fraction(data.train.y, fraction, seed=seed)
        scores = logistic_holdout_protocol(
            train[keep],
            data.train.y[keep],
            val,
            data.val.y,
            test,
            data.test.y,
            seed=seed,
        )
        row[f"f1@{fraction:g}"] = scores["macro_f1"]
        row[f"auroc@{fraction:g}"] = scores["auroc"]
    counts = np.bincount(data.test.y)
    row["majority_f1"] = float(
        (counts.max() / counts.sum())
        * 2
        / (1 + counts.max() / counts.sum())
        / int((counts > 0).sum())
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="smartwatch only, 60 steps"
    )
    parser.add_argument("--sets", nargs="+", choices=list(SETS), default=list(SETS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--steps", type=int, default=0, help="0 = the domain's default")
    parser.add_argument("--fresh", action="store_true", help="ignore logged runs")
    args = parser.parse_args()
    sets = ["watch"] if args.quick else args.sets
    steps = 60 if args.quick and not args.steps else args.steps
    log = RunLog(
        "pairs_quality", ("set", "method", "seed", "steps_asked"), fresh=args.fresh
    )
    rows = []
    for name in sets:
        for method in METHODS:
            for seed in args.seeds:
                row = log.get(name, method, seed, steps)
                if row is None:
                    row = {**run_one(name, method, seed, steps), "steps_asked": steps}
                    log.add(row)
                rows.append(row)
                print(
                    f"  {name} {method} seed {seed}: "
                    + "  ".join(f"F1@{f:g} {row[f'f1@{f:g}']:.3f}" for f in FRACTIONS),
                    flush=True,
                )
    print(
        "\nmacro-F1 / AUROC on the test subjects, mean ± std over seeds (selection on validation):"
    )
    table = []
    for name in sets:
        for method in METHODS:
            mine = [r for r in rows if r["set"] == name and r["method"] == method]
            cells = []
            for fraction in FRACTIONS:
                f1 = mean_std([r[f"f1@{fraction:g}"] for r in mine])
                auroc = mean_std([r[f"auroc@{fraction:g}"] for r in mine])
                cells.append(f"{f1[0]:.3f}±{f1[1]:.3f} / {auroc[0]:.3f}±{auroc[1]:.3f}")
            table.append({"set": name, "method": method, "cells": cells, "runs": mine})
            print(
                f"  {name:5s} {method:7s} "
                + "  ".join(
                    f"{f:g}: {c}" for f, c in zip(FRACTIONS, cells, strict=True)
                )
            )
    path = write_results(
        "pairs_quality" + ("_quick" if args.quick else ""), {"table": table}
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
