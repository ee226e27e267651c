"""Stratified label subsets for the 100% / 10% / 1% label protocols (COMET)."""

from __future__ import annotations

import numpy as np

from tscl.errors import ConfigError, DataError


def stratified_fraction(y: np.ndarray, fraction: float, seed: int = 0) -> np.ndarray:
    """Indices of a class-stratified subset holding ``fraction`` of the samples.

    Each class keeps round(fraction * count) samples (halves round up), and at
    least one. For one seed the subsets are nested: every class is shuffled
    once, and a smaller fraction takes a prefix of what a larger one takes.

    Args:
        y: labels, (N,).
        fraction: in (0, 1]; 1.0 returns every index.
        seed: seeds the shuffle (a local NumPy generator; no global state).

    Returns:
        Sorted int64 indices into ``y``.
    """
    if not 0.0 < fraction <= 1.0:
        raise ConfigError(f"fraction: expected a value in (0, 1], got {fraction}")
    y = np.asarray(y)
    if y.ndim != 1 or len(y) == 0:
        raise DataError(
            "y", f"expected a non-empty 1-D label array, got shape {y.shape}"
        )
    rng = np.random.default_rng(seed)
    chosen = []
    for label in np.unique(y):
        members = np.flatnonzero(y == label)
        keep = max(1, int(np.floor(fraction * len(members) + 0.5)))
        chosen.append(rng.permutation(members)[:keep])
    return np.sort(np.concatenate(chosen)).astype(np.int64)
