from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import Pipeline

from tscl import ContrastiveEncoder
from tscl.bundle import load_bundle
from tscl.config import load_config
from tscl.data.read_ts import read_ts
from tscl.data.training import SignalSet, TrainingData
from tscl.domains.archive.load import fit_scaler
from tscl.errors import DataError
from tscl.train.run import embed, pretrain


def archive_like(x: np.ndarray) -> TrainingData:
    """(N, C, T) unlabelled train/test splits, normalised on train as the CLI does."""
    x = x.astype(np.float32)
    scaler = fit_scaler(x, "auto")
    if scaler is not None:
        x = scaler.transform(x).astype(np.float32)
    return TrainingData(
        train=SignalSet(x=x),
        test=SignalSet(x=x.copy()),
        preprocessing={"scaler": None if scaler is None else scaler.to_dict()},
    )


SMALL = {
    "hidden_dims": 16,
    "output_dims": 32,
    "depth": 3,
    "n_iters": 20,
    "random_state": 0,
}


@pytest.fixture(scope="module")
def ecg200(data_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    data = read_ts(data_dir / "ucr" / "ECG200" / "ECG200_TRAIN.ts")
    return data.to_array()[:, 0, :], data.labels  # (N, T) as scikit-learn users pass it


def test_ts2vec_defaults_are_the_papers() -> None:
    params = ContrastiveEncoder().get_params()
    expected = {
        "method": "ts2vec",
        "output_dims": 320,
        "hidden_dims": 64,
        "depth": 10,
        "batch_size": 8,
        "lr": 1e-3,
        "n_iters": None,
        "max_train_length": 3000,
    }
    assert {key: params[key] for key in expected} == expected


def test_pipeline_cross_val_score_on_real_data(
    ecg200: tuple[np.ndarray, np.ndarray],
) -> None:
    x, y = ecg200
    pipeline = Pipeline(
        [
            ("encoder", ContrastiveEncoder(**SMALL)),
            ("probe", LogisticRegression(max_iter=2000)),
        ]
    )
    scores = cross_val_score(pipeline, x, y, cv=3)
    assert scores.shape == (3,)
    # Chance is 0.69 (the majority class); even 20 steps of a small encoder carry the signal.
    assert scores.mean() > 0.7


def test_set_params_and_clone() -> None:
    model = ContrastiveEncoder().set_params(output_dims=64, random_state=3)
    copy = clone(model)
    assert (
        copy.get_params()["output_dims"] == 64
        and copy.get_params()["random_state"] == 3
    )


def test_save_load_round_trip_gives_identical_embeddings(
    ecg200: tuple[np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    x, _ = ecg200
    model = ContrastiveEncoder(**SMALL).fit(x)
    path = model.save(tmp_path / "encoder.pt")
    loaded = ContrastiveEncoder.load(path)
    np.testing.assert_array_equal(model.transform(x), loaded.transform(x))
    assert loaded.get_params() == model.get_params()


def test_saved_estimator_is_an_encoder_bundle_and_run_bundles_load(
    ecg200: tuple[np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    x, _ = ecg200
    model = ContrastiveEncoder(**{**SMALL, "n_iters": 3}).fit(x[:20])
    bundle = load_bundle(model.save(tmp_path / "estimator.pt"))  # what the CLI reads
    assert bundle.config.encoder.params["output_dims"] == 32
    # A run's bundle (with a fitted scaler) loads into the estimator and applies its normalisation.
    config = load_config(
        "ts2vec",
        ["train.max_steps=2", "train.progress=false", "encoder.params.depth=2"],
    )
    scaled = (
        x[:20, None, :] * 5.0 + 3.0
    )  # (N, 1, T), not z-normalised: a scaler is fitted
    arrays = archive_like(scaled)
    output = pretrain(config, run_dir=tmp_path / "run", data=arrays)
    assert output.bundle.scaler is not None
    loaded = ContrastiveEncoder.load(output.bundle_path)
    expected = embed(output.bundle.encoder, output.bundle.preprocess(scaled))
    np.testing.assert_allclose(loaded.transform(scaled[:, 0, :]), expected, atol=1e-6)
    assert loaded.get_params()["depth"] == 2 and loaded.n_channels_in_ == 1


def test_same_seed_same_embeddings_and_nan_input(
    ecg200: tuple[np.ndarray, np.ndarray],
) -> None:
    x, _ = ecg200
    gappy = x.copy()
    gappy[::3, 40:50] = np.nan  # gaps, and shorter series padded with NaN
    gappy[1, 80:] = np.nan
    first = ContrastiveEncoder(**SMALL).fit(gappy).transform(gappy)
    second = ContrastiveEncoder(**SMALL).fit(gappy).transform(gappy)
    np.testing.assert_array_equal(first, second)
    assert np.isfinite(first).all() and first.shape == (len(x), 32)


def test_sliding_encoding_is_per_timestep(
    ecg200: tuple[np.ndarray, np.ndarray],
) -> None:
    x, _ = ecg200
    model = ContrastiveEncoder(**{**SMALL, "n_iters": 2}).fit(x[:16])
    out = model.encode(x[:2], window="sliding", padding=10)
    assert out.shape == (2, x.shape[1], 32)


def test_bad_input_is_named() -> None:
    model = ContrastiveEncoder(**SMALL)
    with pytest.raises(DataError, match="X"):
        model.fit(np.zeros((4, 3, 2, 1)))
    with pytest.raises(DataError, match="inf"):
        model.fit(np.full((4, 10), np.inf))
