"""``from tscl.data import load_dataset``: arrays in the estimator's layout, ids kept, shape mistakes named."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tscl import ContrastiveEncoder
from tscl.data import load_dataset
from tscl.errors import DataError


def test_archive_unpacks_as_sklearn_arrays(cli_workspace: Path) -> None:
    X_train, y_train, X_test, y_test = load_dataset("ECG200")
    # ECG200: 100 + 100 univariate series of 96 steps, labels coded 0/1.
    assert X_train.shape == (100, 96, 1) and X_test.shape == (100, 96, 1)
    assert X_train.dtype == np.float32
    assert set(np.unique(y_train)) == {0, 1} and len(y_test) == 100


def test_recordings_keep_patient_ids_and_split_by_patient(cli_workspace: Path) -> None:
    data = load_dataset("mitdb", domain="ecg", records=["101", "106", "109"])
    assert data.domain == "ecg" and data.class_names[:3] == ["N", "S", "V"]
    parts = {
        "train": (data.X_train, data.ids_train),
        "val": (data.X_val, data.ids_val),
        "test": (data.X_test, data.ids_test),
    }
    patients = {}
    for name, (x, ids) in parts.items():
        # (N, T, C): the ECG recipe's beats, 252 samples at 360 Hz kept every 2nd
        assert x.ndim == 3 and x.shape[1] == 126
        assert len(ids["subject"]) == len(x)
        patients[name] = set(ids["subject"])
    # Three records, three patients, one per split: nobody in two splits.
    assert sorted(set().union(*patients.values())) == ["101", "106", "109"]
    assert all(len(p) == 1 for p in patients.values())


def test_unknown_option_is_refused(cli_workspace: Path) -> None:
    with pytest.raises(Exception, match="bogus"):
        load_dataset("mitdb", domain="ecg", bogus=1)


def test_channels_first_array_is_named_in_the_error() -> None:
    X = np.random.default_rng(0).normal(size=(8, 1, 96)).astype(np.float32)  # (N, C, T)
    with pytest.raises(DataError, match=r"expected \(N, T, C\).*transpose\(0, 2, 1\)"):
        ContrastiveEncoder(n_iters=1).fit(X)


def test_swapped_layout_at_encode_time_is_named() -> None:
    X = np.random.default_rng(0).normal(size=(4, 32, 2)).astype(np.float32)
    model = ContrastiveEncoder(n_iters=1, output_dims=8, hidden_dims=8, depth=1).fit(X)
    with pytest.raises(DataError, match="channels-first"):
        model.transform(X.transpose(0, 2, 1))
