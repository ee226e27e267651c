"""Alignment and uniformity against values computed by hand."""

from __future__ import annotations

import math

import pytest
import torch

from tscl.errors import DataError
from tscl.losses import alignment, uniformity


def test_alignment_hand_values() -> None:
    z = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    assert alignment(z, 5 * z).item() == pytest.approx(0.0, abs=1e-7)  # same directions
    assert alignment(z, -z).item() == pytest.approx(4.0)  # antipodal: |2|^2
    # Orthogonal unit pairs are sqrt(2) apart: alpha=1 -> sqrt(2), alpha=2 -> 2.
    rotated = torch.tensor([[0.0, 1.0], [-1.0, 0.0]])
    assert alignment(z, rotated, alpha=1).item() == pytest.approx(math.sqrt(2))
    assert alignment(z, rotated).item() == pytest.approx(2.0)


def test_uniformity_hand_values() -> None:
    two = torch.tensor([[1.0, 0.0], [0.0, 3.0]])  # squared distance 2 after normalising
    assert uniformity(two).item() == pytest.approx(-4.0)
    angles = torch.tensor([0.0, 2 * math.pi / 3, 4 * math.pi / 3])
    # squared distances all 3
    triangle = torch.stack([angles.cos(), angles.sin()], dim=1)
    assert uniformity(triangle, t=1).item() == pytest.approx(-3.0, rel=1e-6)
    # squared distances 0, 4, 4
    mixed = torch.tensor([[1.0, 0.0], [1.0, 0.0], [-1.0, 0.0]])
    assert uniformity(mixed).item() == pytest.approx(
        math.log((1 + 2 * math.exp(-8)) / 3), rel=1e-6
    )


def test_uniformity_needs_two_rows() -> None:
    with pytest.raises(DataError, match="N >= 2"):
        uniformity(torch.ones(1, 3))
