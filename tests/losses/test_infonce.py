"""InfoNCE core, NT-Xent, DCL, SupCon and multi-view against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from tscl.errors import DataError
from tscl.losses import (
    DCLLoss,
    InfoNCELoss,
    MultiViewInfoNCELoss,
    NTXentLoss,
    SupConLoss,
    info_nce,
)


def naive_info_nce(
    z: np.ndarray, positive: np.ndarray, t: float, exclude_positives: bool = False
) -> float:
    """Loop-by-loop reference: mean over anchors with positives of the mean -log ratio."""
    unit = z / np.linalg.norm(z, axis=1, keepdims=True)
    n = len(z)
    losses = []
    for i in range(n):
        pos = [k for k in range(n) if k != i and positive[i, k]]
        if not pos:
            continue
        denom = [k for k in range(n) if k != i and not (exclude_positives and k in pos)]
        norm = sum(math.exp(float(unit[i] @ unit[k]) / t) for k in denom)
        losses.append(
            np.mean([-(float(unit[i] @ unit[p]) / t - math.log(norm)) for p in pos])
        )
    return float(np.mean(losses))


def two_view_mask(ids: list[int]) -> np.ndarray:
    stacked = np.array(ids + ids)
    mask = stacked[:, None] == stacked[None, :]
    np.fill_diagonal(mask, False)
    return mask


def test_info_nce_matches_naive_loop_with_multiple_positives() -> None:
    generator = torch.Generator().manual_seed(0)
    z = torch.randn(6, 3, generator=generator, dtype=torch.float64)
    mask = np.zeros((6, 6), dtype=bool)
    mask[0, [1, 2]] = mask[1, 0] = mask[3, 4] = mask[4, 3] = (
        True  # row 2 has no positive: ignored
    )
    got = info_nce(z, torch.from_numpy(mask), 0.3)
    assert got.item() == pytest.approx(naive_info_nce(z.numpy(), mask, 0.3), rel=1e-10)
    dcl = info_nce(
        z, torch.from_numpy(mask), 0.3, exclude_positives_from_denominator=True
    )
    assert dcl.item() == pytest.approx(
        naive_info_nce(z.numpy(), mask, 0.3, exclude_positives=True), rel=1e-10
    )


def test_info_nce_ignores_invalid_rows_and_self_pairs() -> None:
    generator = torch.Generator().manual_seed(1)
    z = torch.randn(5, 4, generator=generator, dtype=torch.float64)
    # self-pairs never count
    mask = torch.from_numpy(two_view_mask([0, 1]) | np.eye(4, dtype=bool))
    padded_mask = torch.zeros(5, 5, dtype=torch.bool)
    padded_mask[:4, :4] = mask
    padded_mask[4, :] = padded_mask[:, 4] = True  # row 4 is invalid: must not matter
    valid = torch.tensor([True, True, True, True, False])
    got = info_nce(z, padded_mask, 0.5, valid_mask=valid)
    assert got.item() == pytest.approx(
        naive_info_nce(z[:4].numpy(), two_view_mask([0, 1]), 0.5), rel=1e-10
    )


def test_ntxent_two_by_two_closed_form() -> None:
    theta, t = 0.4, 0.5
    c, s = math.cos(theta), math.sin(theta)
    z_a = torch.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=torch.float64)
    z_b = torch.tensor([[c, s], [-s, c]], dtype=torch.float64)  # z_a rotated by theta

    def per_anchor(u: float) -> float:  # positive cosine c, negatives 0 and u
        return -c / t + math.log(math.exp(c / t) + 1 + math.exp(u / t))

    expected = (per_anchor(-s) + per_anchor(s)) / 2
    assert NTXentLoss(temperature=t)(z_a, z_b).item() == pytest.approx(
        expected, rel=1e-12
    )
    # Embeddings are normalised: scaling a view changes nothing.
    assert NTXentLoss(temperature=t)(3 * z_a, z_b).item() == pytest.approx(
        expected, rel=1e-12
    )


def test_dcl_is_ntxent_without_the_positive_term_per_anchor() -> None:
    generator = torch.Generator().manual_seed(2)
    z_a, z_b = torch.randn(2, 4, 3, generator=generator, dtype=torch.float64)
    z = torch.cat([z_a, z_b])
    full = torch.from_numpy(two_view_mask([0, 1, 2, 3]))
    relation = []
    for anchor in range(8):  # a mask with one positive row gives that anchor's loss
        only = torch.zeros_like(full)
        only[anchor] = full[anchor]
        ntx = info_nce(z, only, 0.2).item()
        dcl = info_nce(z, only, 0.2, exclude_positives_from_denominator=True).item()
        # ntx = -s/t + log(e^{s/t} + N), dcl = -s/t + log N  =>  dcl = ntx + log(1 - e^{-ntx})
        assert dcl == pytest.approx(ntx + math.log(1 - math.exp(-ntx)), rel=1e-10)
        relation.append(dcl)
    assert DCLLoss(temperature=0.2)(z_a, z_b).item() == pytest.approx(
        np.mean(relation), rel=1e-10
    )


def test_supcon_with_distinct_labels_equals_ntxent() -> None:
    generator = torch.Generator().manual_seed(3)
    z_a, z_b = torch.randn(2, 5, 4, generator=generator, dtype=torch.float64)
    ntx = NTXentLoss(temperature=0.1)(z_a, z_b)
    assert SupConLoss(temperature=0.1)(
        z_a, z_b, torch.arange(5) * 7
    ).item() == pytest.approx(ntx.item(), rel=1e-12)
    assert SupConLoss(temperature=0.1)(z_a, z_b).item() == pytest.approx(
        ntx.item(), rel=1e-12
    )


def test_supcon_single_view_labels_match_naive_loop() -> None:
    generator = torch.Generator().manual_seed(4)
    z = torch.randn(7, 3, generator=generator, dtype=torch.float64)
    labels = [0, 1, 0, 2, 1, 0, 3]  # labels 2 and 3 have no positive
    mask = np.array(labels)[:, None] == np.array(labels)[None, :]
    np.fill_diagonal(mask, False)
    got = SupConLoss(temperature=0.2)(z, torch.tensor(labels))
    assert got.item() == pytest.approx(naive_info_nce(z.numpy(), mask, 0.2), rel=1e-10)


def test_groups_add_positives() -> None:
    generator = torch.Generator().manual_seed(5)
    z_a, z_b = torch.randn(2, 4, 3, generator=generator, dtype=torch.float64)
    z = torch.cat([z_a, z_b]).numpy()
    groups = torch.tensor([5, 5, 9, 9])  # e.g. two windows of one patient
    expected = naive_info_nce(z, two_view_mask([5, 5, 9, 9]), 0.5)
    assert NTXentLoss()(z_a, z_b, groups).item() == pytest.approx(expected, rel=1e-10)
    distinct = NTXentLoss()(z_a, z_b, torch.tensor([3, 1, 4, 2]))
    assert distinct.item() == pytest.approx(NTXentLoss()(z_a, z_b).item(), rel=1e-12)


def test_multiview_three_views_and_two_view_equivalence() -> None:
    generator = torch.Generator().manual_seed(6)
    views = torch.randn(3, 4, 5, generator=generator, dtype=torch.float64)
    ids = np.tile(np.arange(4), 3)
    mask = ids[:, None] == ids[None, :]
    np.fill_diagonal(mask, False)
    expected = naive_info_nce(views.flatten(0, 1).numpy(), mask, 0.1)
    assert MultiViewInfoNCELoss()(views).item() == pytest.approx(expected, rel=1e-10)
    assert MultiViewInfoNCELoss()(list(views)).item() == pytest.approx(
        expected, rel=1e-10
    )
    two = MultiViewInfoNCELoss(temperature=0.5)(views[0], views[1])
    assert two.item() == pytest.approx(
        NTXentLoss(temperature=0.5)(views[0], views[1]).item(), rel=1e-12
    )


def test_user_errors_are_one_line_data_errors() -> None:
    z = torch.randn(4, 3)
    with pytest.raises(DataError, match="no anchor"):
        info_nce(z, torch.zeros(4, 4, dtype=torch.bool), 0.1)
    with pytest.raises(DataError, match="positive_mask"):
        info_nce(z, torch.zeros(3, 3, dtype=torch.bool), 0.1)
    with pytest.raises(DataError, match="equal shape"):
        InfoNCELoss()(z, torch.randn(5, 3))
    with pytest.raises(DataError, match="groups"):
        NTXentLoss()(z, z, torch.arange(3))
    with pytest.raises(DataError, match="no anchor"):
        # single view, all labels distinct: nothing to attract
        SupConLoss()(z, torch.arange(4))
