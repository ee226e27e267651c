"""Distribution agreement with tsaug's counterparts, on ramps and on real ECG.

Each test compares a per-sample statistic of many outputs of the torch module
and of tsaug with a two-sample Kolmogorov-Smirnov test. Tolerance: agreement
means p > 0.01; to show each test can fail, a deliberately mis-set module must
give p < 0.001. Seeds are fixed, so the outcome is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
import tsaug
from scipy.stats import ks_2samp

from tscl.augment import CropResize, Jitter, TimestampMask, TimeWarp

AGREE, DIFFER = 0.01, 0.001
LENGTH = 250


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(scope="module")
def ecg_windows(data_dir: Path) -> np.ndarray:
    """400 consecutive 250-sample windows of MIT-BIH record 208 (360 Hz, mV): (N, 1, T)."""
    signal = np.load(data_dir / "ecg" / "scipy_ecg_mitdb208" / "ecg.npz")["ecg"]
    # (N*T,) -> (N, 1, T)
    return signal[: 400 * LENGTH].reshape(400, 1, LENGTH).astype(np.float32)


def ramps(count: int) -> np.ndarray:
    """(N, 1, T) series whose value is their time index: resampling them reveals the time map."""
    return np.tile(np.arange(LENGTH, dtype=np.float32), (count, 1, 1))


def run_tsaug(augmenter: Any, x: np.ndarray) -> np.ndarray:
    """tsaug on (N, C, T) data: it wants (N, T, C)."""
    return augmenter.augment(x.transpose(0, 2, 1).copy()).transpose(0, 2, 1)


def run_torch(module: torch.nn.Module, x: np.ndarray) -> np.ndarray:
    return module(torch.from_numpy(x)).numpy()


def test_jitter_matches_add_noise_on_real_ecg(ecg_windows: np.ndarray) -> None:
    def relative_noise(
        out: np.ndarray,
    ) -> np.ndarray:  # per-sample noise std / signal range
        return ((out - ecg_windows).std(axis=-1) / np.ptp(ecg_windows, axis=-1)).ravel()

    reference = relative_noise(
        run_tsaug(tsaug.AddNoise(scale=0.05, seed=2), ecg_windows)
    )
    ours = relative_noise(
        run_torch(Jitter(sigma=0.05, relative_to="range", seed=1), ecg_windows)
    )
    assert ks_2samp(ours, reference).pvalue > AGREE
    louder = relative_noise(
        run_torch(Jitter(sigma=0.055, relative_to="range", seed=1), ecg_windows)
    )
    assert ks_2samp(louder, reference).pvalue < DIFFER


def test_time_warp_matches_tsaug_displacement() -> None:
    x = ramps(1000)

    def displacement(out: np.ndarray) -> np.ndarray:  # largest shift of the time map
        return np.abs(out[:, 0] - np.arange(LENGTH)).max(axis=1)

    reference = displacement(
        run_tsaug(tsaug.TimeWarp(n_speed_change=3, max_speed_ratio=3.0, seed=3), x)
    )
    ours = displacement(
        run_torch(TimeWarp(n_speed_change=3, max_speed_ratio=3.0, seed=4), x)
    )
    assert ks_2samp(ours, reference).pvalue > AGREE
    stronger = displacement(
        run_torch(TimeWarp(n_speed_change=3, max_speed_ratio=3.5, seed=4), x)
    )
    assert ks_2samp(stronger, reference).pvalue < DIFFER


def test_time_warp_matches_tsaug_on_real_ecg(ecg_windows: np.ndarray) -> None:
    def change(out: np.ndarray) -> np.ndarray:  # mean absolute change of each window
        return np.abs(out - ecg_windows).mean(axis=(1, 2))

    reference = change(run_tsaug(tsaug.TimeWarp(seed=3), ecg_windows))
    ours = change(run_torch(TimeWarp(seed=4), ecg_windows))
    assert ks_2samp(ours, reference).pvalue > AGREE


def test_crop_resize_matches_crop_plus_resize() -> None:
    x = ramps(1000)
    reference = run_tsaug(
        tsaug.Crop(size=(LENGTH // 2, LENGTH + 1), resize=LENGTH, seed=5), x
    )[:, 0]
    ours = run_torch(CropResize(min_ratio=0.5, seed=6), x)[:, 0]
    for statistic in (
        lambda out: out[:, 0],
        lambda out: out[:, -1] - out[:, 0],
    ):  # crop start, length - 1
        assert ks_2samp(statistic(ours), statistic(reference)).pvalue > AGREE
    shorter_range = run_torch(CropResize(min_ratio=0.6, seed=6), x)[:, 0]
    assert (
        ks_2samp(
            shorter_range[:, -1] - shorter_range[:, 0],
            reference[:, -1] - reference[:, 0],
        ).pvalue
        < DIFFER
    )


def test_timestamp_mask_matches_dropout() -> None:
    ones = np.ones((1000, 1, LENGTH), dtype=np.float32)

    def masked_count(out: np.ndarray) -> np.ndarray:  # integer counts: no float ties
        return (out == 0).sum(axis=(1, 2))

    reference = masked_count(run_tsaug(tsaug.Dropout(p=0.1, fill=0.0, seed=7), ones))
    ours = masked_count(run_torch(TimestampMask(p=0.1, seed=8), ones))
    assert ks_2samp(ours, reference).pvalue > AGREE
    heavier = masked_count(run_torch(TimestampMask(p=0.12, seed=8), ones))
    assert ks_2samp(heavier, reference).pvalue < DIFFER
