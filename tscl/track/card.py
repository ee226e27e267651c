"""The model card: a Markdown page saying what the encoder is, what it saw and what it is not for."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from tscl.bundle import EncoderBundle
from tscl.input_contract import contract_lines, input_contract
from tscl.track.provenance import DataFingerprint

# The scores shown under the input contract, in this order (with or without a "test_" prefix).
HEADLINE_METRICS = ("accuracy", "macro_f1", "balanced_accuracy", "auroc", "auprc")
HEADLINE_METRICS += ("mse", "mae")
MEDICAL_WORDS = ("ecg", "eeg", "eog", "emg", "ppg", "icu", "mitdb", "ptb", "sleep")
SPLIT_NOTES = {
    "official": "the data set's official train/test split; the encoder was pretrained on the "
    "training split only. Whether one patient or subject appears in both splits depends on "
    "how the data set was made and is not checked here.",
    "group": "a group split: each patient / subject / recording lies in one split only "
    "(patient-independent).",
    "stratified": "a stratified random split of samples: windows of one patient can fall in "
    "both splits, so the scores are NOT patient-independent and are likely optimistic.",
}


def is_medical(bundle: EncoderBundle) -> bool:
    """True when the domain or data set name points to physiological / clinical signals."""
    text = f"{bundle.config.domain} {bundle.config.dataset}".lower()
    return any(word in text for word in MEDICAL_WORDS)


def render_model_card(
    bundle: EncoderBundle,
    *,
    out_dim: int,
    fingerprint: DataFingerprint,
    metrics: Mapping[str, Any] | None = None,
    training_seconds: float | None = None,
) -> str:
    """The model card as Markdown: the input contract first, then the headline scores.

    Args:
        bundle: the saved encoder with its config and preprocessing.
        out_dim: D, the size of the full-series embedding.
        fingerprint: the training data set and its file hashes.
        metrics: evaluation metrics (flat name -> number), if evaluated.
        training_seconds: wall-clock pretraining time.
    """
    config = bundle.config
    sections = [
        f"# Model card: {config.method} encoder pretrained on {fingerprint.dataset}\n",
        _contract_section(bundle, fingerprint.dataset),
        _headline_section(metrics),
        _model_section(bundle, out_dim),
        _use_section(bundle, fingerprint.dataset, bool(metrics)),
        _training_section(bundle, training_seconds),
        _evaluation_section(config.eval.protocol, metrics),
        _data_section(bundle, fingerprint),
    ]
    return "\n".join(section for section in sections if section)


def _contract_section(bundle: EncoderBundle, dataset: str) -> str:
    lines = contract_lines(input_contract(bundle), dataset)
    return "\n".join(["## Input contract", *lines, ""])


def _shown(value: float) -> str:
    if math.isfinite(value) and not float(value).is_integer():
        return f"{value:.4f}"
    return str(value)


def _headline_section(metrics: Mapping[str, Any] | None) -> str:
    """The main test scores (empty when not evaluated); the full table is under Evaluation."""
    found = []
    for name in HEADLINE_METRICS:
        for key in (f"test_{name}", name):
            value = (metrics or {}).get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                found.append(f"{name} {_shown(value)}")
                break
    if not found:
        return ""
    return "\n".join(["## Headline scores (test split)", "- " + ", ".join(found), ""])


def _model_section(bundle: EncoderBundle, out_dim: int) -> str:
    encoder = bundle.config.encoder
    size = sum(p.numel() for p in bundle.encoder.parameters())
    if bundle.scaler is None:
        preprocessing = (
            "none (the training series were used as given, e.g. already z-normalised)"
        )
    else:
        preprocessing = (
            "per-channel standardisation with the training split's mean and std"
        )
    return "\n".join(
        [
            "## Model",
            f"- Method: {bundle.config.method}",
            f"- Encoder: {encoder.name} {json.dumps(encoder.params, sort_keys=True)}",
            f"- Size: {size:,} parameters",
            f"- Output: (N, {out_dim}) embeddings, the encoder's (N, {out_dim}, T) output max-pooled over time",
            f"- Preprocessing applied inside the model: {preprocessing}",
            "",
        ]
    )


def _data_section(bundle: EncoderBundle, fingerprint: DataFingerprint) -> str:
    split = bundle.config.data.split
    lines = [
        "## Training data and its files",
        f"- Data set: {fingerprint.dataset}",
        f"- Split: {SPLIT_NOTES.get(split, split)}",
        f"- Digest of the files (sha256 over their hashes): {fingerprint.digest}",
    ]
    if fingerprint.files:
        lines += ["", "| file | sha256 |", "|---|---|"]
        lines += [
            f"| {path} | {sha} |" for path, sha in sorted(fingerprint.files.items())
        ]
    else:
        lines.append("- File hashes: not recorded")
    return "\n".join([*lines, ""])


def _training_section(bundle: EncoderBundle, training_seconds: float | None) -> str:
    train = bundle.config.train
    steps = bundle.info.get("steps", train.max_steps)
    duration = (
        "not recorded" if training_seconds is None else f"{training_seconds:.1f} s"
    )
    return "\n".join(
        [
            "## Training",
            f"- Steps: {steps} (batch size {train.batch_size}, lr {train.lr}, seed {train.seed})",
            f"- Time: {duration}",
            f"- Averaged weights: {train.averaging}",
            "",
        ]
    )


def _evaluation_section(protocol: str, metrics: Mapping[str, Any] | None) -> str:
    lines = ["## Evaluation"]
    if not metrics:
        return "\n".join([*lines, "- Not evaluated.", ""])
    lines += [
        f"- Protocol: {protocol} probe on frozen embeddings, test split scored once",
        "",
    ]
    lines += ["| metric | value |", "|---|---|"]
    for name, value in sorted(metrics.items()):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            lines.append(f"| {name} | {_shown(value)} |")
    return "\n".join([*lines, ""])


def _use_section(bundle: EncoderBundle, dataset: str, evaluated: bool) -> str:
    lines = [
        "## Intended use",
        f"Research on self-supervised representations of time series like {dataset} "
        f"({bundle.in_channels} channel(s), the same sampling rate and units): embedding "
        "series for downstream probes, retrieval or clustering.",
        "",
        "## Limits",
    ]
    if is_medical(bundle):
        lines.append(
            "- Not a medical device: not validated for diagnosis, triage or any clinical decision."
        )
    scope = "evaluated" if evaluated else "trained"
    lines += [
        f"- {scope.capitalize()} on {dataset} only; behaviour on other data sets, devices, "
        "populations or sampling rates is unknown.",
        f"- Split: {SPLIT_NOTES.get(bundle.config.data.split, bundle.config.data.split)}",
        "- The embeddings carry no labels: any downstream model needs its own training "
        "and validation.",
        "",
    ]
    return "\n".join(lines)
