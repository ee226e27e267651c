"""Batched monotone piecewise cubic Hermite interpolation (PCHIP).

Fritsch & Carlson 1980, "Monotone Piecewise Cubic Interpolation"
(https://doi.org/10.1137/0717021), with the three-point end slopes that keep
the curve shape-preserving. It never overshoots its knots, so monotone knots
give a monotone curve (time warps) and positive knots a positive one
(magnitude warps).
"""

from __future__ import annotations

import torch
from torch import Tensor


def _interior_slopes(secants: Tensor, steps: Tensor) -> Tensor:
    """Weighted harmonic mean of neighbouring secants; 0 at local extrema.

    secants (N, K-1), steps (K-1,) -> (N, K-2).
    """
    before, after = secants[:, :-1], secants[:, 1:]
    weight_before = 2 * steps[1:] + steps[:-1]
    weight_after = steps[1:] + 2 * steps[:-1]
    same_sign = before * after > 0
    safe_before = torch.where(same_sign, before, torch.ones_like(before))
    safe_after = torch.where(same_sign, after, torch.ones_like(after))
    harmonic = (weight_before + weight_after) / (
        weight_before / safe_before + weight_after / safe_after
    )
    return torch.where(same_sign, harmonic, torch.zeros_like(harmonic))


def _end_slope(
    secant0: Tensor, secant1: Tensor, step0: Tensor, step1: Tensor
) -> Tensor:
    """Three-point end slope, limited to keep the end shape-preserving. (N,) -> (N,)."""
    slope = ((2 * step0 + step1) * secant0 - step0 * secant1) / (step0 + step1)
    slope = torch.where(
        torch.sign(slope) != torch.sign(secant0), torch.zeros_like(slope), slope
    )
    too_steep = (torch.sign(secant0) != torch.sign(secant1)) & (
        slope.abs() > 3 * secant0.abs()
    )
    return torch.where(too_steep, 3 * secant0, slope)


def pchip_slopes(knots_x: Tensor, knots_y: Tensor) -> Tensor:
    """Derivatives of the PCHIP curve at the knots.

    Args:
        knots_x: (K,) strictly increasing knot positions, K >= 2.
        knots_y: (N, K) knot values, one curve per row.

    Returns:
        (N, K) slopes.
    """
    steps = knots_x.diff()  # (K-1,)
    secants = knots_y.diff(dim=1) / steps  # (N, K-1)
    if knots_x.shape[0] == 2:
        return torch.cat([secants, secants], dim=1)
    first = _end_slope(secants[:, 0], secants[:, 1], steps[0], steps[1])
    last = _end_slope(secants[:, -1], secants[:, -2], steps[-1], steps[-2])
    interior = _interior_slopes(secants, steps)
    return torch.cat([first[:, None], interior, last[:, None]], dim=1)


def hermite_basis(knots_x: Tensor, query: Tensor) -> tuple[Tensor, Tensor]:
    """Weights that turn knot values and knot slopes into curve values.

    The cubic Hermite curve is linear in the knot values and slopes, so for
    shared knots and query points it is ``y @ values_basis + d @ slopes_basis``:
    one small matmul for a whole batch of curves.

    Args:
        knots_x: (K,) strictly increasing knot positions, K >= 2.
        query: (Q,) points in [knots_x[0], knots_x[-1]].

    Returns:
        values_basis (K, Q) and slopes_basis (K, Q); each column has two non-zeros.
    """
    last = knots_x.shape[0] - 2
    # (Q,)
    interval = (torch.searchsorted(knots_x, query, right=True) - 1).clamp(0, last)
    step = knots_x[interval + 1] - knots_x[interval]  # (Q,)
    s = (query - knots_x[interval]) / step  # (Q,) position inside the interval
    s2, s3 = s * s, s * s * s
    rows = torch.stack([interval, interval + 1])  # (2, Q): left and right knot
    values_weights = torch.stack([2 * s3 - 3 * s2 + 1, -2 * s3 + 3 * s2])  # (2, Q)
    slopes_weights = torch.stack([(s3 - 2 * s2 + s) * step, (s3 - s2) * step])  # (2, Q)
    shape = (knots_x.shape[0], query.shape[0])
    values_basis = query.new_zeros(shape).scatter_(0, rows, values_weights)
    slopes_basis = query.new_zeros(shape).scatter_(0, rows, slopes_weights)
    return values_basis, slopes_basis


def pchip_interpolate(knots_x: Tensor, knots_y: Tensor, query: Tensor) -> Tensor:
    """Evaluates N PCHIP curves that share knot positions at shared query points.

    Args:
        knots_x: (K,) strictly increasing knot positions, K >= 2.
        knots_y: (N, K) knot values.
        query: (Q,) points in [knots_x[0], knots_x[-1]].

    Returns:
        (N, Q) curve values.
    """
    values_basis, slopes_basis = hermite_basis(knots_x, query)  # (K, Q) each
    knots = torch.cat([knots_y, pchip_slopes(knots_x, knots_y)], dim=1)  # (N, 2K)
    # (N, 2K) @ (2K, Q) -> (N, Q)
    return knots @ torch.cat([values_basis, slopes_basis], dim=0)
