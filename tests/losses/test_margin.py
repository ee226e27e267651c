"""The pairwise-distance margin loss and hard-negative InfoNCE against direct loop computations."""

from __future__ import annotations

import math

import pytest
import torch

from tscl.errors import DataError
from tscl.losses.infonce import info_nce
from tscl.losses.margin import (
    MarginContrastiveLoss,
    margin_contrastive_loss,
    pairwise_sq_distances,
)
from tscl.pairs.masks import equal_id_mask

INDEX = [0, 0, 0, 1, 1, 2, 2, 2, 3]


def _embeddings(n: int = len(INDEX), d: int = 6) -> torch.Tensor:
    return torch.randn(n, d, generator=torch.Generator().manual_seed(0)).double()


def test_pairwise_distances_equal_the_difference_tensor() -> None:
    z = _embeddings()
    direct = ((z[:, None, :] - z[None, :, :]) ** 2).sum(-1)  # the (n, n, d) way
    assert torch.allclose(pairwise_sq_distances(z), direct, atol=1e-10)


def _direct_margin(
    z: torch.Tensor, index: list[int], margin: float, k: int | None
) -> float:
    """Loops over pairs: every positive pair once, each anchor's k nearest negatives."""
    unit = [row / math.sqrt(float(row @ row)) for row in z]
    dist = [[math.sqrt(float((a - b) @ (a - b))) for b in unit] for a in unit]
    terms = []
    n = len(unit)
    for i in range(n):
        for j in range(i + 1, n):
            if index[i] == index[j]:
                terms.append(dist[i][j] ** 2)
    for i in range(n):
        negatives = sorted((dist[i][j], j) for j in range(n) if index[j] != index[i])
        for d, _ in negatives[: k if k is not None else len(negatives)]:
            terms.append(max(0.0, margin - d) ** 2)
    return sum(terms) / len(terms)


@pytest.mark.parametrize("k", [None, 1, 3])
def test_margin_loss_equals_direct_computation(k: int | None) -> None:
    z = _embeddings()
    mask = equal_id_mask(torch.tensor(INDEX))
    got = margin_contrastive_loss(z, mask, margin=1.2, hard_negatives=k)
    assert math.isclose(float(got), _direct_margin(z, INDEX, 1.2, k), rel_tol=1e-9)


def test_margin_loss_has_finite_gradients_for_equal_rows() -> None:
    z = torch.ones(4, 3, requires_grad=True)  # every distance 0: sqrt's edge
    loss = margin_contrastive_loss(z, equal_id_mask(torch.tensor([0, 0, 1, 1])))
    (grad,) = torch.autograd.grad(loss, z)
    assert torch.isfinite(grad).all()


def test_margin_loss_two_view_form_matches_the_mask_form() -> None:
    z = _embeddings(8)
    got = MarginContrastiveLoss(margin=0.7, hard_negatives=2)(z[:4], z[4:])
    mask = equal_id_mask(torch.arange(4).repeat(2))
    want = margin_contrastive_loss(z, mask, margin=0.7, hard_negatives=2)
    assert torch.isclose(got, want)


def test_margin_loss_without_positives_is_one_line_error() -> None:
    with pytest.raises(DataError, match="no two rows"):
        margin_contrastive_loss(_embeddings(3), equal_id_mask(torch.arange(3)))


def _direct_hard_infonce(z: torch.Tensor, index: list[int], t: float, k: int) -> float:
    """Denominator: the anchor's positives plus its k most similar negatives."""
    unit = [row / math.sqrt(float(row @ row)) for row in z]
    losses = []
    for i in range(len(unit)):
        sims = {j: float(unit[i] @ unit[j]) / t for j in range(len(unit)) if j != i}
        positives = [j for j in sims if index[j] == index[i]]
        negatives = sorted(
            (s for j, s in sims.items() if index[j] != index[i]), reverse=True
        )
        if not positives:
            continue
        kept = [sims[p] for p in positives] + negatives[:k]
        log_norm = math.log(sum(math.exp(s) for s in kept))
        losses.append(sum(log_norm - sims[p] for p in positives) / len(positives))
    return sum(losses) / len(losses)


@pytest.mark.parametrize("k", [1, 2, 100])
def test_infonce_hard_negatives_equal_direct_computation(k: int) -> None:
    z = _embeddings()
    mask = equal_id_mask(torch.tensor(INDEX))
    got = info_nce(z, mask, 0.5, hard_negatives=k)
    assert math.isclose(
        float(got), _direct_hard_infonce(z, INDEX, 0.5, k), rel_tol=1e-9
    )
    if k == 100:  # more than there are: the plain loss
        assert torch.isclose(got, info_nce(z, mask, 0.5))
