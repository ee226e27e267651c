"""Event sequences: tscl's event recipes against hand-crafted features and pytorch-lifestream's CoLES.

Task (issue 12, as ../shared/ANCHORS.md measured it): BPI 2012 loan outcome,
each case cut before its first outcome-revealing activity, token =
activity|lifecycle, requested amount, seconds since the previous kept event;
split ``bpi2012_outcome.json`` (train 8,881 / valid 1,903 / test 1,904).
Pretraining reads every case of the log with at least one kept event (the
``unknown`` cases and all splits, without labels), coded with the training
vocabulary and scalers. Probes see train embeddings only: logistic regression
(C and class weights chosen on valid) and LightGBM (trees by early stopping on
valid, leaves / class weights by valid macro-F1), with 100% of the train labels
and stratified 10% (seed = the run's seed; valid kept whole). Everything is
chosen on valid; test is scored once per seed.

Rows: ``coles``, ``mem`` (masked event modelling alone), ``coles_mem`` (their
sum), ``hybrid`` (``coles_mem align=true``), the hand-crafted features, and the
events default (the domain's default recipe; its features, embedding alone or
embedding + hand-crafted, and its probe chosen on valid macro-F1). BPI 2011
(diagnosis group, 6 classes) runs the events default and the hand-crafted
LightGBM baseline. The speed table runs pytorch-lifestream 0.7.0 CoLES
(``pip install .[bench]``) and tscl ``coles`` at equal settings (GRU 256, 256
sequences x 5 slices of 3-40 events, Adam 1e-3, the same pretraining cases),
interleaved, and prints seconds per epoch; both embeddings are probed alike.

    OMP_NUM_THREADS=1 python -m benchmarks.bench_events [--quick]
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections.abc import Sequence
from functools import partial
from typing import Any

import numpy as np

from benchmarks.common import SuiteSkipped, data_dir, mean_std, write_results

SOURCE = "../shared/ANCHORS.md, 'Event sequences measured on this machine kind'"
BPI2012 = "bpi2012_loan_applications"
BPI2011 = "bpi2011_hospital_log"
RECIPES: dict[str, tuple[str, ...]] = {
    "coles": ("method=coles",),
    "mem": ("method=mem",),
    "coles_mem": ("method=coles_mem",),
    "hybrid": ("method=coles_mem", "method_params.align=true"),
}
METRICS = ("auroc", "accuracy", "macro_f1")
# (AUROC, accuracy, macro-F1) on test, ../shared/ANCHORS.md
REFERENCES = {
    "ptls CoLES GRU 256, 15 ep + LR": ((0.959, 0.845, 0.811), (0.950, 0.834, 0.796)),
    "ptls CoLES + LightGBM": ((0.957, 0.843, 0.806), (None, None, None)),
    "ptls CoLES + hand-crafted + LR": ((0.959, 0.848, 0.814), (None, None, None)),
    "hand-crafted + LightGBM (ANCHORS)": (
        (0.956, 0.832, 0.795),
        (0.947, 0.830, 0.794),
    ),
    "hand-crafted + LR (ANCHORS)": ((0.954, 0.831, 0.793), (None, None, None)),
}
FRACTIONS = (1.0, 0.1)


# --------------------------------------------------------------------------- run log


class Runs:
    """Finished (part, seed) units of the suite, resumed from a run log.

    With ``ledger`` the log is the committed ``benchmarks/ledger/events_runs.jsonl``
    (the full run, about 3 hours of one core, is longer than one sitting); the
    settings that shape a unit are part of its key, so a unit measured under
    other settings is never reused.
    """

    def __init__(self, ledger: bool) -> None:
        from benchmarks.common import RunLog

        self.log = RunLog("events", ("part", "seed", "settings"), ledger=ledger)
        self.used: list[dict[str, Any]] = []

    def get(self, part: str, seed: int, settings: str, compute: Any) -> Any:
        row, _ = self.log.get_or_run(
            (part, seed, settings), lambda: {"value": compute()}
        )
        self.used.append(row)
        return row["value"]


def _scores_out(scores: dict[tuple[str, str, float], dict[str, float]]) -> list[Any]:
    return [[*key, value] for key, value in scores.items()]


def _scores_in(rows: list[Any]) -> dict[tuple[str, str, float], dict[str, float]]:
    return {(v, n, float(f)): s for v, n, f, s in rows}


# --------------------------------------------------------------------------- data


def load_task(dataset: str) -> tuple[Any, Any]:
    """(TrainingData of the fixed split, EventSet of every non-empty case for pretraining)."""
    from tscl.domains import load_run_config
    from tscl.domains.events.load import embed_events_input
    from tscl.train.run import load_data

    folder = data_dir() / "event_sequences" / dataset
    if not (folder / "events.parquet").is_file():
        raise SuiteSkipped(f"{folder}/events.parquet is absent")
    data = load_data(load_run_config(None, ["domain=events", f"dataset={dataset}"]))
    every, _ = embed_events_input(data.preprocessing, None, folder / "events.parquet")
    return data, every.subset(every.lengths() > 0)


def default_overrides() -> list[str]:
    """The events domain's default recipe as overrides (method and its params)."""
    from tscl.domains.events import EVENTS

    defaults = EVENTS.defaults
    params = defaults.get("method_params", {})
    return [f"method={defaults['method']}"] + [
        f"method_params.{k}={str(v).lower() if isinstance(v, bool) else v}"
        for k, v in params.items()
    ]


def pretrain_embed(
    data: Any,
    every: Any,
    recipe: Sequence[str],
    *,
    seed: int,
    steps: int,
    hidden: int,
    batch: int,
    dataset: str,
    extra: Sequence[str] = (),
) -> tuple[dict[str, np.ndarray], float]:
    """Pretrain one recipe on ``every`` -> (split -> embeddings, pretraining seconds)."""
    import tempfile

    from tscl.domains import load_run_config
    from tscl.embedding import embed_set
    from tscl.train.run import pretrain

    config = load_run_config(
        None,
        [
            "domain=events",
            f"dataset={dataset}",
            *recipe,
            f"encoder.params.hidden_dims={hidden}",
            f"train.max_steps={steps}",
            f"train.batch_size={batch}",
            f"train.seed={seed}",
            "train.progress=false",
            "train.device=cpu",
            "train.val_every=0",
            *extra,
        ],
    )
    with tempfile.TemporaryDirectory() as run_dir:
        start = time.perf_counter()
        output = pretrain(
            config, run_dir=run_dir, data=dataclasses.replace(data, train=every)
        )
        seconds = time.perf_counter() - start
    encoder = output.bundle.encoder
    parts = {"train": data.train, "val": data.val, "test": data.test}
    return {k: embed_set(encoder, v, device="cpu") for k, v in parts.items()}, seconds


def handcrafted(data: Any) -> dict[str, np.ndarray]:
    from tscl.domains.events.features import handcrafted_features

    parts = {"train": data.train, "val": data.val, "test": data.test}
    return {k: handcrafted_features(v, data.preprocessing) for k, v in parts.items()}


# --------------------------------------------------------------------------- probes


def probe(
    name: str, features: dict[str, np.ndarray], data: Any, fraction: float, seed: int
) -> dict[str, float]:
    """Test metrics and val macro-F1 of one probe on ``fraction`` of the train labels."""
    from tscl.eval import HOLDOUT_PROBES
    from tscl.eval.label_fractions import stratified_fraction

    rows = (
        np.arange(len(data.train.y))
        if fraction >= 1
        else stratified_fraction(data.train.y, fraction, seed)
    )
    protocol = HOLDOUT_PROBES["holdout" if name == "LR" else "holdout_lightgbm"]
    scores = protocol(
        features["train"][rows],
        data.train.y[rows],
        features["val"],
        data.val.y,
        features["test"],
        data.test.y,
        seed=seed,
    )
    return {k: float(scores[k]) for k in (*METRICS, "val_macro_f1")}


def joined(*parts: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {k: np.concatenate([p[k] for p in parts], axis=1) for k in parts[0]}


def probe_grid(
    variants: dict[str, dict[str, np.ndarray]], data: Any, seed: int
) -> dict[tuple[str, str, float], dict[str, float]]:
    """(features, probe, fraction) -> scores for every feature variant."""
    return {
        (variant, name, fraction): probe(name, features, data, fraction, seed)
        for variant, features in variants.items()
        for name in ("LR", "LightGBM")
        for fraction in FRACTIONS
    }


def chosen_on_val(
    scores: dict[tuple[str, str, float], dict[str, float]], fraction: float
) -> tuple[tuple[str, str, float], dict[str, float]]:
    """The (features, probe) of highest valid macro-F1 at ``fraction``."""
    options = {k: v for k, v in scores.items() if k[2] == fraction}
    key = max(options, key=lambda k: options[k]["val_macro_f1"])
    return key, options[key]


# --------------------------------------------------------------------------- ptls


def ptls_coles_seconds(
    every: Any,
    preprocessing: dict[str, Any],
    *,
    epochs: int,
    hidden: int,
    batch: int,
    seed: int,
) -> tuple[Any, float]:
    """pytorch-lifestream CoLES (its defaults: margin loss, 5 hard negatives) -> (encoder, seconds)."""
    try:
        import pytorch_lightning as pl
        import torch
        from ptls.data_load.padded_batch import PaddedBatch  # noqa: F401
        from ptls.frames.coles import ColesDataset, CoLESModule
        from ptls.frames.coles.split_strategy import SampleSlices
        from ptls.nn import RnnSeqEncoder, TrxEncoder
    except ImportError as err:
        raise SuiteSkipped(f"pytorch-lifestream is not installed ({err})") from err
    torch.manual_seed(seed)
    fields = preprocessing["fields"]
    records = [
        {
            **{k: torch.as_tensor(v) for k, v in s.items()},
            "event_time": torch.arange(len(s["token"]), dtype=torch.float32),
        }
        for s in every.sequences
    ]
    trx = TrxEncoder(
        embeddings={n: {"in": v, "out": 32} for n, v in fields["categorical"].items()},
        numeric_values={n: "identity" for n in fields["numeric"]},
    )
    encoder = RnnSeqEncoder(trx_encoder=trx, hidden_size=hidden, type="gru")
    module = CoLESModule(
        seq_encoder=encoder,
        optimizer_partial=partial(torch.optim.Adam, lr=1e-3),
        lr_scheduler_partial=partial(
            torch.optim.lr_scheduler.StepLR, step_size=30, gamma=1.0
        ),
    )
    dataset = ColesDataset(records, splitter=SampleSlices(5, 3, 40))
    loader = torch.utils.data.DataLoader(
        dataset,
        batch_size=batch,
        shuffle=True,
        collate_fn=dataset.collate_fn,
        num_workers=0,
    )
    trainer = pl.Trainer(
        max_epochs=epochs,
        accelerator="cpu",
        devices=1,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    start = time.perf_counter()
    trainer.fit(module, loader)
    return encoder, time.perf_counter() - start


def ptls_embed(encoder: Any, data: Any) -> dict[str, np.ndarray]:
    import torch
    from ptls.data_load.padded_batch import PaddedBatch

    encoder.eval()
    out = {}
    with torch.no_grad():
        for part in ("train", "val", "test"):
            rows, chunks = getattr(data, part), []
            for start in range(0, len(rows), 256):
                from tscl.data.event_batches import collate_events

                batch = collate_events(rows.sequences[start : start + 256])
                padded = PaddedBatch(dict(batch.fields), batch.lengths.clamp(min=1))
                chunks.append(encoder(padded).numpy())
            out[part] = np.concatenate(chunks)
    return out


# --------------------------------------------------------------------------- run


def _cells(per_seed: list[dict[str, float]]) -> list[list[float]]:
    return [[s[m] for s in per_seed] for m in METRICS]


def domain_budget() -> tuple[int, int, int]:
    """(steps, GRU width, batch) of the events domain's default config."""
    from tscl.domains.events import EVENTS

    defaults = EVENTS.defaults
    return (
        int(defaults["train"]["max_steps"]),
        int(defaults["encoder"]["params"]["hidden_dims"]),
        int(defaults["train"]["batch_size"]),
    )


def run(
    seeds: Sequence[int] = (0, 1, 2),
    steps: int | None = None,
    hidden: int | None = None,
    batch: int | None = None,
    recipes: Sequence[str] = tuple(RECIPES),
    speed_epochs: int = 1,
    speed_seeds: Sequence[int] = (0,),
    speed_cases: int = 0,
    bpi2011: bool = True,
    bpi2011_steps: int = 300,
    ledger: bool = False,
) -> dict[str, Any]:
    """The three tables of the module docstring; see benchmarks/README.md for the contract.

    ``steps`` / ``hidden`` / ``batch`` not given are the events domain's
    defaults (so the "events default" row is the default a user gets).
    ``ledger``: keep finished units in the committed run ledger (``Runs``).
    """
    import torch

    default_steps, default_hidden, default_batch = domain_budget()
    steps = default_steps if steps is None else steps
    hidden = default_hidden if hidden is None else hidden
    batch = default_batch if batch is None else batch

    torch.set_num_threads(1)
    data, every = load_task(BPI2012)
    hc = handcrafted(data)
    default = default_overrides()
    names = list(recipes)
    per: dict[str, dict[float, list[dict[str, float]]]] = {}
    seconds: dict[str, list[float]] = {}
    choices: dict[float, list[str]] = {f: [] for f in FRACTIONS}
    raw: list[dict[str, Any]] = []

    def add(row: str, fraction: float, scores: dict[str, float]) -> None:
        per.setdefault(row, {}).setdefault(fraction, []).append(scores)

    runs = Runs(ledger)
    budget = f"gru{hidden}-steps{steps}-batch{batch}"
    for seed in seeds:
        base = probe_grid({"hand-crafted": hc}, data, seed)
        for (_, name, fraction), scores in base.items():
            add(f"hand-crafted + {name}", fraction, scores)
        for recipe in names:
            is_default = list(RECIPES[recipe]) == default

            def measure(
                recipe: str = recipe, is_default: bool = is_default, seed: int = seed
            ) -> Any:
                z, took = pretrain_embed(
                    data, every, RECIPES[recipe], seed=seed, steps=steps,
                    hidden=hidden, batch=batch, dataset=BPI2012,
                )  # fmt: skip
                variants = {"embedding": z}
                if is_default:
                    variants["embedding + hand-crafted"] = joined(z, hc)
                scores = probe_grid(variants, data, seed)
                return {"seconds": took, "scores": _scores_out(scores)}

            unit = runs.get(f"bpi2012 {recipe}", seed, budget, measure)
            took, scores = unit["seconds"], _scores_in(unit["scores"])
            seconds.setdefault(recipe, []).append(took)
            for (variant, name, fraction), s in scores.items():
                if variant == "embedding":
                    add(f"{recipe} + {name}", fraction, s)
            if is_default:
                for fraction in FRACTIONS:
                    key, s = chosen_on_val(scores, fraction)
                    add("events default", fraction, s)
                    choices[fraction].append(f"{key[0]} + {key[1]}")
            raw.append({"seed": seed, "recipe": recipe, "seconds": took,
                        "scores": {str(k): v for k, v in scores.items()}})  # fmt: skip
            print(f"seed {seed} {recipe}: {took:.0f} s", flush=True)
            for key, s in scores.items():
                print("  ", key, {m: round(v, 4) for m, v in s.items()}, flush=True)
    tables, checks, metrics, notes = [], {}, {}, []
    rows = []
    for row, by_fraction in per.items():
        for fraction in FRACTIONS:
            if fraction in by_fraction:
                label = "100%" if fraction == 1 else "10%"
                rows.append([row, label, *_cells(by_fraction[fraction])])
    for row, (full, tenth) in REFERENCES.items():
        rows.append([f"{row} [ref]", "100%", *full])
        if tenth[0] is not None:
            rows.append([f"{row} [ref]", "10%", *tenth])
    tables.append(
        {
            "title": f"BPI 2012 outcome, test (GRU {hidden}, {steps} steps of {batch} "
            f"sequences; mean ± std over seeds {list(seeds)})",
            "columns": ["model", "labels", "AUROC", "accuracy", "macro-F1"],
            "rows": rows,
            "formats": ["", "", ".3f", ".3f", ".3f"],
        }
    )
    if "events default" in per:
        for fraction, target in ((1.0, 0.83), (0.1, 0.80)):
            f1 = mean_std([s["macro_f1"] for s in per["events default"][fraction]])[0]
            label = "100" if fraction == 1 else "10"
            metrics[f"default_macro_f1_{label}"] = f1
            checks[f"events default macro-F1 >= {target} at {label}% labels"] = (
                f1 >= target
            )
            notes.append(
                f"events default at {label}%: chosen on valid per seed: "
                + ", ".join(choices[fraction])
            )
    notes.append("events default recipe: " + " ".join(default))
    notes.append(
        "pretraining seconds (one thread): "
        + ", ".join(f"{r} {mean_std(s)[0]:.0f}" for r, s in seconds.items())
    )
    result: dict[str, Any] = {
        "tables": tables,
        "checks": checks,
        "metrics": metrics,
        "notes": notes,
        "sources": [SOURCE, "everything else measured by this suite (runs: the note)"],
        "runs": raw,
    }
    if bpi2011:
        _bpi2011(result, runs, seeds, bpi2011_steps, hidden, batch, default)
    if speed_epochs > 0:
        if speed_cases:  # the first cases of the log, for a short run
            every = every.subset(np.arange(min(speed_cases, len(every))))
        _speed(result, runs, data, every, speed_epochs, speed_seeds)
    if ledger:
        result["notes"].append(runs.log.provenance(runs.used))
    return result


def _bpi2011(
    result: dict[str, Any],
    runs: Runs,
    seeds: Sequence[int],
    steps: int,
    hidden: int,
    batch: int,
    default: list[str],
) -> None:
    data, every = load_task(BPI2011)
    hc = handcrafted(data)
    rows: dict[str, list[dict[str, float]]] = {}
    for seed in seeds:
        base = probe_grid({"hand-crafted": hc}, data, seed)
        rows.setdefault("hand-crafted + LightGBM", []).append(
            base[("hand-crafted", "LightGBM", 1.0)]
        )

        def measure(seed: int = seed) -> Any:
            z, _ = pretrain_embed(
                data, every, default, seed=seed, steps=steps, hidden=hidden,
                batch=batch, dataset=BPI2011,
            )  # fmt: skip
            scores = probe_grid(
                {"embedding": z, "embedding + hand-crafted": joined(z, hc)}, data, seed
            )
            return _scores_out(scores)

        budget = f"gru{hidden}-steps{steps}-batch{batch}"
        scores = _scores_in(runs.get("bpi2011 default", seed, budget, measure))
        rows.setdefault("events default (chosen on valid)", []).append(
            chosen_on_val(scores, 1.0)[1]
        )
        rows.setdefault("events default embedding + LR", []).append(
            scores[("embedding", "LR", 1.0)]
        )
    table = [[name, *_cells(s)] for name, s in rows.items()]
    table.append(["hand-crafted + LightGBM [ref]", 0.875, None, 0.572])
    table.append(["ptls CoLES + LR [ref, one seed]", 0.738, None, 0.401])
    result["tables"].append(
        {
            "title": "BPI 2011 diagnosis group (6 classes), test, 100% labels",
            "columns": ["model", "AUROC", "accuracy", "macro-F1"],
            "rows": table,
            "formats": ["", ".3f", ".3f", ".3f"],
        }
    )
    auroc = mean_std([s["auroc"] for s in rows["events default (chosen on valid)"]])[0]
    result["metrics"]["bpi2011_default_auroc"] = auroc
    result["checks"]["BPI 2011 events default AUROC >= .875"] = auroc >= 0.875


def ptls_missing() -> str | None:
    """Why pytorch-lifestream cannot be imported here, or None when it can."""
    try:
        import pytorch_lightning  # noqa: F401
        from ptls.frames.coles import CoLESModule  # noqa: F401
    except ImportError as err:
        return str(err)
    return None


def _speed(
    result: dict[str, Any],
    runs: Runs,
    data: Any,
    every: Any,
    epochs: int,
    seeds: Sequence[int],
) -> None:
    """ptls CoLES and tscl coles at equal settings, interleaved seed by seed.

    tscl trains as a user gets it, with its default weight averaging (SWA: part
    of tscl's recipe, no measurable time; ptls CoLES has none); each unit's
    ledger key names the averaging.

    Without pytorch-lifestream installed the speed table is left out with a note
    (the suite's other tables still run).
    """
    missing = ptls_missing()
    if missing:
        result["notes"].append(
            f"speed table not measured: pytorch-lifestream is not installed ({missing}); "
            "install it beside tscl with `pip install --no-deps pytorch-lifestream==0.7.0` "
            "plus the modules its CoLES imports (pyproject.toml says which)"
        )
        return
    from tscl.config import TrainConfig

    hidden, batch, averaging = 256, 256, TrainConfig().averaging
    steps = epochs * int(np.ceil(len(every) / batch))
    timing: dict[str, list[float]] = {"tscl coles": [], "ptls CoLES": []}
    quality: dict[str, list[dict[str, float]]] = {"tscl coles": [], "ptls CoLES": []}
    for seed in seeds:

        def measure(seed: int = seed) -> Any:
            z, tscl_s = pretrain_embed(
                data, every, RECIPES["coles"], seed=seed, steps=steps, hidden=hidden,
                batch=batch, dataset=BPI2012,
            )  # fmt: skip
            tscl = probe("LR", z, data, 1.0, seed)
            encoder, ptls_s = ptls_coles_seconds(
                every, data.preprocessing, epochs=epochs, hidden=hidden, batch=batch,
                seed=seed,
            )  # fmt: skip
            ptls = probe("LR", ptls_embed(encoder, data), data, 1.0, seed)
            return {"tscl_s": tscl_s, "ptls_s": ptls_s, "tscl": tscl, "ptls": ptls}

        settings = (
            f"gru{hidden}-batch{batch}-epochs{epochs}-cases{len(every)}-avg{averaging}"
        )
        unit = runs.get("speed", seed, settings, measure)
        timing["tscl coles"].append(unit["tscl_s"])
        timing["ptls CoLES"].append(unit["ptls_s"])
        quality["tscl coles"].append(unit["tscl"])
        quality["ptls CoLES"].append(unit["ptls"])
        print(f"speed seed {seed}: {timing}", flush=True)
    rows = [
        [name, [t / epochs for t in timing[name]], *_cells(quality[name])]
        for name in timing
    ]
    ratio = float(np.mean(timing["ptls CoLES"]) / np.mean(timing["tscl coles"]))
    rows.append(["ptls CoLES, 15 epochs [ref]", 1430 / 15, 0.959, 0.845, 0.811])
    result["tables"].append(
        {
            "title": f"Pretraining at equal settings: GRU {hidden}, {batch} sequences x 5 "
            f"slices of 3-40 events, {epochs} epoch(s) of {steps // epochs} steps, one thread; "
            f"tscl weight averaging: {averaging}",
            "columns": [
                "pretraining",
                "s / epoch",
                "AUROC (LR)",
                "accuracy",
                "macro-F1",
            ],
            "rows": rows,
            "formats": ["", ".1f", ".3f", ".3f", ".3f"],
        }
    )
    result["metrics"]["ptls_over_tscl_seconds"] = ratio
    f1 = {k: float(np.mean([s["macro_f1"] for s in v])) for k, v in quality.items()}
    result["checks"]["tscl coles >= 5x faster than ptls CoLES"] = ratio >= 5
    result["checks"]["tscl coles embedding at least as good (macro-F1)"] = (
        f1["tscl coles"] >= f1["ptls CoLES"]
    )
    result["notes"].append(
        f"speed: ptls / tscl pretraining seconds = {ratio:.2f} over {epochs} epoch(s) "
        f"(the reference settings are 15 epochs; per-epoch time compared)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    from benchmarks.registry import SUITES

    settings = SUITES["events"].settings("quick" if args.quick else "full")
    payload = run(**settings)
    for table in payload["tables"]:
        print(table["title"])
        for row in table["rows"]:
            print("  ", row)
    print(payload["checks"])
    write_results("events", payload)


if __name__ == "__main__":
    main()
