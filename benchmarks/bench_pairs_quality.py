"""Pair strategies against each other, subject-independent: hierarchical (COMET) and retrieval (REBAR).

Two comparisons (issue 10, checks 2 and 3), on each domain's subject-independent
split (no subject in two of train / validation / test):

- ``hierarchical``: ``comet`` (observation / beat / recording / subject
  positives) against ``ts2vec`` (augmented views only) on the smartwatch
  exercises, MIT-BIH DS1 beats (patients split inside DS1; DS2 is never read)
  and EEGMMIDB eyes open / closed;
- ``retrieval``: ``rebar`` (the candidate that best reconstructs the anchor)
  against ``ts2vec`` and ``simclr`` on windows of the UCI EEG eye-state
  recording, the smartwatch exercises and MIT-BIH DS1 beats.

Every method gets the same encoder (a dilated conv, 32 wide, depth 5, 64 out:
the per-domain benchmark's size), batch, steps and data; the ECG set uses
the bare MLII beats (no rhythm, template or deviation channels, which would
carry the probe whatever the pretraining). Per method and seed the encoder is
pretrained on the training subjects' windows, then a standardised logistic
probe is fitted on 1 %, 10 % and 100 % of the training labels
(class-stratified subsets drawn with the seed), C and class weighting chosen
on the validation subjects (``logistic_holdout_protocol``); the test subjects
are scored once: macro-F1, macro AUROC, accuracy. k-means (k = the test
classes, 10 restarts) on the standardised test embeddings gives ARI and NMI
against the labels. A majority-class baseline is printed beside. Finished runs
are logged to ``results/pairs_quality_runs.jsonl`` and skipped when re-run.

    OMP_NUM_THREADS=1 python -m benchmarks.bench_pairs_quality [--parts retrieval] [--sets watch]
        [--seeds 0 1 2] [--steps 200]
"""

from __future__ import annotations

import argparse
import functools
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from benchmarks.common import RunLog, data_dir, mean_std, print_tables, write_results

ENCODER = ("encoder.name=dilated_conv",) + tuple(
    f"encoder.params.{k}={v}"
    for k, v in {"hidden_dims": 32, "depth": 5, "output_dims": 64}.items()
)
SETS: dict[str, tuple[str, ...]] = {
    "watch": ("domain=motion", "dataset=seglearn_watch"),
    "ecg": (
        "domain=ecg",
        "dataset=mitdb",
        "data.options.rhythm=none",
        "data.options.template=false",
        "data.options.deviation=false",
    ),
    "eeg": ("domain=eeg", "dataset=eegmmidb", "data.options.task=eyes"),
    "eye_state": ("domain=eeg", "dataset=eeg_eye_state", "data.options.task=eye_state"),
}
PARTS: dict[str, dict[str, tuple[str, ...]]] = {
    "hierarchical": {"methods": ("ts2vec", "comet"), "sets": ("watch", "ecg", "eeg")},
    "retrieval": {
        "methods": ("rebar", "ts2vec", "simclr"),
        "sets": ("eye_state", "watch", "ecg"),
    },
}
FRACTIONS = (0.01, 0.1, 1.0)
STEPS, BATCH = 200, 16


def cluster_scores(
    embeddings: np.ndarray, labels: np.ndarray, seed: int
) -> dict[str, float]:
    """k-means with k = the classes present on standardised embeddings: ARI and NMI vs ``labels``."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
    from sklearn.preprocessing import StandardScaler

    k = len(np.unique(labels))
    scaled = StandardScaler().fit_transform(embeddings)
    found = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(scaled)
    return {
        "ari": float(adjusted_rand_score(labels, found)),
        "nmi": float(normalized_mutual_info_score(labels, found)),
    }


def majority_scores(train_y: np.ndarray, test_y: np.ndarray) -> dict[str, float]:
    """Always the training majority class: accuracy and macro-F1 over the test classes."""
    from tscl.eval.metrics import classification_metrics

    guess = np.full_like(test_y, np.bincount(train_y).argmax())
    metrics = classification_metrics(test_y, guess)
    return {"accuracy": metrics["accuracy"], "macro_f1": metrics["macro_f1"]}


def run_one(
    name: str, method: str, seed: int, steps: int, batch: int
) -> dict[str, Any]:
    """Pretrain one encoder, probe it at every label fraction, cluster its test embeddings."""
    import os
    import tempfile

    from tscl.domains import load_run_config
    from tscl.embedding import embed_set
    from tscl.eval.holdout import logistic_holdout_protocol
    from tscl.eval.label_fractions import stratified_fraction
    from tscl.train.run import load_data, pretrain

    os.environ.setdefault("TSCL_DATA_MIRROR", str(data_dir()))
    overrides = [
        *SETS[name],
        *ENCODER,
        f"method={method}",
        f"train.seed={seed}",
        f"train.max_steps={steps}",
        f"train.batch_size={batch}",
        "train.progress=false",
        "train.device=cpu",
        "train.val_every=0",
        "tracking.enabled=false",
    ]
    config = load_run_config(None, overrides)
    data = load_data(config)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as run_dir:
        output = pretrain(config, data=data, run_dir=run_dir)
    seconds = time.perf_counter() - started
    encoder = output.bundle.encoder
    train, val, test = (
        embed_set(encoder, part, device="cpu")
        for part in (data.train, data.val, data.test)
    )
    row: dict[str, Any] = {
        "set": name,
        "method": method,
        "seed": seed,
        "steps": output.result.steps,
        "seconds": seconds,
        "source": config.data.source.name,
        **cluster_scores(test, data.test.y, seed),
        **{
            f"majority_{k}": v
            for k, v in majority_scores(data.train.y, data.test.y).items()
        },
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
        for metric in ("macro_f1", "auroc", "accuracy"):
            row[f"{metric}@{fraction:g}"] = float(scores[metric])
    return row


def _table(
    part: str, rows: list[dict[str, Any]], sets: Sequence[str]
) -> dict[str, Any]:
    methods = PARTS[part]["methods"]
    columns = ["set", "method"]
    for fraction in FRACTIONS:
        columns += [
            f"F1 {fraction:.0%}",
            f"AUROC {fraction:.0%}",
            f"acc {fraction:.0%}",
        ]
    columns += ["ARI", "NMI"]
    out = []
    for name in sets:
        mine = [r for r in rows if r["set"] == name]
        if not mine:
            continue
        for method in methods:
            runs = [r for r in mine if r["method"] == method]
            if not runs:
                continue
            cells: list[Any] = [name, f"{method} ({len(runs)} seeds)"]
            for fraction in FRACTIONS:
                cells += [
                    [r[f"{metric}@{fraction:g}"] for r in runs]
                    for metric in ("macro_f1", "auroc", "accuracy")
                ]
            out.append(cells + [[r["ari"] for r in runs], [r["nmi"] for r in runs]])
        # one value per seed: a seed may draw its own split (the ECG patients)
        per_seed = {r["seed"]: r for r in mine}.values()
        majority = [
            [r["majority_macro_f1"] for r in per_seed],
            None,
            [r["majority_accuracy"] for r in per_seed],
        ]
        out.append([name, "majority class", *(majority * len(FRACTIONS)), None, None])
    title = {
        "hierarchical": "Hierarchical (COMET) vs augmented views (TS2Vec)",
        "retrieval": "Retrieval (REBAR) vs augmented views (TS2Vec, SimCLR)",
    }[part]
    return {
        "title": f"{title}: test macro-F1 / AUROC / accuracy at 1 / 10 / 100 % labels, "
        "k-means ARI / NMI (mean ± std over seeds)",
        "columns": columns,
        "rows": out,
        "formats": ["", ""] + [".3f"] * (len(columns) - 2),
    }


def _verdicts(rows: list[dict[str, Any]], sets: Sequence[str]) -> list[str]:
    """One line per set: where COMET beats TS2Vec by mean macro-F1 at each label fraction."""
    lines = []
    for name in sets:
        mean = {}
        for method in ("comet", "ts2vec"):
            runs = [r for r in rows if r["set"] == name and r["method"] == method]
            if not runs:
                break
            mean[method] = [
                mean_std([r[f"macro_f1@{f:g}"] for r in runs])[0] for f in FRACTIONS
            ]
        if len(mean) < 2:
            continue
        gaps = [c - t for c, t in zip(mean["comet"], mean["ts2vec"], strict=True)]
        lines.append(
            f"{name}: COMET - TS2Vec macro-F1 at 1 / 10 / 100 % labels: "
            + " / ".join(f"{g:+.3f}" for g in gaps)
        )
    return lines


def run(
    parts: Sequence[str] = tuple(PARTS),
    sets: Sequence[str] | None = None,
    seeds: Sequence[int] = (0, 1, 2),
    steps: int = STEPS,
    batch: int = BATCH,
    fresh: bool = False,
) -> dict[str, Any]:
    """The suite (contract: benchmarks/README.md)."""
    log = RunLog(
        "pairs_quality", ("set", "method", "seed", "steps", "batch"), fresh=fresh
    )
    tables, notes, raw = [], [], {}
    for part in parts:
        chosen = [s for s in PARTS[part]["sets"] if sets is None or s in sets]
        rows = []
        for name in chosen:
            for method in PARTS[part]["methods"]:
                for seed in seeds:
                    # the log keeps the budget asked as "steps" (run_one's: those run)
                    row, ran = log.get_or_run(
                        (name, method, seed, steps, batch),
                        functools.partial(run_one, name, method, seed, steps, batch),
                    )
                    if ran:
                        print(
                            f"  {name} {method} seed {seed}: {row['seconds']:.0f}s "
                            + "  ".join(
                                f"F1@{f:g} {row[f'macro_f1@{f:g}']:.3f}"
                                for f in FRACTIONS
                            )
                            + f"  ARI {row['ari']:.3f}",
                            flush=True,
                        )
                    rows.append(row)
        tables.append(_table(part, rows, chosen))
        if part == "hierarchical":
            notes += _verdicts(rows, chosen)
        raw[part] = rows
    logged = {
        (r["set"], r["method"], r["seed"]): r for rows in raw.values() for r in rows
    }
    notes.append(
        f"the {len(logged)} pretrainings took {sum(r['seconds'] for r in logged.values()):.0f} s "
        "in all (runs logged by an earlier invocation are read back, not rerun)"
    )
    notes.append(
        f"every method: dilated conv 32 wide, depth 5, 64 out; {steps} steps of batch {batch}; "
        "the recipe's own batch source (COMET: grouped by subject and recording)"
    )
    return {
        "tables": tables,
        "notes": notes,
        "runs": raw,
        "sources": ["every row run side by side in this run on the same splits"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", nargs="+", choices=list(PARTS), default=list(PARTS))
    parser.add_argument("--sets", nargs="+", choices=list(SETS), default=None)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--steps", type=int, default=STEPS)
    parser.add_argument("--batch", type=int, default=BATCH)
    parser.add_argument("--fresh", action="store_true", help="ignore logged runs")
    args = parser.parse_args()
    payload = run(args.parts, args.sets, args.seeds, args.steps, args.batch, args.fresh)
    print_tables(payload)
    print(f"results: {write_results('pairs_quality', payload)}")


if __name__ == "__main__":
    main()
