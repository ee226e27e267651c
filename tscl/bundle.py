"""The saved encoder: weights plus everything needed to embed new data in a fresh process."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from tscl.config import RunConfig, from_yaml
from tscl.data.normalize import ChannelScaler
from tscl.errors import DataError, TsclError
from tscl.saved_state import load_tensors, to_json

# /2: everything but the weights is JSON text, so the file loads with weights_only=True.
BUNDLE_FORMAT = "tscl-encoder/2"


@dataclass
class EncoderBundle:
    """An inference encoder with its config and the preprocessing fitted on its training split.

    ``preprocessing`` is what the domain recorded to replay on new data (its
    filters, windows, vocabulary...); ``scaler`` (the per-channel standardisation
    fitted on the training split) is its "scaler" entry. ``classifier`` is an
    optional probe fitted on the encoder's embeddings (``eval.probe_state``),
    so ``tscl predict`` can label new data with the model alone.
    """

    encoder: nn.Module
    config: RunConfig
    in_channels: int
    scaler: dict[str, Any] | None = None
    info: dict[str, Any] = field(default_factory=dict)
    preprocessing: dict[str, Any] = field(default_factory=dict)
    heads: dict[str, torch.Tensor] = field(default_factory=dict)  # e.g. forecast ridges
    classifier: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.scaler is None:
            self.scaler = self.preprocessing.get("scaler")

    def check_input(self, series: Any, source: str = "input") -> np.ndarray:
        """The encoder's input contract on (N, T) / (N, T, C) series -> (N, T, C) float32.

        Real numbers (no strings, no complex values), at least one series of at
        least one step, ``in_channels`` channels, no inf, and at least one
        observed (non-NaN) value per series (NaN marks gaps).

        Raises:
            DataError: one line naming ``source`` and what was expected.
        """
        x = np.asarray(series)
        if x.dtype.kind not in "biuf":
            kind = {"c": "complex numbers", "U": "strings", "S": "bytes"}
            found = kind.get(x.dtype.kind, f"{x.dtype} values")
            raise DataError(source, f"holds {found}; expected real numbers")
        if x.ndim == 2:
            x = x[:, :, None]  # (N, T) -> (N, T, 1)
        if x.ndim != 3 or x.shape[0] == 0 or x.shape[1] == 0:
            raise DataError(
                source,
                f"expected series (N, T) or (N, T, C) with N, T > 0, got shape {x.shape}",
            )
        if x.shape[2] != self.in_channels:
            raise DataError(
                source,
                f"has {x.shape[2]} channels per series (shape {x.shape}), "
                f"the encoder expects {self.in_channels}",
            )
        x = x.astype(np.float32, copy=False)
        if np.isinf(x).any():
            raise DataError(source, "contains inf; use NaN for missing values")
        empty = np.flatnonzero(np.isnan(x).all(axis=(1, 2)))
        if len(empty):
            shown = ", ".join(str(i) for i in empty[:5]) + (
                ", ..." if len(empty) > 5 else ""
            )
            raise DataError(
                source,
                f"series {shown} ({len(empty)} of {len(x)}) have no observed values "
                "(all NaN); drop them",
            )
        return x

    def preprocess(self, x: np.ndarray) -> np.ndarray:
        """Applies the recorded normalisation to (N, C, T) data."""
        if x.shape[1] != self.in_channels:
            raise TsclError(
                f"input has {x.shape[1]} channels, the encoder expects {self.in_channels}"
            )
        if self.scaler is None:
            return x.astype(np.float32, copy=False)
        return ChannelScaler.from_dict(self.scaler).transform(x).astype(np.float32)


def save_bundle(path: str | Path, bundle: EncoderBundle) -> Path:
    from tscl.config import to_yaml

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(path.suffix + ".tmp")
    meta = {
        "scaler": bundle.scaler,
        "info": bundle.info,
        "preprocessing": bundle.preprocessing,
        "classifier": bundle.classifier,
    }
    torch.save(
        {
            "format": BUNDLE_FORMAT,
            "config": to_yaml(bundle.config),
            "in_channels": int(bundle.in_channels),
            "encoder": bundle.encoder.state_dict(),
            "meta": to_json(meta, f"{path}: bundle metadata"),
            "heads": dict(bundle.heads),
        },
        temp,
    )
    temp.replace(path)
    return path


def load_bundle(path: str | Path) -> EncoderBundle:
    """Rebuilds the encoder from its config and loads the weights (CPU, eval mode).

    The file is read with ``weights_only=True``: one holding anything but
    tensors and plain data is refused (``UnsafeFileError``) and nothing in it runs.
    """
    from tscl.builders import build_encoder

    path = Path(path)
    state = load_tensors(path, "tscl encoder bundle")
    if not isinstance(state, dict) or state.get("format") != BUNDLE_FORMAT:
        raise TsclError(
            f"{path}: not a tscl encoder bundle (expected format {BUNDLE_FORMAT})"
        )
    try:
        config = from_yaml(state["config"])
        meta = json.loads(state["meta"])
        preprocessing = meta.get("preprocessing") or {}
        encoder = build_encoder(
            config, int(state["in_channels"]), fields=preprocessing.get("fields")
        )
        encoder.load_state_dict(state["encoder"])
    except (KeyError, TypeError, ValueError, RuntimeError) as err:
        reason = " ".join(str(err).split())[:200]
        raise TsclError(f"{path}: inconsistent encoder bundle ({reason})") from err
    return EncoderBundle(
        encoder=encoder.eval(),
        config=config,
        in_channels=int(state["in_channels"]),
        scaler=meta.get("scaler"),
        info=meta.get("info") or {},
        preprocessing=preprocessing,
        heads=dict(state.get("heads") or {}),
        classifier=meta.get("classifier"),
    )
