"""Adapter that runs any tsaug augmenter or pipeline inside an ``nn.Sequential``.

tsaug: https://tsaug.readthedocs.io. It works on CPU numpy arrays (N, T, C), so
this adapter copies the batch to the host and back; prefer the native torch
modules of ``tscl.augment`` on the training hot path.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from tscl.augment.batch_checks import check_signal_batch
from tscl.augment.random_source import RandomSource
from tscl.errors import DataError


class TsaugAugment(nn.Module):
    """Runs a tsaug augmenter (or ``a + b`` pipeline) on a torch batch.

    (B, C, T) -> numpy (B, T, C) -> tsaug -> torch float32 (B, C, T) on
    ``x.device``. Before each call every augmenter in (a private copy of) the
    pipeline is reseeded from the torch RNG (global, or private with ``seed``),
    so results follow ``torch.manual_seed`` like the native modules.

    Args:
        pipeline: a tsaug augmenter or pipeline. It must keep B and T (give
            ``Crop`` a ``resize`` equal to T; do not use ``repeats``).
        seed: optional seed of a private generator (else the global torch RNG).

    Raises:
        DataError: at call time, if the input holds NaN (tsaug spreads NaN into
            observed values) or the pipeline changed the batch's shape.
    """

    def __init__(self, pipeline: Any, seed: int | None = None) -> None:
        super().__init__()
        if not hasattr(pipeline, "augment"):
            raise DataError(
                "TsaugAugment pipeline",
                f"expected a tsaug augmenter or pipeline, got {type(pipeline).__name__}",
            )
        self.pipeline = copy.deepcopy(pipeline)
        self.random = RandomSource(seed)

    def _reseed(self) -> None:
        """Gives every augmenter a fresh seed drawn from the torch RNG."""
        augmenters = (
            list(self.pipeline)
            if hasattr(self.pipeline, "__iter__")
            else [self.pipeline]
        )
        seeds = self.random.integers(
            torch.zeros(len(augmenters), dtype=torch.long),
            torch.full((len(augmenters),), 2**31 - 1),
        )
        for augmenter, seed in zip(augmenters, seeds.tolist(), strict=True):
            augmenter.seed = int(seed)

    def forward(self, x: Tensor) -> Tensor:
        """(B, C, T) -> float32 (B, C, T) on ``x.device``."""
        check_signal_batch(x, "TsaugAugment")
        if bool(x.isnan().any()):
            raise DataError(
                "TsaugAugment input",
                "holds NaN gaps, which tsaug spreads into observed values; use the native tscl.augment modules or impute first",
            )
        self._reseed()
        # (B, C, T) -> (B, T, C)
        series = x.detach().transpose(1, 2).to("cpu", torch.float32).numpy()
        augmented = np.asarray(self.pipeline.augment(np.ascontiguousarray(series)))
        if augmented.shape != series.shape:
            raise DataError(
                "TsaugAugment pipeline",
                f"changed the batch shape (B, T, C) from {series.shape} to {augmented.shape}; keep the length (Crop needs resize=T) and repeats=1",
            )
        out = torch.from_numpy(augmented.astype(np.float32, copy=False))
        return out.transpose(1, 2).contiguous().to(x.device)  # (B, T, C) -> (B, C, T)
