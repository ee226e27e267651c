"""Every benchmark suite ``make bench`` runs: one line per suite, with its quick and full settings.

Adding a suite is one line here plus a module ``benchmarks/bench_<name>.py``
exposing ``run(**settings) -> dict`` (the contract: benchmarks/README.md).
``quick`` is what ``make bench-quick`` passes (the whole quick run stays under
15 minutes on 2 cores: each quick setting is the smallest that still gives the
suite's ratio or table, e.g. one MIT-BIH record for embed throughput, lengths
to 4000 for the memory fit, 20 forecasting steps, one motion fold pair for the
domains), ``full`` what ``make bench`` passes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# de Chazal's DS1 (training) records of MIT-BIH; DS2 record 100 is never benchmarked.
DS1 = [
    *("101", "106", "108", "109", "112", "114", "115", "116", "118", "119", "122"),
    *("124", "201", "203", "205", "207", "208", "209", "215", "220", "223", "230"),
]
# ECG200 is left to ts2vec_speed (3 seeds, accuracy beside the reference): one univariate and one
# multivariate set keep the quick classification table under 4 CPU minutes.
QUICK_SETS = ["ItalyPowerDemand", "BasicMotions"]
# embed's full run: every 6th DS1 record (about 9,000 beats a repeat); all 22 records three ways
# x 3 repeats took hours of one core, for a rate that 4 records already pin down.
EMBED_RECORDS = DS1[::6]


@dataclass(frozen=True)
class Suite:
    """A registered suite: the module whose ``run`` it calls, and its settings per mode."""

    module: str
    title: str
    quick: dict[str, Any] = field(default_factory=dict)
    full: dict[str, Any] = field(default_factory=dict)

    def settings(self, mode: str) -> dict[str, Any]:
        """The keyword arguments of ``run`` in ``mode`` ("quick" or "full")."""
        if mode not in ("quick", "full"):
            raise ValueError(f"mode: expected 'quick' or 'full', got {mode!r}")
        return dict(self.quick if mode == "quick" else self.full)


SEEDS = [0, 1, 2]
# fmt: off
SUITES: dict[str, Suite] = {
    "ts2vec_speed": Suite("benchmarks.bench_ts2vec_speed", "Pretraining speed: tscl vs the authors' TS2Vec", {"seeds": SEEDS}, {"seeds": [0, 1, 2, 3, 4]}),
    "cuda": Suite("benchmarks.bench_cuda", "CPU vs CUDA (bf16) pretraining steps", {"seeds": SEEDS, "steps": 20, "length": 3000}, {"seeds": SEEDS, "steps": 100, "length": 3000}),
    "augment": Suite("benchmarks.bench_augment", "Augmentation throughput: tscl vs tsaug", {"repeats": 15}, {"repeats": 40}),
    "memory": Suite("benchmarks.bench_memory", "Peak memory vs sequence length", {"lengths": [1000, 2000, 4000], "loss_lengths": [250, 500, 1000]}, {"lengths": [1000, 2000, 4000, 8000, 16000, 32000], "loss_lengths": [250, 500, 1000, 2000]}),
    "embed": Suite("benchmarks.bench_embed", "tscl embed throughput on MIT-BIH DS1 vs the authors' TS2Vec encode", {"records": DS1[:1], "repeats": 2, "pretrain_steps": 10}, {"records": EMBED_RECORDS, "repeats": 3, "pretrain_steps": 200}),
    "lazy_windows": Suite("benchmarks.run_lazy_windows", "Windowing throughput and peak RSS past RAM size", {"sizes": [0.25, 1.0]}, {"sizes": [0.25, 1.0, 4.0, 32.0]}),
    "ts2vec_classify": Suite("benchmarks.bench_ts2vec_classify", "TS2Vec recipe on UCR/UEA: accuracy vs the reference", {"sets": QUICK_SETS, "seeds": SEEDS}, {"seeds": SEEDS, "methods": ["ts2vec", "autotcl"]}),
    "ts2vec_forecast": Suite("benchmarks.bench_ts2vec_forecast", "TS2Vec forecasting on ETTh1 (univariate)", {"seeds": [0], "horizons": [24, 48], "steps": 20}, {"seeds": [0, 1, 2, 3, 4]}),
    "compile": Suite("benchmarks.bench_compile", "Eager vs torch.compile, with the compile count", {"seeds": SEEDS, "steps": 6, "length": 400}, {"seeds": SEEDS, "steps": 40, "length": 3000}),
    "domains": Suite("benchmarks.bench_domains", "Per domain: SSL pretraining + probe vs the same encoder supervised, 100% and 10% labels", {"tasks": ["motion"], "seeds": [0], "folds": 2, "fresh": True}, {"seeds": SEEDS}),
    "pairs_quality": Suite("benchmarks.bench_pairs_quality", "Pair strategies: hierarchical (COMET) and retrieval (REBAR) vs augmented views, subject-independent", {"parts": ["hierarchical"], "sets": ["watch"], "seeds": [0], "steps": 20}, {"seeds": SEEDS}),
    "pairs_speed": Suite("benchmarks.bench_pairs_speed", "Pair strategies: batched masks and REBAR scoring vs per-sample references", {"sizes": [64, 256, 1024], "repeats": 3}, {"sizes": [64, 128, 256, 512, 1024], "repeats": 7}),
    "forecast": Suite("benchmarks.bench_forecast", "Forecasting, leakage-free: encoder-free baselines, TS2Vec, AutoTCL, end to end", {"sets": ["ETTh1"], "settings": ["univariate"], "seeds": [0], "systems": ["TS2Vec frozen + ridge", "end-to-end MSE"], "pretrain_steps": 5, "e2e_steps": 20}, {"seeds": SEEDS, "ledger": True}),
    "ecg": Suite("benchmarks.bench_ecg", "MIT-BIH DS1 leave-patients-out: the ECG default vs TS2Vec (+RR) and a supervised CNN (+RR)", {"seeds": [0], "folds": 2, "steps": 20, "cnn_steps": 20}, {"seeds": SEEDS, "folds": 5}),
    "events": Suite("benchmarks.bench_events", "Event sequences: BPI 2012 / 2011, tscl recipes vs hand-crafted and pytorch-lifestream CoLES", {"seeds": [0], "steps": 60, "hidden": 64, "bpi2011_steps": 60, "speed_epochs": 1, "speed_cases": 1024}, {"seeds": SEEDS, "bpi2011_steps": 300, "speed_epochs": 15, "speed_seeds": SEEDS, "ledger": True}),
}
# fmt: on

# Seconds each suite's quick run took (`make bench-quick` in a fresh clone, 2 workers on 2 idle
# cores, 2026-12-02): how `--jobs` deals suites that have no record in results/ yet.
QUICK_WALL_S = {
    "ts2vec_speed": 91, "cuda": 0, "augment": 2, "memory": 29, "embed": 61, "lazy_windows": 10,
    "ts2vec_classify": 48, "ts2vec_forecast": 64, "compile": 92, "domains": 30,
    "pairs_speed": 10, "pairs_quality": 10, "forecast": 67, "ecg": 291, "events": 144,
}  # fmt: skip
