"""Pretrain and evaluate from a ``RunConfig``: what ``tscl pretrain`` and ``tscl evaluate`` run.

The data comes from the config's domain (``tscl.domains``) as ``TrainingData``;
from here on nothing depends on the data's format or domain: rows become a
batch source, the method is built from the config, and the loop trains it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
from torch import nn

from tscl.bundle import EncoderBundle, save_bundle
from tscl.config import RunConfig, to_yaml
from tscl.data.sources import iter_signal_batches
from tscl.data.training import DataSet, SignalSet, TrainingData
from tscl.embedding import embed, embed_set
from tscl.errors import ConfigError
from tscl.input_contract import LENGTHS_KEY, observed_lengths
from tscl.train.build import (
    build_data_method,
    build_source,
    resolve_steps,
    training_rows,
)
from tscl.train.loop import CheckpointHook, StepCallback, TrainResult, fit
from tscl.train.resume import check_resume

CHECKPOINT_NAME = "checkpoint.pt"
# The validation loss during pretraining reads at most this many rows of the
# validation split, so a pass costs a few dozen batches, not an epoch.
VAL_MAX_ROWS = 256
BUNDLE_NAME = "encoder.pt"
__all__ = ["embed", "embed_set", "evaluate", "load_data", "pretrain"]


@dataclass
class PretrainOutput:
    run_dir: Path
    bundle: EncoderBundle
    bundle_path: Path
    result: TrainResult
    data: TrainingData


def load_data(config: RunConfig) -> TrainingData:
    """The config's data set through its domain: split rows with ids, labels, preprocessing, source."""
    from tscl.data.catalog import card_names, load_card
    from tscl.domains import get_domain, infer_domain

    domain = get_domain(config.domain or infer_domain(config.dataset))
    data = domain.load(config)
    if "files" not in data.source and config.dataset in card_names():
        used = data.source.get("records")  # the files a domain read, when not all
        files = {
            f.path: f.sha256
            for f in load_card(config.dataset).files
            if used is None or PurePosixPath(f.path).stem in used
        }
        data.source = {**data.source, "files": files}
    return data


def new_run_dir(config: RunConfig) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    name = Path(config.dataset).stem if "/" in config.dataset else config.dataset
    return (
        Path(config.output_dir) / f"{config.method}-{name}-s{config.train.seed}-{stamp}"
    )


def pretraining_rows(config: RunConfig, part: DataSet) -> DataSet:
    """Rows the method trains on: signals are sectioned as TS2Vec does (ids kept)."""
    if isinstance(part, SignalSet):
        return training_rows(part, config.data.max_train_length)
    return part


def validation_rows(rows: DataSet, limit: int = VAL_MAX_ROWS) -> DataSet:
    """At most ``limit`` rows spread evenly over the validation split (the same ones at every pass)."""
    if len(rows) <= limit:
        return rows
    return rows.subset(np.linspace(0, len(rows) - 1, limit).round().astype(np.int64))


def _validation(config: RunConfig, data: TrainingData) -> Any:
    if data.val is None or len(data.val) < 2:
        return None
    rows = validation_rows(pretraining_rows(config, data.val))
    size = config.train.batch_size
    if isinstance(rows, SignalSet):
        return lambda: iter_signal_batches(rows, size)
    # Event methods draw their positives in the source (slices): validation draws
    # the same kind of batches from a fresh, identically seeded source each time.
    count = max(1, len(rows) // max(1, size))
    return lambda: _drawn(config, rows, count)


def _drawn(config: RunConfig, rows: DataSet, count: int) -> list[Any]:
    source = build_source(config, rows)
    return [source.next() for _ in range(count)]


def _num_values(rows: DataSet) -> int:
    if isinstance(rows, SignalSet):
        return int(np.prod(rows.x.shape))
    return int(rows.lengths().sum())


def pretrain(
    config: RunConfig,
    *,
    run_dir: str | Path | None = None,
    resume: bool = False,
    callbacks: Sequence[StepCallback] = (),
    after_checkpoint: Sequence[CheckpointHook] = (),
    data: TrainingData | None = None,
) -> PretrainOutput:
    """Pretrains on the training split; writes config.yaml, checkpoint.pt and encoder.pt to the run folder.

    Args:
        resume: continue from ``run_dir/checkpoint.pt``.
    """
    import torch

    run_dir = Path(run_dir) if run_dir is not None else new_run_dir(config)
    checkpoint = run_dir / CHECKPOINT_NAME
    if resume:
        check_resume(checkpoint, config)  # what may not change refuses, in one line
    data = data if data is not None else load_data(config)
    rows = pretraining_rows(config, data.train)
    torch.manual_seed(config.train.seed)  # initial weights come from the seed too
    method = build_data_method(config, data)
    source = build_source(config, rows)
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "config.yaml").write_text(to_yaml(config))
    result = fit(
        method,
        source,
        config.train,
        max_steps=resolve_steps(config, _num_values(rows)),
        val_data=_validation(config, data),
        checkpoint_path=checkpoint,
        resume=checkpoint if resume else None,
        callbacks=callbacks,
        after_checkpoint=after_checkpoint,
        config_text=to_yaml(config),
        context={"run_dir": run_dir},
    )
    bundle = make_bundle(config, data, result.encoder, {"steps": result.steps})
    bundle_path = save_bundle(run_dir / BUNDLE_NAME, bundle)
    return PretrainOutput(
        run_dir=run_dir,
        bundle=bundle,
        bundle_path=bundle_path,
        result=result,
        data=data,
    )


def make_bundle(
    config: RunConfig, data: TrainingData, encoder: nn.Module, info: dict[str, Any]
) -> EncoderBundle:
    """The saved encoder of a run: weights, config and the preprocessing to replay."""
    info = {**info, "source": data.source, "class_names": data.class_names}
    lengths = training_lengths(data.train)
    if lengths is not None:
        info[LENGTHS_KEY] = list(lengths)  # the input contract's window length
    return EncoderBundle(
        encoder=encoder.cpu().eval(),
        config=config,
        in_channels=data.in_channels,
        scaler=data.scaler,
        info=info,
        preprocessing=data.preprocessing,
    )


def training_lengths(train: DataSet) -> tuple[int, int] | None:
    """(shortest, longest) training series in samples; None for event sequences.

    Lazy windows (not an in-memory array) all have the window's length.
    """
    if not isinstance(train, SignalSet):
        return None
    if isinstance(train.x, np.ndarray):
        return observed_lengths(train.x)
    length = int(train.x.shape[-1])
    return length, length


def evaluate(
    bundle: EncoderBundle, data: TrainingData, *, protocol: str = "svm", seed: int = 0
) -> dict[str, Any]:
    """Scores the encoder with a classification probe, or with a protocol a domain
    supplies (``Domain.evaluators``, e.g. forecasting); the test split is scored once.

    With a validation split (subject-independent data) the probe's settings are
    chosen on it (``holdout``); otherwise by cross-validation on the training
    split (the TS2Vec protocol).
    """
    from tscl.domains import domain_evaluators, get_domain
    from tscl.eval import EVAL_PROTOCOLS, HOLDOUT_PROBES, PROBES

    supplied = domain_evaluators()  # protocols a domain brings (e.g. forecasting)
    if protocol in supplied:
        return supplied[protocol](bundle, data, seed=seed)
    if data.train.y is None or data.test.y is None:
        domain = bundle.config.domain
        own = sorted(get_domain(domain).evaluators) if domain else []
        hint = f"; use eval.protocol={' or '.join(own)}" if own else ""
        raise ConfigError(
            f"eval.protocol '{protocol}' needs labels; this data set has none{hint}"
        )
    device = bundle.config.train.device
    train_repr = embed_set(bundle.encoder, data.train, device=device)
    test_repr = embed_set(bundle.encoder, data.test, device=device)
    if protocol in HOLDOUT_PROBES:
        if data.val is None or data.val.y is None:
            raise ConfigError(
                f"eval.protocol '{protocol}' needs a validation split (data.val_fraction > 0)"
            )
        val_repr = embed_set(bundle.encoder, data.val, device=device)
        return HOLDOUT_PROBES[protocol](
            train_repr,
            data.train.y,
            val_repr,
            data.val.y,
            test_repr,
            data.test.y,
            seed=seed,
        )
    if protocol not in PROBES:
        names = ", ".join(sorted((*EVAL_PROTOCOLS, *supplied)))
        raise ConfigError(f"eval.protocol: '{protocol}' is not one of {names}")
    return PROBES[protocol](train_repr, data.train.y, test_repr, data.test.y, seed=seed)
