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
from tscl.errors import TsclError
from tscl.saved_state import load_tensors, to_json

# /2: everything but the weights is JSON text, so the file loads with weights_only=True.
BUNDLE_FORMAT = "tscl-encoder/2"


@dataclass
class EncoderBundle:
    """An inference encoder with its config and the preprocessing fitted on its training split.

    ``preprocessing`` is what the domain recorded to replay on new data (its
    filters, windows, vocabulary...); ``scaler`` (the per-channel standardisation
    fitted on the training split) is its "scaler" entry.
    """

    encoder: nn.Module
    config: RunConfig
    in_channels: int
    scaler: dict[str, Any] | None = None
    info: dict[str, Any] = field(default_factory=dict)
    preprocessing: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.scaler is None:
            self.scaler = self.preprocessing.get("scaler")

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
    }
    torch.save(
        {
            "format": BUNDLE_FORMAT,
            "config": to_yaml(bundle.config),
            "in_channels": int(bundle.in_channels),
            "encoder": bundle.encoder.state_dict(),
            "meta": to_json(meta, f"{path}: bundle metadata"),
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
    )
