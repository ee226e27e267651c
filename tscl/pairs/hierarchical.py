"""Hierarchical positives (COMET): observation, sample, trial and patient levels.

Wang et al. 2023, "Contrast Everything: A Hierarchical Contrastive Framework
for Medical Time-Series", NeurIPS, https://arxiv.org/abs/2310.14017. One
InfoNCE term per level, each with its own weight:

- observation: the same timestamp in the two views of one sample (per sample,
  over its 2T timestamps);
- sample: the two views of one sample;
- trial: every view of every window of the same recording (``ids["recording"]``);
- patient: of the same subject (``ids["subject"]``).

Masks come from the batch's id tensors by broadcasting on the device. A level
the data lacks (no such ids) is skipped with one logged notice; a present
level whose batch has no two rows sharing its id (so that it would only
repeat the sample level) is an error, since a silently empty term would train
something else than asked: draw batches with
``data.source=grouped`` (k windows of m recordings of p subjects).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import torch
from torch import Tensor

from tscl.errors import ConfigError, DataError
from tscl.losses.infonce import info_nce
from tscl.pairs.base import PairStrategy, pool
from tscl.pairs.masks import (
    COMET_LEVELS,
    LEVEL_IDS,
    hierarchy_masks,
    temporal_positive_mask,
)
from tscl.types import SignalBatch

LOGGER = logging.getLogger(__name__)
# Named level weights: COMET's PTB setting, and equal weights.
WEIGHT_PRESETS = {"ptb": (0.1, 0.7, 0.1, 0.1), "equal": (0.25, 0.25, 0.25, 0.25)}


def level_weights(
    weights: str | Sequence[float] | Mapping[str, float],
) -> dict[str, float]:
    """Weights by level from a preset name, 4 numbers (COMET's order) or a mapping."""
    if isinstance(weights, str):
        if weights not in WEIGHT_PRESETS:
            names = ", ".join(sorted(WEIGHT_PRESETS))
            raise ConfigError(f"pairs weights: '{weights}' is not one of {names}")
        weights = WEIGHT_PRESETS[weights]
    if isinstance(weights, Mapping):
        unknown = set(weights) - set(COMET_LEVELS)
        if unknown:
            raise ConfigError(
                f"pairs weights: unknown level(s) {sorted(unknown)}; levels: {list(COMET_LEVELS)}"
            )
        chosen = {level: float(weights.get(level, 0.0)) for level in COMET_LEVELS}
    else:
        values = [float(w) for w in weights]
        if len(values) != len(COMET_LEVELS):
            raise ConfigError(
                f"pairs weights: expected {len(COMET_LEVELS)} numbers "
                f"({', '.join(COMET_LEVELS)}), got {len(values)}"
            )
        chosen = dict(zip(COMET_LEVELS, values, strict=True))
    if any(w < 0 for w in chosen.values()) or not any(chosen.values()):
        raise ConfigError(
            f"pairs weights: need non-negative weights, not all 0; got {chosen}"
        )
    return chosen


def observation_loss(
    z_a: Tensor, z_b: Tensor, temperature: float, steps: Tensor | None = None
) -> Tensor:
    """Per sample, the same timestamp of the other view is the positive: 2 x (B, D, T) -> scalar."""
    length = z_a.shape[-1]
    z = torch.cat([z_a, z_b], dim=-1).transpose(1, 2)  # 2 x (B, D, T) -> (B, 2T, D)
    valid = None
    if steps is not None and steps.shape[-1] == length:
        valid = steps.repeat(1, 2)  # (B, T) -> (B, 2T)
    mask = temporal_positive_mask(length, z.device)  # (2T, 2T)
    return info_nce(z, mask, temperature, valid_mask=valid)


class HierarchicalPositives(PairStrategy):
    """COMET's four weighted levels of positives through one masked InfoNCE core.

    Args:
        weights: a preset ("equal", "ptb" = [.1, .7, .1, .1]), four numbers in
            the order observation, sample, trial, patient, or a mapping.
        temperature: softmax temperature of every level's InfoNCE.
    """

    def __init__(
        self,
        weights: str | Sequence[float] | Mapping[str, float] = "equal",
        temperature: float = 0.1,
    ) -> None:
        super().__init__()
        self.weights = level_weights(weights)
        self.temperature = temperature
        self.noticed: set[str] = set()

    def present_levels(self, batch: SignalBatch) -> list[str]:
        """Levels with a positive weight whose ids the batch carries (one notice per missing level)."""
        levels = []
        for level, weight in self.weights.items():
            if weight == 0:
                continue
            key = LEVEL_IDS[level]
            if key is not None and key not in batch.ids:
                if level not in self.noticed:
                    LOGGER.warning(
                        "hierarchical pairs: the data has no '%s' ids, so the %s level is skipped",
                        key,
                        level,
                    )
                    self.noticed.add(level)
                continue
            levels.append(level)
        return levels

    def forward(
        self,
        z_a: Tensor,
        z_b: Tensor | None,
        batch: SignalBatch,
        *,
        steps: Tensor | None = None,
        z_extra: Tensor | None = None,
    ) -> dict[str, Tensor]:
        """(B, D, T) time-aligned views -> {"loss", one term per present level}."""
        assert z_b is not None
        levels = self.present_levels(batch)
        terms: dict[str, Tensor] = {}
        if "observation" in levels:
            terms["observation"] = observation_loss(z_a, z_b, self.temperature, steps)
        instance = [level for level in levels if level != "observation"]
        if instance:
            z = torch.cat([pool(z_a, steps), pool(z_b, steps)])  # (2B, D)
            masks = hierarchy_masks(
                batch.ids, instance, batch_size=z_a.shape[0], device=z.device
            )
            for level, mask in masks.items():
                shared = (
                    int(mask.sum()) > 2 * z_a.shape[0]
                )  # more than each row's other view
                if level != "sample" and not shared:
                    raise DataError(
                        "hierarchical pairs",
                        f"no two rows of this batch share a {level} id, so the {level} "
                        "level adds nothing; draw batches with data.source=grouped",
                    )
                terms[level] = info_nce(z, mask, self.temperature)
        total = sum(self.weights[level] * term for level, term in terms.items())
        return {"loss": total, **terms}  # type: ignore[dict-item]
