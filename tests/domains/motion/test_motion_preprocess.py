"""Channel groups, gravity separation and magnitude channels on real recordings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from tscl.data.read_csv import read_csv_series
from tscl.data.read_npz import read_npz
from tscl.domains.motion.preprocess import (
    ChannelGroups,
    channel_groups,
    motion_channels,
    output_layout,
    split_gravity,
)
from tscl.domains.motion.read import WATCH_KEYS
from tscl.errors import DataError


def test_groups_from_names_fallback_and_explicit() -> None:
    named = channel_groups(["ax", "ay", "az", "wx", "wy", "wz"])
    assert named == ChannelGroups(((0, 1, 2),), ((3, 4, 5),))
    assert channel_groups(
        ["gyro_x", "gyro_y", "gyro_z", "acc_z", "acc_y", "acc_x"]
    ) == (ChannelGroups(((5, 4, 3),), ((0, 1, 2),)))
    assert channel_groups(["ch0", "ch1", "ch2"]) == ChannelGroups(((0, 1, 2),), ())
    assert channel_groups([f"c{i}" for i in range(9)]).accelerometer == (
        (0, 1, 2), (3, 4, 5), (6, 7, 8),
    )  # fmt: skip
    explicit = channel_groups(["a", "b", "c", "d"], accelerometer=[[3, 1, 0]])
    assert explicit == ChannelGroups(((3, 1, 0),), ())
    with pytest.raises(DataError, match="accelerometer"):
        channel_groups(["a", "b", "c", "d"])
    with pytest.raises(DataError, match="two sensor triplets"):
        channel_groups(["a"] * 6, accelerometer=[[0, 1, 2]], gyroscope=[[2, 3, 4]])


def test_magnitude_channels_hand_computed(watch_path: Path) -> None:
    recording = read_npz(watch_path, **WATCH_KEYS)[0]  # (6, T)
    groups = ChannelGroups(((0, 1, 2),), ((3, 4, 5),))
    out = motion_channels(recording.values, groups, fs=50.0)
    assert out.shape == (8, len(recording))
    np.testing.assert_array_equal(out[:6], recording.values)
    # first sample: acc (-1.083608, -0.018609, -0.02726), gyro (0.41141, -1.603097, -2.488642)
    assert out[6, 0] == pytest.approx(
        np.sqrt(1.083608**2 + 0.018609**2 + 0.02726**2), abs=1e-5
    )
    assert out[7, 0] == pytest.approx(
        np.sqrt(0.41141**2 + 1.603097**2 + 2.488642**2), abs=1e-5
    )


def test_gravity_of_a_still_segment_is_its_mean_acceleration(
    daphnet_path: Path,
) -> None:
    series = read_csv_series(
        daphnet_path, time_column="timestamp", label_column="is_anomaly", fs=64.0
    )
    length = 640  # 10 s
    for first in (0, 3, 6):  # ankle, thigh, trunk accelerometers (mg)
        acc = series.values[first : first + 3]
        # the stillest 10 s: smallest largest-axis std
        start = int(sliding_window_view(acc, length, axis=1).std(-1).max(0).argmin())
        body, gravity = split_gravity(acc, fs=64.0)
        mean = acc[:, start : start + length].mean(axis=1)  # (3,)
        centre = slice(start + length // 4, start + 3 * length // 4)
        tolerance = 0.02 * np.linalg.norm(mean)  # 2 % of |g| (~20 mg)
        assert np.abs(gravity[:, centre] - mean[:, None]).max() < tolerance
        assert np.abs(body[:, centre].mean(axis=1)).max() < tolerance
        np.testing.assert_allclose(body + gravity, acc, atol=1e-3)


def test_gravity_layout_and_nan_gaps(watch_path: Path) -> None:
    recording = read_npz(watch_path, **WATCH_KEYS)[3]
    groups = channel_groups(["ax", "ay", "az", "wx", "wy", "wz"])
    names, triplets = output_layout(
        ["ax", "ay", "az", "wx", "wy", "wz"], groups, gravity=True, magnitude=True
    )
    assert names[:3] == ["body_ax", "body_ay", "body_az"]
    assert names[6:] == [
        "gravity_ax",
        "gravity_ay",
        "gravity_az",
        "acc_mag",
        "gyro_mag",
    ]
    assert triplets == [(0, 1, 2), (3, 4, 5), (6, 7, 8)]
    values = recording.values.copy()
    values[1, 100:120] = np.nan
    out = motion_channels(values, groups, fs=50.0, gravity=True)
    assert out.shape == (11, values.shape[1])
    assert np.isnan(out[1, 100:120]).all() and np.isnan(out[7, 100:120]).all()
    assert np.isfinite(out[[0, 2, 6, 8]]).all()
    with pytest.raises(DataError, match="sampling rate"):
        motion_channels(values, groups, fs=None, gravity=True)
