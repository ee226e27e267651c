"""Hierarchical (COMET) masks and loss against direct per-pair loops."""

from __future__ import annotations

import logging
import math

import pytest
import torch

from tscl.errors import ConfigError, DataError
from tscl.pairs.hierarchical import HierarchicalPositives, level_weights
from tscl.pairs.masks import hierarchy_masks, supervised_ids, temporal_positive_mask
from tscl.types import SignalBatch


def _loop_mask(codes: list[int]) -> list[list[bool]]:
    n = len(codes)
    return [[i != j and codes[i] == codes[j] for j in range(n)] for i in range(n)]


def _direct_info_nce(z: torch.Tensor, mask: list[list[bool]], t: float) -> float:
    """Per anchor with a positive: mean over its positives of -log softmax_{k != i}."""
    unit = [row / math.sqrt(float(row @ row)) for row in z.double()]
    losses = []
    for i in range(len(unit)):
        sims = {k: float(unit[i] @ unit[k]) / t for k in range(len(unit)) if k != i}
        log_norm = math.log(sum(math.exp(s) for s in sims.values()))
        positives = [k for k in sims if mask[i][k]]
        if positives:
            losses.append(sum(log_norm - sims[p] for p in positives) / len(positives))
    return sum(losses) / len(losses)


def test_masks_equal_per_pair_loops() -> None:
    recording, subject = [0, 0, 1, 1, 2, 2], [0, 0, 0, 0, 1, 1]
    ids = {"recording": torch.tensor(recording), "subject": torch.tensor(subject)}
    masks = hierarchy_masks(
        ids, ["sample", "trial", "patient"], batch_size=6, device=torch.device("cpu")
    )
    assert masks["sample"].tolist() == _loop_mask(list(range(6)) * 2)
    assert masks["trial"].tolist() == _loop_mask(recording * 2)
    assert masks["patient"].tolist() == _loop_mask(subject * 2)
    assert temporal_positive_mask(3, torch.device("cpu")).tolist() == _loop_mask(
        [0, 1, 2, 0, 1, 2]
    )


def test_unlabelled_rows_get_their_own_ids() -> None:
    ids = supervised_ids(torch.tensor([1, -1, 1, -1]))
    assert ids[0] == ids[2] and len({int(i) for i in ids}) == 3


def test_loss_is_the_weighted_sum_of_direct_level_terms() -> None:
    generator = torch.Generator().manual_seed(0)
    z_a = torch.randn(4, 5, 3, generator=generator)  # (B, D, T)
    z_b = torch.randn(4, 5, 3, generator=generator)
    recording, subject = [0, 0, 1, 1], [0, 0, 0, 0]
    batch = SignalBatch(
        x=torch.zeros(4, 1, 3),
        ids={"recording": torch.tensor(recording), "subject": torch.tensor(subject)},
    )
    pairs = HierarchicalPositives(weights="ptb", temperature=0.5)
    terms = pairs(z_a, z_b, batch)
    pooled = torch.cat([z_a.amax(-1), z_b.amax(-1)])
    expected = {
        "sample": _direct_info_nce(pooled, _loop_mask(list(range(4)) * 2), 0.5),
        "trial": _direct_info_nce(pooled, _loop_mask(recording * 2), 0.5),
        "patient": _direct_info_nce(pooled, _loop_mask(subject * 2), 0.5),
    }
    per_sample = [
        _direct_info_nce(
            torch.cat([z_a[b].T, z_b[b].T]), _loop_mask([0, 1, 2, 0, 1, 2]), 0.5
        )
        for b in range(4)
    ]
    expected["observation"] = sum(per_sample) / 4
    for level, value in expected.items():
        assert math.isclose(float(terms[level]), value, rel_tol=1e-5), level
    total = sum(level_weights("ptb")[k] * v for k, v in expected.items())
    assert math.isclose(float(terms["loss"]), total, rel_tol=1e-5)


def test_missing_level_is_skipped_with_one_notice(
    caplog: pytest.LogCaptureFixture,
) -> None:
    pairs = HierarchicalPositives()
    batch = SignalBatch(
        x=torch.zeros(4, 1, 3), ids={"subject": torch.tensor([0, 0, 1, 1])}
    )
    z = torch.randn(4, 5, 3)
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            terms = pairs(z, z + 0.1, batch)
    assert "trial" not in terms and "patient" in terms
    notices = [r for r in caplog.records if "recording" in r.getMessage()]
    assert len(notices) == 1


def test_a_level_without_positives_names_the_grouped_source() -> None:
    batch = SignalBatch(
        x=torch.zeros(3, 1, 3),
        ids={"recording": torch.tensor([0, 1, 2]), "subject": torch.tensor([0, 1, 2])},
    )
    pairs = HierarchicalPositives(weights=[0, 0, 1, 0])
    with pytest.raises(DataError, match="data.source=grouped"):
        pairs(torch.randn(3, 4, 2), torch.randn(3, 4, 2), batch)


def test_bad_weights_fail_with_the_levels_named() -> None:
    with pytest.raises(ConfigError, match="observation"):
        level_weights([0.5, 0.5])
    with pytest.raises(ConfigError, match="unknown level"):
        level_weights({"visit": 1.0})
