"""Per-domain benchmark: the domain default (self-supervised pretraining + the domain's probe)
against the same encoder trained from scratch with 10% and 100% of the labels.

Tasks and protocols (data loading, epoching and windowing are the domains' own,
set through ``data.options``):

- ``eeg_eyes`` (protocol A of ../shared/ANCHORS.md): EEGMMIDB R01 eyes open vs
  R02 eyes closed, MNE FIR 1-40 Hz, average reference, µV, 64 channels,
  non-overlapping 2 s epochs; leave one subject out (7 folds).
- ``eeg_fist`` (protocol B): imagined left vs right fist, T1/T2 of R04/R08/R12,
  0-4 s after the cue; leave one subject out.
- ``motion`` (protocol C): the smartwatch exercises, 4 s windows with 50 %
  overlap labelled by their recording; leave one subject out (10 folds);
  recordings also scored by majority vote over their windows.
- ``ecg``: MIT-BIH DS1 beats (AAMI N/S/V/F/Q), leave-patients-out folds
  inside DS1 (never record 100 or any DS2 record).
- ``events``: BPI 2012 loan outcome on the events domain's fixed split.

In every fold the validation subject(s) come from the training fold: they
select the probe's C / class weighting and stop the supervised training early;
the held-out subject is scored once. Figures are mean ± std over held-out
subjects (folds), each first averaged over the seeds (protocols A-C); the
events task has one split, so its std is over seeds. Every finished run is
logged (``results/domains_runs.jsonl``), so a killed run resumes where it
stopped; the summary goes to ``results/domains.json``.

Run from the repository root (``--quick``: one seed, two folds per task)::

    OMP_NUM_THREADS=1 python -m benchmarks.bench_domains [--quick] [--tasks eeg_eyes motion]
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import RunLog, data_dir, mean_std, write_results

SEEDS = (0, 1, 2)
QUICK_FOLDS = 2
LABEL_FRACTION = 0.1
# The domain default encoder (dilated_conv 64 wide, depth 10, 320 out) costs about
# 0.5 s a step on 64-channel EEG on one core; this benchmark keeps the architecture
# and shrinks it so ~260 trainings fit in an hour of one core.
SIGNAL_ENCODER = {"hidden_dims": 32, "depth": 5, "output_dims": 64}
EVENT_ENCODER = {"hidden_dims": 64}
ANCHORS = "../shared/ANCHORS.md, 'EEG and motion, measured on this machine kind'"
EVENT_ANCHORS = "../shared/ANCHORS.md, 'Event sequences measured on this machine kind'"


@dataclass(frozen=True)
class Budget:
    """Training lengths (the same for every fold and seed)."""

    pretrain_steps: int = 80
    pretrain_batch: int = 8
    supervised_steps: int = 100
    supervised_batch: int = 16
    eval_every: int = 20
    patience: int = 2


@dataclass(frozen=True)
class Task:
    """One benchmark task: the domain's config and how folds are formed.

    Attributes:
        overrides: config overrides besides the folds (domain, task, encoder).
        folds: the held-out group(s) of every fold, given the data set's groups.
        caps: most rows of train / val / test used for probing and supervised
            training (stratified; None = all), for data sets too large for the budget.
        references: rows of published / reference figures {name: {metric: value}}.
    """

    name: str
    title: str
    overrides: tuple[str, ...]
    fold_kind: str = "loso"  # loso | kfold3 | fixed
    metrics: tuple[str, ...] = ("accuracy", "macro_f1")
    caps: dict[str, int] | None = None
    references: dict[str, dict[str, float]] = field(default_factory=dict)
    reference_source: str = ANCHORS
    pretrain_overrides: tuple[str, ...] = ()


def _reference(accuracy: float, macro_f1: float, **extra: float) -> dict[str, float]:
    return {"accuracy": accuracy, "macro_f1": macro_f1, **extra}


TASKS = {
    "eeg_eyes": Task(
        name="eeg_eyes",
        title="A: EEGMMIDB eyes open vs closed (R01/R02, 2 s epochs), leave one subject out",
        overrides=("domain=eeg", "data.options.task=eyes"),
        references={
            "majority": _reference(0.500, 0.333),
            "mean/std/min/max + LR": _reference(0.779, 0.757),
            "MiniRocket + ridge": _reference(0.756, 0.718),
            "1-D CNN 100% labels": _reference(0.758, 0.717),
            "1-D CNN 10% labels": _reference(0.764, 0.724),
        },
    ),
    "eeg_fist": Task(
        name="eeg_fist",
        title="B: EEGMMIDB imagined left vs right fist (T1/T2 of R04/R08/R12, 0-4 s), "
        "leave one subject out",
        overrides=("domain=eeg", "data.options.task=fist"),
        # pretraining crops: the 640-sample epochs in two 320-sample sections
        pretrain_overrides=("data.max_train_length=320",),
        references={
            "majority": _reference(0.505, 0.335),
            "mean/std/min/max + LR": _reference(0.571, 0.513),
            "MiniRocket + ridge": _reference(0.679, 0.653),
            "1-D CNN 100% labels": _reference(0.487, 0.345),
            "1-D CNN 10% labels": _reference(0.482, 0.369),
        },
    ),
    "motion": Task(
        name="motion",
        title="C: smartwatch exercises (4 s windows, 50% overlap), leave one subject out",
        overrides=("domain=motion",),
        metrics=("accuracy", "macro_f1", "recording_accuracy"),
        references={
            "majority": _reference(0.167, 0.041, recording_accuracy=0.143),
            "mean/std/min/max + LR": _reference(0.842, 0.848, recording_accuracy=0.893),
            "MiniRocket + ridge": _reference(0.868, 0.875, recording_accuracy=0.898),
            "1-D CNN 100% labels": _reference(0.846, 0.846, recording_accuracy=0.876),
            "1-D CNN 10% labels": _reference(0.808, 0.809, recording_accuracy=0.841),
        },
    ),
    "ecg": Task(
        name="ecg",
        title="ECG: MIT-BIH DS1 beats (AAMI classes), 3 leave-patients-out folds inside DS1",
        overrides=("domain=ecg",),
        fold_kind="kfold3",
        caps={"train": 3000, "val": 2000, "test": 4000},
        reference_source="none on this protocol (DS1 folds); see ../shared/ANCHORS.md "
        "for DS1 -> DS2 figures",
    ),
    "events": Task(
        name="events",
        title="Events: BPI 2012 loan outcome (outcome events removed), fixed split",
        overrides=(
            "domain=events",
            f"encoder.params.hidden_dims={EVENT_ENCODER['hidden_dims']}",
        ),
        fold_kind="fixed",
        references={
            "hand-crafted + LightGBM": _reference(0.832, 0.795),
            "CoLES (ptls, GRU 256) + LR": _reference(0.845, 0.811),
            "CoLES (ptls) + LR, 10% labels": _reference(0.834, 0.796),
        },
        reference_source=EVENT_ANCHORS,
        pretrain_overrides=("train.batch_size=32",),
    ),
}


def _encoder_overrides(task: Task) -> list[str]:
    if task.fold_kind == "fixed":
        return []  # the event encoder is set in the task's overrides
    return [f"encoder.params.{key}={value}" for key, value in SIGNAL_ENCODER.items()]


def load_config(
    task: Task, held_out: dict[str, list[str]], seed: int, budget: Budget
) -> Any:
    """The run config of one fold and seed: the domain's defaults plus the benchmark's."""
    from tscl.domains import load_run_config

    overrides = [*task.overrides, *_encoder_overrides(task)]
    for key, names in held_out.items():
        # quoted: OmegaConf would read 201_202 as the integer 201202
        quoted = ",".join(f"'{name}'" for name in names)
        overrides.append(f"data.options.{key}=[{quoted}]")
    overrides += [
        f"train.seed={seed}",
        f"train.max_steps={budget.pretrain_steps}",
        f"train.batch_size={budget.pretrain_batch}",
        "train.progress=false",
        "train.device=cpu",
        *task.pretrain_overrides,
    ]
    return load_run_config(None, overrides)


def _groups_of(data: Any) -> tuple[list[str], Any]:
    """Every subject / patient of a loaded data set and its labelled rows (for fold balance)."""
    split = data.source.get("split") or data.source.get("patients") or {}
    names = sorted(
        {n for part in ("train", "val", "test") for n in split.get(part, [])}
    )
    return names, split


def folds_of(task: Task, quick: bool) -> list[dict[str, list[str]]]:
    """Held-out ``test_subjects`` / ``val_subjects`` of every fold (val from the training fold)."""
    if task.fold_kind == "fixed":
        return [{}]
    from tscl.domains import load_run_config
    from tscl.train.run import load_data

    data = load_data(load_run_config(None, [*task.overrides, "train.progress=false"]))
    subjects, _ = _groups_of(data)
    if task.fold_kind == "loso":
        # fold k holds out subject k; validation: the next subject (cyclic), so every
        # subject validates one fold and the choice does not depend on the seed.
        folds = [
            {"test_subjects": [s], "val_subjects": [subjects[(k + 1) % len(subjects)]]}
            for k, s in enumerate(subjects)
        ]
    else:
        folds = _patient_folds(subjects, count=3)
    return folds[:QUICK_FOLDS] if quick else folds


def _patient_folds(patients: list[str], count: int) -> list[dict[str, list[str]]]:
    """``count`` folds of DS1 patients dealt in sorted order; val: 3 patients of the next fold."""
    blocks = [patients[k::count] for k in range(count)]
    return [
        {"test_subjects": blocks[k], "val_subjects": blocks[(k + 1) % count][:3]}
        for k in range(count)
    ]


def _capped(part: Any, cap: int | None, seed: int) -> Any:
    """A class-stratified subset of at most ``cap`` rows (all rows when None or fewer)."""
    from tscl.eval.label_fractions import stratified_fraction

    if cap is None or len(part) <= cap:
        return part
    return part.subset(stratified_fraction(part.y, cap / len(part), seed=seed))


def capped_data(data: Any, caps: dict[str, int] | None, seed: int) -> Any:
    """``data`` with each labelled part capped (pretraining still sees every training row)."""
    if caps is None:
        return data
    return dataclasses.replace(
        data,
        train=_capped(data.train, caps.get("train"), seed),
        val=_capped(data.val, caps.get("val"), seed),
        test=_capped(data.test, caps.get("test"), seed),
    )


def recording_accuracy(
    recordings: np.ndarray, y_true: np.ndarray, y_pred: np.ndarray
) -> float:
    """Share of recordings whose majority predicted window label is their label."""
    hits = []
    for recording in np.unique(recordings):
        rows = recordings == recording
        votes = np.bincount(np.asarray(y_pred[rows], dtype=np.int64))
        hits.append(int(np.argmax(votes) == int(y_true[rows][0])))
    return float(np.mean(hits))


def _scores(task: Task, test: Any, predicted: np.ndarray) -> dict[str, float]:
    from tscl.eval.metrics import classification_metrics

    metrics = classification_metrics(np.asarray(test.y), np.asarray(predicted))
    scores = {"accuracy": metrics["accuracy"], "macro_f1": metrics["macro_f1"]}
    if "recording_accuracy" in task.metrics:
        scores["recording_accuracy"] = recording_accuracy(
            test.ids["recording"], np.asarray(test.y), np.asarray(predicted)
        )
    return scores


def _fraction(part: Any, fraction: float, seed: int) -> Any:
    from tscl.eval.label_fractions import stratified_fraction

    return (
        part
        if fraction >= 1.0
        else part.subset(stratified_fraction(part.y, fraction, seed=seed))
    )


def run_default(
    task: Task, config: Any, data: Any, seed: int
) -> dict[str, dict[str, float]]:
    """Pretrains on the training fold, then the domain's probe at 100% and 10% of the labels."""
    from tscl.embedding import embed_set
    from tscl.eval.holdout import logistic_holdout_protocol
    from tscl.train.run import pretrain

    with tempfile.TemporaryDirectory(prefix="tscl_bench_domains_") as folder:
        output = pretrain(config, run_dir=Path(folder), data=data)
    probed = capped_data(data, task.caps, seed)
    encoder = output.bundle.encoder
    parts = {name: getattr(probed, name) for name in ("train", "val", "test")}
    z = {name: embed_set(encoder, part, device="cpu") for name, part in parts.items()}
    rows = {}
    for fraction in (1.0, LABEL_FRACTION):
        chosen = np.arange(len(parts["train"]))
        if fraction < 1.0:
            from tscl.eval.label_fractions import stratified_fraction

            chosen = stratified_fraction(parts["train"].y, fraction, seed=seed)
        result = logistic_holdout_protocol(
            z["train"][chosen],
            parts["train"].y[chosen],
            z["val"],
            parts["val"].y,
            z["test"],
            parts["test"].y,
            seed=seed,
            keep_predictions=True,
        )
        rows[f"default_{int(fraction * 100)}"] = _scores(
            task, parts["test"], result["test_pred"]
        )
    return rows


def run_supervised(
    task: Task, config: Any, data: Any, seed: int, fraction: float, budget: Budget
) -> dict[str, float]:
    """The same encoder, freshly initialised, + a linear head trained on ``fraction`` of the labels."""
    import torch

    from tscl.builders import build_encoder
    from tscl.eval.supervised import (
        SupervisedSettings,
        predict_logits,
        train_supervised,
    )

    probed = capped_data(data, task.caps, seed)
    torch.manual_seed(seed)
    encoder = build_encoder(
        config, data.in_channels, fields=data.preprocessing.get("fields")
    )
    settings = SupervisedSettings(
        max_steps=budget.supervised_steps,
        batch_size=budget.supervised_batch,
        eval_every=budget.eval_every,
        patience=budget.patience,
    )
    model, history = train_supervised(
        encoder,
        _fraction(probed.train, fraction, seed),
        probed.val,
        num_classes=len(data.class_names),
        settings=settings,
        seed=seed,
    )
    predicted = predict_logits(model, probed.test).argmax(axis=1)
    scores = _scores(task, probed.test, predicted)
    return {**scores, "steps": history[-1]["step"]}


def majority_scores(task: Task, data: Any) -> dict[str, float]:
    """The floor: every test row gets the training fold's most frequent class."""
    common = np.bincount(np.asarray(data.train.y, dtype=np.int64)).argmax()
    return _scores(task, data.test, np.full(len(data.test), common))


MODELS = ("default_100", "default_10", "supervised_100", "supervised_10", "majority")


def run_seed(
    task: Task,
    fold: dict[str, list[str]],
    seed: int,
    budget: Budget,
    log: RunLog,
    cache: dict[str, Any],
    *,
    say: Callable[[str], None] = print,
) -> None:
    """Every model of one fold and seed not yet in ``log``; each fold's data is loaded once."""
    from tscl.train.run import load_data

    fold_name = fold_key(fold)
    pending = [m for m in MODELS if log.get(task.name, fold_name, seed, m) is None]
    if not pending:
        return
    config = load_config(task, fold, seed, budget)
    if fold_name not in cache:
        cache[fold_name] = load_data(config)  # the split does not depend on the seed
    data = cache[fold_name]
    for model in ("default", "supervised_100", "supervised_10", "majority"):
        if model == "default" and "default_100" not in pending:
            continue
        if model != "default" and model not in pending:
            continue
        cpu, wall = time.process_time(), time.perf_counter()
        if model == "default":
            results = run_default(task, config, data, seed)
        elif model == "majority":
            results = {model: majority_scores(task, capped_data(data, task.caps, seed))}
        else:
            fraction = 1.0 if model.endswith("100") else LABEL_FRACTION
            results = {
                model: run_supervised(task, config, data, seed, fraction, budget)
            }
        seconds = {
            "cpu_s": time.process_time() - cpu,
            "wall_s": time.perf_counter() - wall,
        }
        for name, scores in results.items():
            log.add(
                {
                    "task": task.name,
                    "fold": fold_name,
                    "seed": seed,
                    "model": name,
                    **scores,
                    **seconds,
                }
            )
            seconds = {
                "cpu_s": 0.0,
                "wall_s": 0.0,
            }  # one pretraining serves both probes
        shown = ", ".join(f"{n} {s['macro_f1']:.3f}" for n, s in results.items())
        say(
            f"  {task.name} {fold_name} seed {seed}: {shown} ({time.process_time() - cpu:.0f} cpu-s)"
        )


def fold_key(fold: dict[str, list[str]]) -> str:
    """The fold's name in the log: its held-out subjects, or "split" for a fixed split."""
    return "+".join(fold.get("test_subjects", ["split"]))


def fold_values(
    task: Task, rows: list[dict[str, Any]], model: str, metric: str
) -> list[float]:
    """Each fold's seed mean of ``metric`` (the seeds' values when there is one fold)."""
    chosen = [r for r in rows if r["task"] == task.name and r["model"] == model]
    folds = sorted({r["fold"] for r in chosen})
    if len(folds) == 1:
        return [float(r[metric]) for r in chosen]
    return [
        float(np.mean([r[metric] for r in chosen if r["fold"] == f])) for f in folds
    ]


def summarise(task: Task, rows: list[dict[str, Any]], model: str) -> dict[str, Any]:
    """Mean ± std over folds of each fold's seed mean (over seeds when there is one fold)."""
    chosen = [r for r in rows if r["task"] == task.name and r["model"] == model]
    if not chosen:
        return {}
    out: dict[str, Any] = {
        "folds": len({r["fold"] for r in chosen}),
        "seeds": len({r["seed"] for r in chosen}),
        "runs": len(chosen),
    }
    for metric in task.metrics:
        out[metric] = mean_std(fold_values(task, chosen, model, metric))
    out["cpu_s"] = float(sum(r["cpu_s"] for r in chosen))
    return out


LABELS = {
    "default_100": "tscl default (SSL pretrain + probe), 100% labels",
    "default_10": "tscl default (SSL pretrain + probe), 10% labels",
    "supervised_100": "same encoder from scratch, 100% labels",
    "supervised_10": "same encoder from scratch, 10% labels",
    "majority": "majority class (measured here)",
}


def describe_recipe(config: Any) -> str:
    """The pretraining recipe a task's runs used, read from its config: method, encoder and its params."""
    params = ", ".join(f"{k}={v}" for k, v in dict(config.encoder.params).items())
    return f"{config.method}, encoder {config.encoder.name} ({params})"


def table(task: Task, summary: dict[str, dict[str, Any]], budget: Budget) -> str:
    """One markdown table: this run's rows, then the reference rows with their source."""
    method = describe_recipe(load_config(task, {}, 0, budget))
    header = (
        f"### {task.title}\n"
        f"pretraining: {method}, {budget.pretrain_steps} steps, batch "
        f"{32 if task.fold_kind == 'fixed' else budget.pretrain_batch}; probe: the domain's "
        f"logistic regression, C and class weights chosen on the validation subject(s); "
        f"supervised: same encoder + linear head, AdamW 1e-3, batch {budget.supervised_batch}, "
        f"<= {budget.supervised_steps} steps, early stopping on validation macro-F1 every "
        f"{budget.eval_every} steps (patience {budget.patience}); 10% = stratified 10% of the "
        f"training labels"
        + (f"; rows capped (stratified) at {task.caps}" if task.caps else "")
        + (
            f"; pretraining also {', '.join(task.pretrain_overrides)}"
            if task.pretrain_overrides
            else ""
        )
        + "\n\n"
    )
    names = " | ".join(task.metrics)
    lines = [
        f"| system | {names} | folds x seeds (runs) | cpu s |",
        "|---|" + "---|" * (len(task.metrics) + 2),
    ]
    for model in MODELS:
        row = summary.get(model)
        if not row:
            continue
        cells = " | ".join(f"{row[m][0]:.3f} ± {row[m][1]:.3f}" for m in task.metrics)
        lines.append(
            f"| {LABELS[model]} | {cells} | {row['folds']} x {row['seeds']} ({row['runs']}) | {row['cpu_s']:.0f} |"
        )
    for name, values in task.references.items():
        cells = " | ".join(
            f"{values[m]:.3f}" if m in values else "-" for m in task.metrics
        )
        lines.append(f"| reference: {name} | {cells} | | |")
    return (
        header + "\n".join(lines) + f"\n\nreference source: {task.reference_source}\n"
    )


def benchmark(
    tasks: Sequence[str],
    *,
    quick: bool = False,
    fresh: bool = False,
    budget: Budget = Budget(),
    log_name: str = "domains",
    folds_limit: int | None = None,
    report_only: bool = False,
    seeds: Sequence[int] | None = None,
) -> dict[str, Any]:
    """Runs (or resumes) every task; returns the summary per task and model.

    With ``report_only`` nothing runs: the tables summarise what the log holds.
    """
    import torch

    torch.set_num_threads(1)
    data_dir()  # fails early with a clear line when the data is absent
    if seeds is None:
        seeds = SEEDS[:1] if quick else SEEDS
    log = RunLog(
        log_name + ("_quick" if quick else ""),
        ("task", "fold", "seed", "model"),
        fresh=fresh,
    )
    started = time.process_time()
    out: dict[str, Any] = {"_runs": {}}
    for name in tasks:
        task = TASKS[name]
        if report_only:
            rows = [r for r in log.rows.values() if r["task"] == name]
            out[name] = {model: summarise(task, rows, model) for model in MODELS}
            print("\n" + table(task, out[name], budget), flush=True)
            continue
        folds = folds_of(task, quick)[:folds_limit]
        print(f"{name}: {len(folds)} folds x {len(seeds)} seeds", flush=True)
        cache: dict[str, Any] = {}
        # seed-major: a run stopped early still covers every held-out subject once
        for seed in seeds:
            for fold in folds:
                run_seed(
                    task,
                    fold,
                    seed,
                    budget,
                    log,
                    cache,
                    say=lambda line: print(line, flush=True),
                )
        del cache
        wanted = {fold_key(f) for f in folds}
        rows = [
            r for r in log.rows.values() if r["fold"] in wanted and r["seed"] in seeds
        ]
        out[name] = {model: summarise(task, rows, model) for model in MODELS}
        out["_runs"][name] = rows
        print("\n" + table(task, out[name], budget), flush=True)
    out["_cpu_s_this_invocation"] = time.process_time() - started
    return out


def suite_table(task: Task, rows: list[dict[str, Any]], budget: Budget) -> dict:
    """One task as a registry table: per-fold values (mean ± std over folds), then references."""
    spread = "seeds" if task.fold_kind == "fixed" else "held-out folds (seed means)"
    body = []
    for model in MODELS:
        if not any(r["model"] == model for r in rows):
            continue
        values = [fold_values(task, rows, model, m) for m in task.metrics]
        body.append([LABELS[model], *values])
    for name, refs in task.references.items():
        body.append([f"reference: {name}", *(refs.get(m) for m in task.metrics)])
    return {
        "title": f"{task.title}; {describe_recipe(load_config(task, {}, 0, budget))}, "
        f"{budget.pretrain_steps} pretraining steps; mean ± std over {spread}",
        "columns": ["system", *task.metrics],
        "formats": ["", *(".3f" for _ in task.metrics)],
        "rows": body,
    }


def run(
    tasks: list[str] | None = None,
    seeds: list[int] | None = None,
    folds: int | None = None,
    fresh: bool = False,
) -> dict[str, Any]:
    """The suite (contract: benchmarks/README.md): every task's table beside its references.

    Args:
        tasks: names in ``TASKS`` (default: all).
        seeds: default all of ``SEEDS``.
        folds: run only the first ``folds`` folds of each task (default: all).
        fresh: ignore runs logged by earlier invocations (else they are reused).
    """
    names = list(tasks or TASKS)
    unknown = sorted(set(names) - set(TASKS))
    if unknown:
        raise ValueError(f"tasks: unknown {unknown}; expected some of {list(TASKS)}")
    import torch

    budget = Budget()
    threads = torch.get_num_threads()  # benchmark() runs on one thread; restore after
    try:
        summary = benchmark(
            names, fresh=fresh, budget=budget, folds_limit=folds, seeds=seeds
        )
    finally:
        torch.set_num_threads(threads)
    metrics = {}
    for name in names:
        for model in ("default_100", "default_10", "supervised_100", "supervised_10"):
            found = summary[name].get(model)
            if found:
                metrics[f"{name}.{model}.macro_f1"] = found["macro_f1"][0]
    sources = sorted({TASKS[n].reference_source for n in names})
    runs = [r for n in names for r in summary["_runs"][n]]
    spent = sum(float(r.get("cpu_s", 0.0)) for r in runs)
    return {
        "tables": [suite_table(TASKS[n], summary["_runs"][n], budget) for n in names],
        "metrics": metrics,
        "notes": [
            f"Each task's recipe (the domain's method and encoder, sized {SIGNAL_ENCODER} for "
            f"signals, GRU {EVENT_ENCODER['hidden_dims']} for events) is in its title; budget "
            f"{dataclasses.asdict(budget)}.",
            "default = self-supervised pretraining + the domain's logistic probe; "
            "supervised = the same encoder from scratch + a linear head; 10% = a "
            "stratified 10% of the training labels. Validation subjects select C and stop training.",
            f"The {len(runs)} runs in these tables took {spent:.0f} CPU s in all (runs logged by "
            "earlier invocations are read back, so the suite's own wall / CPU time can be less).",
        ],
        "sources": ["measured in this run", *sources],
        "summary": summary,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="+", choices=list(TASKS), default=list(TASKS))
    parser.add_argument(
        "--quick", action="store_true", help="one seed, two folds per task"
    )
    parser.add_argument("--fresh", action="store_true", help="ignore logged runs")
    parser.add_argument(
        "--report", action="store_true", help="print the tables of the logged runs only"
    )
    parser.add_argument(
        "--seeds",
        type=int,
        nargs="+",
        choices=SEEDS,
        default=None,
        help="run only these seeds (e.g. one seed of every task first)",
    )
    args = parser.parse_args(argv)
    began = time.perf_counter()
    summary = benchmark(
        args.tasks,
        quick=args.quick,
        fresh=args.fresh,
        report_only=args.report,
        seeds=args.seeds,
    )
    wall = time.perf_counter() - began
    print(
        f"wall {wall:.0f} s, cpu {summary['_cpu_s_this_invocation']:.0f} s (this invocation)"
    )
    path = write_results(
        "domains_quick" if args.quick else "domains",
        {
            "budget": dataclasses.asdict(Budget()),
            "signal_encoder": SIGNAL_ENCODER,
            "summary": summary,
            "wall_s": wall,
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
