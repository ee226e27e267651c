"""TS2Vec hierarchical loss against a per-level, per-anchor loop written here."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from tscl.losses import TS2VecLoss, hierarchical_contrastive_loss


def neg_log_softmax_at(scores: list[float], target: int, skip: int) -> float:
    """-log softmax(scores)[target] over every index except ``skip``."""
    norm = math.log(sum(math.exp(s) for k, s in enumerate(scores) if k != skip))
    return -(scores[target] - norm)


def naive_instance(z1: np.ndarray, z2: np.ndarray, groups: list[int]) -> float:
    b, t, _ = z1.shape
    total, count = 0.0, 0
    for step in range(t):
        rows = [z1[i, step] for i in range(b)] + [z2[i, step] for i in range(b)]
        ids = groups + groups
        for anchor in range(2 * b):
            scores = [float(rows[anchor] @ rows[k]) for k in range(2 * b)]
            pos = [k for k in range(2 * b) if k != anchor and ids[k] == ids[anchor]]
            total += np.mean([neg_log_softmax_at(scores, p, anchor) for p in pos])
            count += 1
    return total / count


def naive_temporal(z1: np.ndarray, z2: np.ndarray) -> float:
    b, t, _ = z1.shape
    total, count = 0.0, 0
    for i in range(b):
        rows = [z1[i, s] for s in range(t)] + [z2[i, s] for s in range(t)]
        for anchor in range(2 * t):
            scores = [float(rows[anchor] @ rows[k]) for k in range(2 * t)]
            total += neg_log_softmax_at(scores, (anchor + t) % (2 * t), anchor)
            count += 1
    return total / count


def naive_pool(z: np.ndarray) -> np.ndarray:
    b, t, d = z.shape
    return np.stack(
        [np.maximum(z[:, 2 * k], z[:, 2 * k + 1]) for k in range(t // 2)], axis=1
    )


def naive_hierarchical(
    z1: np.ndarray, z2: np.ndarray, alpha: float, unit: int, groups: list[int]
) -> float:
    terms, level = [], 0
    while z1.shape[1] > 1:
        temporal = naive_temporal(z1, z2) if level >= unit else 0.0
        terms.append(alpha * naive_instance(z1, z2, groups) + (1 - alpha) * temporal)
        z1, z2, level = naive_pool(z1), naive_pool(z2), level + 1
    terms.append(alpha * naive_instance(z1, z2, groups))
    return sum(terms) / len(terms)


@pytest.mark.parametrize(("alpha", "unit"), [(0.5, 0), (0.3, 1), (1.0, 0), (0.0, 0)])
def test_matches_naive_loops_on_random_inputs(alpha: float, unit: int) -> None:
    generator = torch.Generator().manual_seed(7)
    # (B=3, T=5, D=4)
    z1, z2 = torch.randn(2, 3, 5, 4, generator=generator, dtype=torch.float64)
    got = hierarchical_contrastive_loss(z1, z2, alpha=alpha, temporal_unit=unit)
    want = naive_hierarchical(z1.numpy(), z2.numpy(), alpha, unit, [0, 1, 2])
    assert got.item() == pytest.approx(want, rel=1e-10)


def test_groups_make_instances_of_a_group_positives() -> None:
    generator = torch.Generator().manual_seed(8)
    z1, z2 = torch.randn(2, 3, 4, 2, generator=generator, dtype=torch.float64)
    got = hierarchical_contrastive_loss(z1, z2, groups=torch.tensor([1, 1, 2]))
    assert got.item() == pytest.approx(
        naive_hierarchical(z1.numpy(), z2.numpy(), 0.5, 0, [1, 1, 2]), rel=1e-10
    )


def test_module_takes_encoder_layout() -> None:
    generator = torch.Generator().manual_seed(9)
    z_a, z_b = torch.randn(2, 4, 6, 8, generator=generator)  # (B, D, T)
    expected = hierarchical_contrastive_loss(
        z_a.transpose(1, 2), z_b.transpose(1, 2), alpha=0.7
    )
    assert TS2VecLoss(alpha=0.7)(z_a, z_b).item() == pytest.approx(
        expected.item(), rel=1e-6
    )
