from __future__ import annotations

import numpy as np

from tscl.data.sections import (
    centre_varying_length,
    pad_to_array,
    prepare_pretraining_array,
    split_long_series,
)


def test_split_follows_ts2vec_sections() -> None:
    """T // max_length near-equal sections (np.array_split sizes), NaN-padded to the longest."""
    x = np.arange(2 * 7, dtype=np.float32).reshape(2, 1, 7)
    out = split_long_series(x, 3)  # 7 // 3 = 2 sections of 4 and 3 steps
    expected = [[0, 1, 2, 3], [4, 5, 6, np.nan], [7, 8, 9, 10], [11, 12, 13, np.nan]]
    np.testing.assert_array_equal(out[:, 0], np.array(expected, dtype=np.float32))
    assert split_long_series(np.zeros((1, 1, 5999)), 3000).shape == (
        1,
        1,
        5999,
    )  # one section
    assert prepare_pretraining_array(np.zeros((1, 8, 8640)), 3000).shape == (2, 8, 4320)


def test_centring_moves_only_padding() -> None:
    x = pad_to_array(
        [np.ones((1, 3)), np.arange(1, 6, dtype=np.float32)[None]]
    )  # (2, 1, 5)
    out = centre_varying_length(x)
    np.testing.assert_array_equal(out[0, 0], [np.nan, 1, 1, 1, np.nan])
    np.testing.assert_array_equal(out[1, 0], [1, 2, 3, 4, 5])


def test_empty_samples_are_dropped() -> None:
    x = np.full((3, 2, 4), np.nan, dtype=np.float32)
    x[1, 0, 2] = 1.0
    assert prepare_pretraining_array(x, 3000).shape == (1, 2, 4)
