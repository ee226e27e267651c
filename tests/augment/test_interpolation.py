"""PCHIP curves and NaN-aware resampling, the two interpolation building blocks."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy.interpolate import PchipInterpolator

from tscl.augment.pchip import pchip_interpolate
from tscl.augment.resample import resample


def test_pchip_hand_values_on_two_intervals() -> None:
    # Knots (0, 0), (1, 1), (2, 3): secants 1 and 2, so the middle slope is the
    # weighted harmonic mean 6 / (3/1 + 3/2) = 4/3, and the end slopes are
    # (3*1 - 1*2)/2 = 1/2 and (3*2 - 1*1)/2 = 5/2.
    knots_x = torch.tensor([0.0, 1.0, 2.0], dtype=torch.float64)
    knots_y = torch.tensor([[0.0, 1.0, 3.0]], dtype=torch.float64)
    query = torch.tensor([0.0, 0.5, 1.0, 1.5, 2.0], dtype=torch.float64)
    got = pchip_interpolate(knots_x, knots_y, query)[0]
    # Hermite at s = 0.5: (y0 + y1)/2 + (d0 - d1) * h / 8.
    expected = [0.0, 0.5 + (0.5 - 4 / 3) / 8, 1.0, 2.0 + (4 / 3 - 2.5) / 8, 3.0]
    assert got.tolist() == pytest.approx(expected, rel=1e-12)


def test_pchip_agrees_with_scipy_and_stays_monotone() -> None:
    rng = np.random.default_rng(0)
    knots_x = np.sort(rng.uniform(0, 10, 6))
    knots_y = np.cumsum(rng.uniform(0, 1, (4, 6)), axis=1)  # monotone rows
    knots_y[3] = rng.normal(size=6)  # and one wiggly row
    query = np.linspace(knots_x[0], knots_x[-1], 301)
    got = pchip_interpolate(
        torch.tensor(knots_x), torch.tensor(knots_y), torch.tensor(query)
    ).numpy()
    np.testing.assert_allclose(
        got, PchipInterpolator(knots_x, knots_y, axis=1)(query), rtol=1e-10, atol=1e-12
    )
    assert (np.diff(got[:3], axis=1) >= -1e-12).all()


def test_resample_linear_values() -> None:
    x = torch.tensor([[[0.0, 10.0, 20.0, 40.0]]])  # (1, 1, 4)
    positions = torch.tensor([[0.0, 0.25, 2.5, 3.0, 5.0]])  # the last reads the end
    assert resample(x, positions)[0, 0].tolist() == pytest.approx(
        [0.0, 2.5, 30.0, 40.0, 40.0]
    )


def test_resample_keeps_gaps_as_gaps_without_spreading() -> None:
    x = torch.tensor([[[0.0, 10.0, math.nan, 30.0, 40.0]]])
    positions = torch.tensor([[1.2, 1.5, 1.6, 2.0, 2.4, 2.7, 3.0]])
    out = resample(x, positions)[0, 0]
    # 1.2: the gap weighs 0.2, so the observed neighbour alone gives 10; at 1.5
    # (a tie) the observed side still wins. 1.6, 2.0, 2.4: the gap weighs more
    # than half: NaN. 2.7: the gap weighs 0.3, so 30.
    assert out[0].item() == pytest.approx(10.0)
    assert out[1].item() == pytest.approx(10.0)
    assert out[2].isnan() and out[3].isnan() and out[4].isnan()
    assert out[5].item() == pytest.approx(30.0) and out[6].item() == pytest.approx(30.0)


def test_resample_between_two_observed_neighbours_of_a_gap() -> None:
    # The gap at 1 sits between observed 10 and 30; reading at 0.75 gives the
    # gap weight 0.75 (NaN), at 0.2 weight 0.2: the observed 10.
    x = torch.tensor([[[10.0, math.nan, 30.0]]], dtype=torch.float64)
    out = resample(x, torch.tensor([[0.2, 0.75, 1.8]], dtype=torch.float64))[0, 0]
    assert out[0].item() == pytest.approx(10.0) and out[1].isnan()
    assert out[2].item() == pytest.approx(30.0)
