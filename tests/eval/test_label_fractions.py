"""stratified_fraction: sizes, strata, nesting, errors."""

from __future__ import annotations

import numpy as np
import pytest

from tscl.errors import ConfigError, DataError
from tscl.eval.label_fractions import stratified_fraction


def labels() -> np.ndarray:
    return np.repeat(np.array([0, 1, 2]), [150, 45, 5])  # 200 samples


@pytest.mark.parametrize(
    ("fraction", "sizes"),
    [(0.01, [2, 1, 1]), (0.1, [15, 5, 1]), (0.5, [75, 23, 3]), (1.0, [150, 45, 5])],
)
def test_sizes_per_class(fraction: float, sizes: list[int]) -> None:
    # 0.01*150 = 1.5 -> 2 (half up); 0.01*45 -> 0.45 -> 0 -> at least 1; 0.5*45 = 22.5 -> 23
    y = labels()
    index = stratified_fraction(y, fraction, seed=3)
    assert [int((y[index] == c).sum()) for c in (0, 1, 2)] == sizes
    assert np.all(np.diff(index) > 0)  # sorted, no repeats


def test_full_fraction_is_everything() -> None:
    assert np.array_equal(stratified_fraction(labels(), 1.0), np.arange(200))


def test_subsets_are_nested_and_seeded() -> None:
    y = labels()
    small, large = (
        stratified_fraction(y, 0.01, seed=7),
        stratified_fraction(y, 0.1, seed=7),
    )
    assert set(small) <= set(large)
    assert np.array_equal(large, stratified_fraction(y, 0.1, seed=7))
    assert not np.array_equal(large, stratified_fraction(y, 0.1, seed=8))


def test_string_labels() -> None:
    y = np.array(["n", "n", "n", "v", "s", "s"])
    index = stratified_fraction(y, 0.34, seed=0)
    assert sorted(y[index]) == ["n", "s", "v"]


def test_errors() -> None:
    with pytest.raises(ConfigError, match="fraction"):
        stratified_fraction(labels(), 0.0)
    with pytest.raises(ConfigError, match="fraction"):
        stratified_fraction(labels(), 1.5)
    with pytest.raises(DataError, match="1-D"):
        stratified_fraction(np.zeros((3, 2)), 0.5)
