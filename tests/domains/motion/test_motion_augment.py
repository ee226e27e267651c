"""Rotation3D on real smartwatch windows: norms kept, proper rotations, one per sample."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from tscl.augment.random_source import RandomSource
from tscl.data.read_npz import read_npz
from tscl.domains.motion.augment import AUGMENTATIONS, Rotation3D, random_rotations
from tscl.domains.motion.preprocess import channel_groups, motion_channels
from tscl.domains.motion.read import WATCH_KEYS
from tscl.errors import ConfigError, DataError


def _batch(watch_path: Path) -> torch.Tensor:
    """(16, 8, 200): one 4 s window of 16 recordings, with ||acc|| and ||gyro|| appended."""
    recordings = read_npz(watch_path, **WATCH_KEYS)[::9]
    groups = channel_groups(recordings[0].channels)
    windows = [
        motion_channels(r.values[:, 100:300], groups, fs=50.0) for r in recordings
    ]
    return torch.from_numpy(np.stack(windows))


def test_rotation_keeps_triplet_norms_and_magnitude_channels(watch_path: Path) -> None:
    x = _batch(watch_path)
    out = Rotation3D(seed=0)(x)
    assert out.shape == x.shape and out.dtype == x.dtype
    for first in (0, 3):
        torch.testing.assert_close(
            out[:, first : first + 3].norm(dim=1),
            x[:, first : first + 3].norm(dim=1),
            atol=1e-5,
            rtol=0,
        )
        # magnitude channels (6: ||acc||, 7: ||gyro||) equal the rotated triplets' norms
        torch.testing.assert_close(
            out[:, first : first + 3].norm(dim=1),
            out[:, 6 + first // 3],
            atol=1e-5,
            rtol=0,
        )
    assert torch.equal(out[:, 6:], x[:, 6:])  # untouched
    assert not torch.allclose(out[:, :6], x[:, :6])


def test_rotations_are_proper_uniform_and_differ_per_sample() -> None:
    rotation = random_rotations(4096, RandomSource(1), torch.device("cpu"))  # (B, 3, 3)
    identity = torch.eye(3).expand(4096, 3, 3)
    torch.testing.assert_close(
        rotation @ rotation.transpose(1, 2), identity, atol=1e-5, rtol=0
    )
    torch.testing.assert_close(
        torch.linalg.det(rotation), torch.ones(4096), atol=1e-5, rtol=0
    )
    # uniform on SO(3): each rotated axis is uniform on the sphere, so its entries average 0
    # and E[trace] = 0 (Haar measure); 4096 draws keep both within ~4 standard errors
    assert rotation.mean(dim=0).abs().max() < 0.04
    assert rotation.diagonal(dim1=1, dim2=2).sum(-1).mean().abs() < 0.06
    assert (
        torch.cdist(rotation[:8].flatten(1), rotation[:8].flatten(1))
        .triu(1)[torch.triu(torch.ones(8, 8, dtype=torch.bool), 1)]
        .min()
        > 1e-3
    )


def test_same_rotation_for_accelerometer_and_gyroscope(watch_path: Path) -> None:
    x = _batch(watch_path)[:2]
    x[:, 3:6] = x[:, 0:3]  # gyroscope := accelerometer: equal after one shared rotation
    out = Rotation3D(seed=3)(x)
    torch.testing.assert_close(out[:, 3:6], out[:, 0:3])


def test_nan_stays_nan_and_seeding(watch_path: Path) -> None:
    x = _batch(watch_path)[:4]
    x[0, 1, 50:60] = float("nan")
    out = Rotation3D(seed=5)(x)
    assert out[0, 1, 50:60].isnan().all()
    assert out[:, 3:].isfinite().all() and out[1:].isfinite().all()
    torch.testing.assert_close(Rotation3D(seed=5)(x), out, equal_nan=True)
    assert torch.equal(Rotation3D(prob=0.0)(x).nan_to_num(), x.nan_to_num())


def test_bad_groups_and_registry() -> None:
    assert {"rotation": Rotation3D} == AUGMENTATIONS
    with pytest.raises(ConfigError, match="triplets"):
        Rotation3D(groups=[(0, 1)])
    with pytest.raises(ConfigError, match="shared"):
        Rotation3D(groups=[(0, 1, 2), (2, 3, 4)])
    with pytest.raises(DataError, match="channel 5"):
        Rotation3D()(torch.zeros(2, 4, 10))
