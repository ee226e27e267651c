"""Pretrain and evaluate from a ``RunConfig``: what ``tscl pretrain`` and ``tscl evaluate`` run."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import torch

from tscl.config import RunConfig, to_yaml
from tscl.data.sections import prepare_pretraining_array
from tscl.encoders.pooling import max_pool_time
from tscl.errors import ConfigError
from tscl.train.build import (
    Arrays,
    build_method,
    load_archive_arrays,
    load_beat_arrays,
    load_forecast_arrays,
    resolve_steps,
)
from tscl.train.bundle import EncoderBundle, save_bundle
from tscl.train.device import resolve_device
from tscl.train.loop import StepCallback, TrainResult, fit

CHECKPOINT_NAME = "checkpoint.pt"
BUNDLE_NAME = "encoder.pt"


@dataclass
class PretrainOutput:
    run_dir: Path
    bundle: EncoderBundle
    bundle_path: Path
    result: TrainResult
    arrays: Arrays


def load_arrays(config: RunConfig) -> Arrays:
    """The data set of ``config`` as normalised split arrays, with the sha256 of the files used."""
    from tscl.data.catalog import load_card

    card = load_card(config.dataset)
    ensure_fetched(card.name)
    if card.format == "ts":
        arrays = load_archive_arrays(config)
    elif card.format == "wfdb" and card.reader_args.get("annotator"):
        arrays = load_beat_arrays(config)
    elif card.format == "csv" and card.split.get("kind") in ("rows", "ratio"):
        arrays = load_forecast_arrays(config)
    else:
        raise ConfigError(
            f"dataset '{config.dataset}': pretraining on {card.format} data is not wired yet"
        )
    used = arrays.source.get("records")  # WFDB: only the records that were read
    files = {
        f.path: f.sha256
        for f in card.files
        if used is None or PurePosixPath(f.path).stem in used
    }
    arrays.source = {**arrays.source, "dataset": card.name, "files": files}
    return arrays


def ensure_fetched(name: str) -> None:
    """Fetches a data set from the local mirror ($TSCL_DATA_MIRROR) when it is not in the cache yet."""
    from tscl.data.catalog import load_card
    from tscl.data.fetch import fetch, unverified_files

    mirror = os.environ.get("TSCL_DATA_MIRROR")
    if mirror and Path(mirror).is_dir() and unverified_files(load_card(name)):
        fetch(name, mirror=Path(mirror))


def new_run_dir(config: RunConfig) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return (
        Path(config.output_dir)
        / f"{config.method}-{config.dataset}-s{config.train.seed}-{stamp}"
    )


def pretrain(
    config: RunConfig,
    *,
    run_dir: str | Path | None = None,
    resume: bool = False,
    callbacks: Sequence[StepCallback] = (),
    arrays: Arrays | None = None,
) -> PretrainOutput:
    """Pretrains on the training split; writes config.yaml, checkpoint.pt and encoder.pt to the run folder.

    Args:
        resume: continue from ``run_dir/checkpoint.pt``.
    """
    run_dir = Path(run_dir) if run_dir is not None else new_run_dir(config)
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "config.yaml").write_text(to_yaml(config))
    arrays = arrays if arrays is not None else load_arrays(config)
    train = torch.from_numpy(
        prepare_pretraining_array(arrays.train_x, config.data.max_train_length)
    )
    val = None
    if arrays.val_x is not None and len(arrays.val_x) > 1:
        val = torch.from_numpy(
            prepare_pretraining_array(arrays.val_x, config.data.max_train_length)
        )
    torch.manual_seed(config.train.seed)  # initial weights come from the seed too
    method = build_method(config, arrays.in_channels)
    checkpoint = run_dir / CHECKPOINT_NAME
    result = fit(
        method,
        train,
        config.train,
        max_steps=resolve_steps(config, arrays.train_x),
        val_data=val,
        checkpoint_path=checkpoint,
        resume=checkpoint if resume else None,
        callbacks=callbacks,
        config_text=to_yaml(config),
    )
    bundle = EncoderBundle(
        encoder=result.encoder.cpu().eval(),
        config=config,
        in_channels=arrays.in_channels,
        scaler=arrays.scaler,
        info={"steps": result.steps, "source": arrays.source},
    )
    bundle_path = save_bundle(run_dir / BUNDLE_NAME, bundle)
    return PretrainOutput(
        run_dir=run_dir,
        bundle=bundle,
        bundle_path=bundle_path,
        result=result,
        arrays=arrays,
    )


@torch.no_grad()
def embed(
    encoder: torch.nn.Module,
    x: np.ndarray,
    *,
    batch_size: int = 64,
    device: str = "auto",
) -> np.ndarray:
    """Full-series embeddings: (N, C, T) -> (N, D), max-pooled over time."""
    target = resolve_device(device)
    encoder = encoder.to(target).eval()
    parts = []
    for start in range(0, len(x), batch_size):
        batch = torch.from_numpy(
            np.ascontiguousarray(x[start : start + batch_size])
        ).to(target)
        parts.append(max_pool_time(encoder(batch)).float().cpu())  # (B, D, T) -> (B, D)
    encoder.cpu()
    return torch.cat(parts).numpy()


def evaluate(
    bundle: EncoderBundle, arrays: Arrays, *, protocol: str = "svm", seed: int = 0
) -> dict[str, Any]:
    """Scores the encoder with a classification probe; the test split is scored once.

    With a validation split (patient-independent data) the probe's settings are chosen on it;
    otherwise by cross-validation on the training split (the TS2Vec protocol).
    """
    from tscl.eval import PROBES
    from tscl.eval.holdout import logistic_holdout_protocol

    if protocol == "forecast":
        return evaluate_forecast(bundle, arrays, seed=seed)
    if arrays.train_y is None or arrays.test_y is None:
        hint = "; use eval.protocol=forecast" if arrays.forecast is not None else ""
        raise ConfigError(
            f"eval.protocol '{protocol}' needs labels; this data set has none{hint}"
        )
    device = bundle.config.train.device
    train_repr = embed(bundle.encoder, arrays.train_x, device=device)
    test_repr = embed(bundle.encoder, arrays.test_x, device=device)
    if protocol == "holdout":
        if arrays.val_x is None or arrays.val_y is None:
            raise ConfigError(
                "eval.protocol 'holdout' needs a validation split (data.val_fraction > 0)"
            )
        val_repr = embed(bundle.encoder, arrays.val_x, device=device)
        return logistic_holdout_protocol(
            train_repr,
            arrays.train_y,
            val_repr,
            arrays.val_y,
            test_repr,
            arrays.test_y,
            seed=seed,
        )
    if protocol not in PROBES:
        names = ", ".join(sorted([*PROBES, "holdout"]))
        raise ConfigError(f"eval.protocol: '{protocol}' is not one of {names}")
    return PROBES[protocol](
        train_repr, arrays.train_y, test_repr, arrays.test_y, seed=seed
    )


def evaluate_forecast(
    bundle: EncoderBundle, arrays: Arrays, *, seed: int = 0
) -> dict[str, Any]:
    """TS2Vec's forecasting protocol at ``eval.horizons``: flat metrics plus "forecast_examples".

    Metrics: ``mse_h{H}``, ``mae_h{H}``, ``val_mse_h{H}`` per horizon and
    ``mse`` / ``mae`` / ``val_mse`` averaged over the horizons. The
    "forecast_examples" entry ({H: (context, truth, prediction)} of the last
    test window, first target) is for plots, not for logging as metrics.
    """
    from tscl.train.forecast import forecast_evaluate

    data = arrays.forecast
    if data is None:
        raise ConfigError(
            "eval.protocol 'forecast' needs a forecasting data set "
            "(a CSV series with a row split, e.g. dataset=ETTh1)"
        )
    horizons = list(bundle.config.eval.horizons)
    scores = forecast_evaluate(
        bundle.encoder,
        data,
        horizons,
        seed=seed,
        device=bundle.config.train.device,
        keep_predictions=True,
    )
    metrics: dict[str, Any] = {}
    for name in ("mse", "mae", "val_mse"):
        for horizon in horizons:
            metrics[f"{name}_h{horizon}"] = scores[horizon][name]
        metrics[name] = float(np.mean([scores[h][name] for h in horizons]))
    target = data.targets("test")[:, 0]  # the first target, (T_test,)
    examples = {}
    for horizon in horizons:
        start = len(scores[horizon]["test_pred"]) - 1  # the last test window
        context = target[max(0, start - 2 * horizon) : start + 1]
        examples[horizon] = (
            context,
            scores[horizon]["test_true"][start, :, 0],
            scores[horizon]["test_pred"][start, :, 0],
        )
    metrics["forecast_examples"] = examples
    return metrics
