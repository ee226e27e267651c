"""Forecasting against encoder-free baselines and published contrastive forecasters, leakage-free.

    python -m benchmarks.bench_forecast [--sets ETTh1 ETTh2 ...] [--settings univariate]
        [--seeds 0 1 2] [--systems ...] [--pretrain-steps N] [--e2e-steps N] [--fresh]

Protocol, every system: inputs are the target(s) plus 7 calendar covariates
scaled on the training rows; encoders and heads are fitted on the training rows
only; every feature and forecast at step t reads rows up to t only (each split
encoded from causal windows that reach back into earlier rows, never forward);
ridge alphas, lag counts, target forms and the default system are chosen on
validation; the test split is scored once per system. MSE / MAE on the scaled
test targets. Runs finished earlier are read back from
results/forecast_runs.jsonl, or with ``--ledger`` (``make bench``) from the
committed ledger/forecast_runs.jsonl (``--fresh`` ignores them).

Systems: last value, seasonal naive (a day / a week / a year of steps) and
ridge on raw lags (201, values or change from the last value, chosen on
validation); TS2Vec frozen + ridge (TS2Vec's protocol); TS2Vec + raw lags
(embedding beside 201 lags, or alone, chosen on validation); AutoTCL frozen +
ridge; the end-to-end forecaster (MSE only, and MSE + 0.1 x TS2Vec's loss on
the same encoder; its number of steps chosen on validation among 10, 20, 40,
... up to ``e2e_steps``); "tscl default": per horizon, the validation-best of TS2Vec
+ raw lags and the two end-to-end models.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import torch

from benchmarks.common import RunLog, mean_std, print_tables, write_results
from benchmarks.forecast_sets import PUBLISHED, SETS, load_set
from tscl.config import EvalConfig, TrainConfig
from tscl.data.sections import prepare_pretraining_array
from tscl.domains.forecast.baselines import BASELINES, encoder_free_forecasts
from tscl.domains.forecast.direct import (
    direct_split_forecasts,
    score_direct,
    train_end_to_end,
)
from tscl.domains.forecast.end_to_end import EndToEndForecaster
from tscl.domains.forecast.protocol import (
    ForecastData,
    embedding_feature_sets,
    split_features,
)
from tscl.encoders.dilated_conv import DilatedConvEncoder
from tscl.eval.forecast import ridge_forecast_protocol
from tscl.eval.forecast_select import select_ridge_forecast
from tscl.methods.autotcl import AutoTCL
from tscl.methods.ts2vec import TS2Vec, default_steps
from tscl.train.loop import fit

FROZEN = {"TS2Vec frozen + ridge": "ts2vec", "AutoTCL frozen + ridge": "autotcl"}
LAGGED = "TS2Vec + raw lags"
E2E = {"end-to-end MSE": 0.0, "end-to-end MSE + TS2Vec loss": 0.1}
SYSTEMS = [*FROZEN, LAGGED, *E2E]
DEFAULT = "tscl default (val-chosen)"
DEFAULT_FROM = [LAGGED, *E2E]
LAGS = 201
EMBEDDING_WEIGHTS = EvalConfig().embedding_weights  # the domain's default candidates


def pretrain(data: ForecastData, method: str, seed: int, steps: int | None) -> Any:
    """A frozen encoder pretrained on the training rows (TS2Vec's defaults)."""
    rows = prepare_pretraining_array(data.x[None, :, data.split("train")], 3000)
    torch.manual_seed(seed)
    recipe = {"ts2vec": TS2Vec, "autotcl": AutoTCL}[method]
    model = recipe(DilatedConvEncoder(data.x.shape[0]), max_train_length=3000)
    result = fit(
        model,
        torch.from_numpy(rows),
        TrainConfig(seed=seed, progress=False),
        max_steps=steps or default_steps(rows.size),
    )
    return result.encoder


def _plain(scores: dict[int, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    keep = ("mse", "mae", "val_mse", "features", "relative", "alpha")
    return {str(h): {k: s[k] for k in keep if k in s} for h, s in scores.items()}


def frozen_runs(
    data: ForecastData,
    horizons: list[int],
    method: str,
    seed: int,
    steps: int | None,
    padding: int,
) -> dict[str, Any]:
    """Frozen + ridge (and for TS2Vec, + raw lags) from one pretraining and one encoding."""
    encoder = pretrain(data, method, seed, steps)
    features = split_features(encoder, data, padding=padding, device="cpu")
    targets = {name: data.targets(name) for name in ("train", "val", "test")}
    runs = {
        f"{'TS2Vec' if method == 'ts2vec' else 'AutoTCL'} frozen + ridge": _plain(
            ridge_forecast_protocol(
                features, targets, horizons, drop=padding, seed=seed
            )
        )
    }
    if method == "ts2vec":
        sets = embedding_feature_sets(features, data, (0, LAGS), EMBEDDING_WEIGHTS)
        runs[LAGGED] = _plain(
            select_ridge_forecast(sets, targets, horizons, drop=padding, seed=seed)
        )
    return runs


def e2e_run(
    data: ForecastData,
    horizons: list[int],
    weight: float,
    seed: int,
    steps: int,
    padding: int,
) -> dict[str, Any]:
    torch.manual_seed(seed)
    encoder = DilatedConvEncoder(data.x.shape[0])
    model = EndToEndForecaster(
        encoder,
        num_targets=data.num_targets,
        horizon=max(horizons),
        lookback=padding + 1,
        contrastive=TS2Vec(encoder) if weight > 0 else None,
        weight=weight,
    )
    checks = [n for n in (10, 20, 40, 80, 160, 320, 640) if n < steps]
    train_end_to_end(model, data, steps=steps, seed=seed, val_steps=checks)
    forecasts = direct_split_forecasts(model, data, splits=("val", "test"))
    scores = _plain(score_direct(forecasts, data, horizons))
    for entry in scores.values():
        entry["steps"] = model.chosen_steps  # chosen on validation
    return scores


def collect(
    name: str,
    setting: str,
    seeds: list[int],
    systems: list[str],
    steps: dict[str, int | None],
    log: RunLog,
    logged_only: bool = False,
    used: list[dict[str, Any]] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """{system: [scores per seed]}: runs read back from the log or run now (not with ``logged_only``).

    ``used`` collects the log rows behind the scores (their provenance).
    """
    spec = SETS[name]
    data = load_set(name, setting)
    # frozen encoders depend on the pretraining steps, end-to-end models on theirs
    configs = {
        "frozen": f"p{steps['pretrain']}-w{len(EMBEDDING_WEIGHTS)}",
        "e2e": f"e{steps['e2e']}-val",
    }
    found: dict[str, list[dict[str, Any]]] = {s: [] for s in systems}
    for seed in seeds:
        for system in systems:
            config = configs["e2e" if system in E2E else "frozen"]
            key = (name, setting, system, seed, config)
            logged = log.get(*key)
            if logged is None and logged_only:
                continue  # a missing cell, reported as such
            if logged is None:
                logged = _run_system(data, spec, system, seed, steps, log, key)
            found[system].append(logged["scores"])
            if used is not None:
                used.append(logged)
    return found


def _run_system(
    data: ForecastData,
    spec: Any,
    system: str,
    seed: int,
    steps: dict[str, int | None],
    log: RunLog,
    key: tuple[Any, ...],
) -> dict[str, Any]:
    """Runs one system on one seed, logs it (and its sibling rows), returns its log row."""
    started = time.perf_counter()
    if system in E2E:
        e2e_steps = int(steps["e2e"] or 200)
        scores = e2e_run(
            data, spec.horizons, E2E[system], seed, e2e_steps, spec.padding
        )
        runs = {system: scores}
    else:
        method = "autotcl" if system.startswith("AutoTCL") else "ts2vec"
        runs = frozen_runs(
            data, spec.horizons, method, seed, steps["pretrain"], spec.padding
        )
    seconds = time.perf_counter() - started
    for done, scores in runs.items():
        log.add(
            {
                **dict(zip(log.keys, (*key[:2], done, *key[3:]), strict=True)),
                "scores": scores,
                "seconds": seconds,
            }
        )
    logged = log.get(*key)
    shown = ", ".join(f"H{h} {s['mse']:.4f}" for h, s in logged["scores"].items())
    print(f"  {' '.join(map(str, key[:4]))}: {seconds:.0f}s, {shown}", flush=True)
    return logged


def default_scores(
    found: dict[str, list[dict[str, Any]]], horizons: list[int]
) -> list[dict[str, Any]]:
    """Per seed and horizon, the candidate of :data:`DEFAULT_FROM` with the lowest validation MSE."""
    candidates = [s for s in DEFAULT_FROM if s in found and found[s]]
    seeds = min(len(found[s]) for s in candidates) if candidates else 0
    chosen = []
    for index in range(seeds):
        per = {}
        for h in map(str, horizons):
            best = min(candidates, key=lambda s: found[s][index][h]["val_mse"])
            per[h] = {**found[best][index][h], "system": best}
        chosen.append(per)
    return chosen


def set_table(
    name: str,
    setting: str,
    found: dict[str, list[dict[str, Any]]],
    baselines: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, bool]]:
    horizons = SETS[name].horizons
    columns = ["system"] + [f"H{h} {m}" for h in horizons for m in ("MSE", "MAE")]
    rows = []
    for system in BASELINES:
        rows.append(
            [system]
            + [baselines[system][h][m] for h in horizons for m in ("mse", "mae")]
        )
    default = default_scores(found, horizons)
    table_rows = {**found, DEFAULT: default} if default else dict(found)
    for system, runs in table_rows.items():
        if runs:
            rows.append(
                [f"{system} ({len(runs)} seeds)"]
                + [
                    [r[str(h)][m] for r in runs]
                    for h in horizons
                    for m in ("mse", "mae")
                ]
            )
    for label, values in PUBLISHED.get((name, setting), {}).items():
        column = "MAE" if label.endswith("MAE") else "MSE"
        rows.append(
            [label]
            + [
                values[i] if m == column else None
                for i in range(len(horizons))
                for m in ("MSE", "MAE")
            ]
        )
    checks = {}
    if default and setting == "univariate" and name.startswith("ETT"):
        mean = {h: mean_std([r[str(h)]["mse"] for r in default])[0] for h in horizons}
        checks[
            f"{name} univariate: the default beats every encoder-free baseline at every horizon"
        ] = all(mean[h] < baselines[b][h]["mse"] for b in BASELINES for h in horizons)
        autotcl = PUBLISHED[(name, setting)]["AutoTCL published MSE"]
        wins = sum(mean[h] < autotcl[i] for i, h in enumerate(horizons))
        checks[
            f"{name} univariate: the default beats AutoTCL's published MSE at >= 3 of 5 horizons ({wins})"
        ] = wins >= 3
    title = f"{name} {setting}: test MSE / MAE per horizon (scaled targets; mean ± std over seeds)"
    return {
        "title": title,
        "columns": columns,
        "rows": rows,
        "formats": [""] + [".4f"] * (len(columns) - 1),
    }, checks


def run(
    sets: list[str] | None = None,
    settings: list[str] | None = None,
    seeds: list[int] | None = None,
    systems: list[str] | None = None,
    pretrain_steps: int | None = None,
    e2e_steps: int = 200,
    fresh: bool = False,
    logged_only: bool = False,
    ledger: bool = False,
) -> dict[str, Any]:
    """The suite (contract: benchmarks/README.md). ``pretrain_steps`` None = TS2Vec's rule (200 / 600).

    ``ledger``: keep finished runs in the committed ``benchmarks/ledger/`` (the
    full settings: hours on 2 cores, resumed across sittings).
    """
    sets = sets or list(SETS)
    settings = settings or ["univariate", "multivariate"]
    seeds = [0, 1, 2] if seeds is None else seeds
    systems = SYSTEMS if systems is None else systems
    log = RunLog(
        "forecast",
        ("set", "setting", "system", "seed", "config"),
        fresh=fresh,
        ledger=ledger,
    )
    used: list[dict[str, Any]] = []
    steps = {"pretrain": pretrain_steps, "e2e": e2e_steps}
    tables, checks, raw = [], {}, {}
    units = {"measured": 0, "expected": 0}
    for name in sets:
        for setting in settings:
            data = load_set(name, setting)
            baselines = encoder_free_forecasts(
                data, SETS[name].horizons, lags=(LAGS,), padding=SETS[name].padding
            )
            found = collect(
                name, setting, seeds, systems, steps, log, logged_only, used
            )
            units["expected"] += len(seeds) * len(systems)
            units["measured"] += sum(len(scores) for scores in found.values())
            table, passed = set_table(name, setting, found, baselines)
            tables.append(table)
            checks.update(passed)
            raw[f"{name}/{setting}"] = {
                "baselines": {b: _plain(scores) for b, scores in baselines.items()},
                "systems": found,
            }
    notes = [
        f"pretraining steps: {pretrain_steps or 'TS2Vec rule (200; 600 above 100,000 values)'}; end-to-end steps: {e2e_steps}",
        log.provenance(used),
    ]
    if units["measured"] < units["expected"]:
        notes.insert(
            0,
            f"partial: {units['measured']} of {units['expected']} (set, setting, system, seed) "
            "runs measured; missing cells are left out of their rows' means",
        )
    return {
        "units": units,
        "tables": tables,
        "checks": checks,
        "notes": notes,
        "runs": raw,
        "sources": [
            "published: TS2Vec (Yue et al. 2022) and AutoTCL (Zheng et al. 2024, the authors' result tables), via ../shared/ANCHORS.md; "
            "both under TS2Vec's protocol, which encodes the whole series before the split (ours does not)",
            "baselines and tscl systems: run side by side in this run on the same test windows",
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS))
    parser.add_argument("--settings", nargs="+", default=["univariate", "multivariate"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--systems", nargs="+", default=SYSTEMS, choices=SYSTEMS)
    parser.add_argument("--pretrain-steps", type=int, default=None)
    parser.add_argument("--e2e-steps", type=int, default=200)
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument(
        "--logged-only", action="store_true", help="tabulate logged runs, run nothing"
    )
    parser.add_argument(
        "--ledger", action="store_true", help="resume from / log to benchmarks/ledger/"
    )
    args = parser.parse_args()
    payload = run(
        args.sets,
        args.settings,
        args.seeds,
        args.systems,
        args.pretrain_steps,
        args.e2e_steps,
        args.fresh,
        args.logged_only,
        args.ledger,
    )
    print_tables(payload)
    print(f"results: {write_results('forecast', payload)}")


if __name__ == "__main__":
    main()
