"""MIT-BIH DS1 leave-patients-out: the ECG default against TS2Vec (with and without RR) and a supervised CNN.

The protocol of ``tscl.eval.patient_cv`` over the 22 DS1 patients (record 201's
patient as one; record 100 and every DS2 record never read): 5 group-disjoint,
class-stratified folds (the same folds for every row and seed); each fold's
encoder is pretrained, or its CNN trained, on the other folds' patients only;
out-of-fold predictions are pooled and scored per class (sensitivity, +P) and
by macro-F1 over N/S/V/F and over N/S/V, at 1%, 10% and 100% of the training
patients' labels (stratified draws; seed s draws with seed s). Rows:

- ``ECG default``: ``tscl/configs/ecg.yaml`` (COMET-pretrained patient-relative
  embeddings carrying the log RR and deviation channels), StandardScaler +
  LogisticRegression(C=1, balanced) probe;
- ``default's fixed channels, no encoder``: the ablation of the default: its
  constant channels (log RR ratios and irregularity, log deviation from the
  record's median beat over the beat, QRS and T) straight into the same probe;
- ``TS2Vec bare beats``: the TS2Vec recipe on the MLII beat window alone (the
  default's beats: 252 samples at 360 Hz kept every 2nd), the same probe;
- ``TS2Vec + 4 RR``: those embeddings with pre-RR, post-RR, local RR (10 beats)
  and average RR (centred 5 min), each divided by the record's mean RR,
  appended (the probe's scaler standardises them on the training patients);
- ``CNN scratch`` / ``CNN scratch + RR``: the same dilated-conv architecture and
  a linear head trained from scratch with class-balanced cross-entropy on the
  same labels (early stopping on 20% of the training folds' patients), on the
  bare beats or with the RR intervals as constant input channels.

Every encoder is the default's inner size (dilated conv, 32 wide, depth 6,
32 out) so the rows differ in recipe, not capacity; the TS2Vec anchors in
``../shared/ANCHORS.md`` (authors' encoder, DS1 -> DS2) are printed beside.
Seeds are logged as they finish (``results/ecg_runs.jsonl``): a killed run
resumes. Run from the repository root::

    OMP_NUM_THREADS=1 python -m benchmarks.bench_ecg [--seeds 0 1 2] [--folds 5]
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from benchmarks.common import RunLog, print_tables, write_results

SEEDS = (0, 1, 2)
FRACTIONS = (0.01, 0.1, 1.0)
INNER = {"hidden_dims": 32, "output_dims": 32, "depth": 6}
ROWS = (
    "ECG default",
    "default's fixed channels, no encoder",
    "TS2Vec bare beats",
    "TS2Vec + 4 RR",
    "CNN scratch",
    "CNN scratch + RR",
)
SCORES = (
    "macro_f1",
    "macro_f1_nsv",
    "accuracy",
    *(f"{kind}_{c}" for c in "NSVF" for kind in ("sensitivity", "ppv")),
)
ANCHORS = "../shared/ANCHORS.md, 'MIT-BIH inter-patient beat classification'"
REFERENCES = [  # DS1 -> DS2 (not this protocol): macro-F1 at 100% / 10% labels
    ("authors' TS2Vec + logistic (DS2)", 0.355, 0.401),
    ("authors' TS2Vec + 4 RR + logistic (DS2; S sensitivity .37 at 10%)", 0.424, 0.502),
    ("supervised 1-D CNN (DS2)", 0.388, 0.409),
    ("MiniRocket + ridge (DS2)", 0.420, None),
]


# The baselines' beats: the default's beat and template with the plain rhythm channels (the 4
# RR ratios and the irregularity, not on a log scale) and none of its deviation channels.
BASELINE_DATA = ["data.options.rhythm=extended", "data.options.deviation=false"]


def _config(name: str, seed: int, steps: int | None) -> Any:
    """The default's config, or the TS2Vec recipe's (the baselines' beats, dilated conv on the beat alone)."""
    from tscl.domains import load_run_config

    overrides = [f"train.seed={seed}", "train.progress=false", "train.device=cpu",
                 "tracking.enabled=false"]  # fmt: skip
    if steps is not None:
        overrides.append(f"train.max_steps={steps}")
    if name != "default":
        overrides += ["method=ts2vec", "data.source.name=uniform", *BASELINE_DATA]
    config = load_run_config("ecg", overrides)
    if (
        name == "ts2vec"
    ):  # the recipe's encoder replaced whole (no relative-only params)
        encoder = dataclasses.replace(
            config.encoder, name="dilated_conv", params=dict(INNER)
        )
        config = dataclasses.replace(config, encoder=encoder)
    return config


# The baselines' rows hold MLII, its template (the record's median beat), then the rhythm
# channels: pre-RR, post-RR, local RR, average RR (each / the record's mean RR), irregularity.
LEAD, RR4 = [0], [2, 3, 4, 5]


def _channels(index: list[int]) -> Callable[[Any], Any]:
    def take(rows: Any) -> Any:
        return dataclasses.replace(rows, x=np.ascontiguousarray(rows.x[:, index]))

    return take


_lead_only = _channels(LEAD)


def _rr_of(scaler: dict[str, Any]) -> Callable[[Any], np.ndarray]:
    """(N, 4) the four RR ratios (the rows hold them scaled; the scaling is undone here)."""
    mean = np.asarray(scaler["mean"], dtype=np.float64)[RR4]
    std = np.asarray(scaler["std"], dtype=np.float64)[RR4]

    def rr(rows: Any) -> np.ndarray:
        return np.asarray(rows.x[:, RR4, 0], dtype=np.float64) * std + mean

    return rr


def _embedder(
    transform: Callable[[Any], Any], extra: Callable[[Any], np.ndarray] | None
):
    from tscl.embedding import embed_set

    def embed(encoder: Any, rows: Any) -> np.ndarray:
        z = embed_set(encoder, transform(rows), batch_size=256, device="cpu")
        return z if extra is None else np.concatenate([z, extra(rows)], axis=1)

    return embed


def _cached(fit: Callable) -> Callable:
    encoders: dict[int, Any] = {}

    def fit_once(train: Any, fold: int) -> Any:
        if fold not in encoders:
            encoders[fold] = fit(train, fold)
        return encoders[fold]

    return fit_once


def default_rows(
    data: Any, seed: int, settings: Any, steps: int | None, say: Callable
) -> dict:
    """Scores of the ECG default for one seed: {row: {fraction: scores}}."""
    from tscl.eval.patient_cv import cross_validate
    from tscl.eval.recipe_cv import fold_pretrainer

    config = _config("default", seed, steps)
    identity = lambda rows: rows  # noqa: E731
    result = cross_validate(
        data.train, fold_pretrainer(config, data), _embedder(identity, None),
        data.class_names, settings, say=say,
    )  # fmt: skip
    return {"ECG default": {f: s for (f, _), s in result.runs.items()}}


def fixed_rows(
    data: Any, seed: int, settings: Any, steps: int | None, say: Callable
) -> dict:
    """The ablation of the default: its constant channels (rhythm, deviation from the
    record's usual beat) straight into the probe, no encoder, no pretraining."""
    from tscl.domains.ecg import ENCODER
    from tscl.eval.patient_cv import cross_validate

    # the trailing channels the encoder passes through (rhythm, deviation)
    count = int(ENCODER["static_channels"])

    def static(encoder: Any, rows: Any) -> np.ndarray:
        return np.asarray(rows.x[:, -count:, 0], dtype=np.float64)

    result = cross_validate(
        data.train, lambda train, fold: None, static, data.class_names, settings,
        say=say,
    )  # fmt: skip
    return {ROWS[1]: {f: s for (f, _), s in result.runs.items()}}


def ts2vec_rows(
    data: Any, seed: int, settings: Any, steps: int | None, say: Callable
) -> dict:
    """Scores of TS2Vec on the bare beats, without and with the 4 RR features appended."""
    from tscl.eval.patient_cv import cross_validate
    from tscl.eval.recipe_cv import fold_pretrainer

    out: dict[str, dict[float, dict[str, float]]] = {}
    fit = _cached(fold_pretrainer(_config("ts2vec", seed, steps), data, _lead_only))
    rr = _rr_of(data.preprocessing["scaler"])
    for row, extra in (("TS2Vec bare beats", None), ("TS2Vec + 4 RR", rr)):
        result = cross_validate(
            data.train, fit, _embedder(_lead_only, extra), data.class_names, settings,
            say=say,
        )  # fmt: skip
        out[row] = {f: s for (f, _), s in result.runs.items()}
    return out


def cnn_rows(data: Any, seed: int, settings: Any, steps: int, say: Callable) -> dict:
    """Scores of the supervised CNN rows (bare / + RR channels) for one seed."""
    import torch

    from tscl.builders import build_encoder
    from tscl.data.splits import group_split
    from tscl.eval.label_fractions import stratified_fraction
    from tscl.eval.patient_cv import patient_folds, scores
    from tscl.eval.supervised import (
        SupervisedSettings,
        predict_logits,
        train_supervised,
    )
    from tscl.train.run import load_data

    config = _config("ts2vec", seed, None)
    data = load_data(config)
    rows, names = data.train, data.class_names
    groups = rows.ids["subject"]
    folds = patient_folds(groups, rows.y, settings.folds, settings.seed)
    supervised = SupervisedSettings(
        max_steps=steps, batch_size=32, eval_every=50, patience=2, balanced=True
    )
    out: dict[str, dict[float, dict[str, float]]] = {}
    for row, transform in (
        ("CNN scratch", _lead_only),
        ("CNN scratch + RR", lambda r: r),
    ):
        predicted = {f: np.full(len(rows), -1) for f in settings.fractions}
        for k, split in enumerate(folds):
            train_all, test = (
                rows.subset(split.train),
                transform(rows.subset(split.test)),
            )
            inner = group_split(train_all.ids["subject"], val=0.0, test=0.2, seed=seed,
                                labels=train_all.y)  # fmt: skip
            fit_rows, val = (
                train_all.subset(inner.train),
                transform(train_all.subset(inner.test)),
            )
            for fraction in settings.fractions:
                chosen = (np.arange(len(fit_rows)) if fraction >= 1
                          else stratified_fraction(fit_rows.y, fraction, seed=seed))  # fmt: skip
                torch.manual_seed(seed)
                part = transform(fit_rows.subset(chosen))
                encoder = build_encoder(
                    dataclasses.replace(config, encoder=dataclasses.replace(
                        config.encoder, params=dict(INNER))), part.num_channels)  # fmt: skip
                model, _ = train_supervised(encoder, part, val, num_classes=len(names),
                                            settings=supervised, seed=seed)  # fmt: skip
                predicted[fraction][split.test] = predict_logits(model, test).argmax(
                    axis=1
                )
            say(f"{row}: fold {k + 1}/{len(folds)} done")
        out[row] = {
            f: scores(rows.y, p, names, settings.scored, settings.subsets)
            for f, p in predicted.items()
        }
    return out


KINDS: dict[str, tuple[tuple[str, ...], Callable[..., dict]]] = {
    "default": (ROWS[:1], default_rows),
    "fixed": (ROWS[1:2], fixed_rows),
    "ts2vec": (ROWS[2:4], ts2vec_rows),
    "cnn": (ROWS[4:], cnn_rows),
}


def _table(log: RunLog, seeds: Sequence[int], fraction: float) -> dict[str, Any]:
    columns = ["row", *SCORES]
    body = []
    for row in ROWS:
        cells: list[Any] = [row]
        for score in SCORES:
            values = [
                r[score] for s in seeds if (r := log.get(row, s, fraction)) is not None
            ]
            cells.append(values or None)
        body.append(cells)
    pct = f"{fraction * 100:g}"
    return {
        "title": f"MIT-BIH DS1, 5-fold leave-patients-out, {pct}% of the training patients' labels",
        "columns": columns,
        "rows": body,
        "formats": ["", *[".3f"] * len(SCORES)],
    }


def run(
    seeds: Sequence[int] = SEEDS,
    folds: int = 5,
    steps: int | None = None,
    cnn_steps: int = 200,
    fresh: bool = False,
    kinds: Sequence[str] = ("default", "fixed", "ts2vec", "cnn"),
) -> dict[str, Any]:
    """Every row for every seed not yet logged, then the tables (mean ± std over seeds)."""
    from tscl.eval.patient_cv import PatientCVSettings
    from tscl.train.run import load_data

    log = RunLog("ecg", ("row", "seed", "fraction"), fresh=fresh)
    data: dict[str, Any] = {}
    say = lambda line: print(line, flush=True)  # noqa: E731
    began = time.process_time()
    for seed in seeds:
        settings = PatientCVSettings(
            folds=folds, fractions=FRACTIONS, label_seeds=(seed,)
        )
        for kind in kinds:
            rows, measure = KINDS[kind]
            if all(log.get(r, seed, f) for r in rows for f in FRACTIONS):
                continue
            cpu = time.process_time()
            which = "default" if kind in ("default", "fixed") else "ts2vec"
            if which not in data:  # the same beats for every seed
                data[which] = load_data(_config(which, 0, steps))
            budget = cnn_steps if kind == "cnn" else steps
            measured = measure(data[which], seed, settings, budget, say)
            for row, by_fraction in measured.items():
                for fraction, values in by_fraction.items():
                    log.add({"row": row, "seed": seed, "fraction": fraction, **values,
                             "cpu_s": time.process_time() - cpu})  # fmt: skip
            say(f"seed {seed} {kind} rows done ({time.process_time() - cpu:.0f} cpu s)")
    tables = [_table(log, seeds, f) for f in FRACTIONS]
    tables.append({
        "title": "References (DS1 -> DS2, the independent protocol; not comparable cell by cell)",
        "columns": ["model", "macro-F1 100%", "macro-F1 10%"],
        "rows": [list(r) for r in REFERENCES],
        "formats": ["", ".3f", ".3f"],
    })  # fmt: skip

    def mean(row: str, score: str, fraction: float) -> float:
        values = [r[score] for s in seeds if (r := log.get(row, s, fraction))]
        return float(np.mean(values)) if values else float("nan")

    best_other = max(mean(r, "macro_f1", 0.1) for r in ROWS[2:])  # the peers
    checks = {
        "ECG default macro-F1 at 10% labels beats every other row":
            mean(ROWS[0], "macro_f1", 0.1) > best_other,
        "ECG default S sensitivity at 10% labels >= .60":
            mean(ROWS[0], "sensitivity_S", 0.1) >= 0.60,
        "ECG default S +P at 10% labels >= .30": mean(ROWS[0], "ppv_S", 0.1) >= 0.30,
        "(ablation) the encoder adds to its fixed channels at 10% labels":
            mean(ROWS[0], "macro_f1", 0.1) > mean(ROWS[1], "macro_f1", 0.1),
    }  # fmt: skip
    return {
        "tables": tables,
        "checks": checks,
        "metrics": {
            "default_macro_f1_10": mean(ROWS[0], "macro_f1", 0.1),
            "default_sensitivity_S_10": mean(ROWS[0], "sensitivity_S", 0.1),
            "default_ppv_S_10": mean(ROWS[0], "ppv_S", 0.1),
            "best_other_macro_f1_10": best_other,
            "fixed_channels_macro_f1_10": mean(ROWS[1], "macro_f1", 0.1),
        },
        "notes": [
            f"seeds {list(seeds)}; folds {folds}; pooled out-of-fold predictions; "
            "Q beats predicted but not scored (AAMI)",
            f"encoders: dilated conv {INNER}; pretraining steps "
            f"{steps or 'as configured (300)'}; CNN at most {cnn_steps} steps, batch 32",
            f"cpu seconds this invocation: {time.process_time() - began:.0f}",
        ],
        "sources": ["measured in this run (rows)", ANCHORS + " (references)"],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=None, help="pretraining steps")
    parser.add_argument("--cnn-steps", type=int, default=200)
    parser.add_argument("--fresh", action="store_true", help="ignore logged runs")
    parser.add_argument(
        "--kinds", nargs="+", choices=list(KINDS), default=list(KINDS),
        help="which rows to measure now (the others are read from the log)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    payload = run(
        args.seeds, args.folds, args.steps, args.cnn_steps, args.fresh, args.kinds
    )
    print_tables(payload)
    write_results("ecg", payload)


if __name__ == "__main__":
    main()
