"""Wearable IMU channels: accelerometer / gyroscope triplets, gravity separation, magnitudes.

Shapes: a recording's values are ``(C, T)``; a triplet is three channel indices
(x, y, z) of one sensor. ``motion_channels`` maps ``(C, T)`` to ``(C', T)``:
the C input channels (accelerometer triplets replaced by body acceleration
when ``gravity``), then 3 gravity channels per accelerometer triplet (when
``gravity``), then one magnitude channel per accelerometer and gyroscope
triplet (when ``magnitude``; the accelerometer magnitude is that of the
recorded, total acceleration).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tscl.data.records import Series
from tscl.errors import DataError

Triplet = tuple[int, int, int]
GRAVITY_CUTOFF_HZ = 0.3  # Anguita et al. 2013 (UCI HAR): gravity lies below ~0.3 Hz
GRAVITY_ORDER = 3
_ACC = re.compile(r"^(a|acc|accel|accelerometer)[_\-. ]?([xyz])$", re.IGNORECASE)
_GYRO = re.compile(r"^(w|g|gyr|gyro|gyroscope)[_\-. ]?([xyz])$", re.IGNORECASE)


@dataclass(frozen=True)
class ChannelGroups:
    """Index triplets (x, y, z) of each accelerometer and gyroscope in a (C, T) array."""

    accelerometer: tuple[Triplet, ...] = ()
    gyroscope: tuple[Triplet, ...] = ()

    def to_dict(self) -> dict[str, list[list[int]]]:
        return {
            "accelerometer": [list(t) for t in self.accelerometer],
            "gyroscope": [list(t) for t in self.gyroscope],
        }


def _named_triplet(channels: Sequence[str], pattern: re.Pattern[str]) -> Triplet | None:
    """The (x, y, z) indices of the channels whose names match ``pattern``, if all three."""
    axes = {}
    for index, name in enumerate(channels):
        match = pattern.match(name.strip())
        if match:
            axes[match.group(2).lower()] = index
    if sorted(axes) != ["x", "y", "z"]:
        return None
    return (axes["x"], axes["y"], axes["z"])


def _triplets(
    value: Sequence[Sequence[int]], name: str, num_channels: int
) -> tuple[Triplet, ...]:
    triplets = tuple(tuple(int(i) for i in t) for t in value)
    for t in triplets:
        if len(t) != 3 or not all(0 <= i < num_channels for i in t):
            raise DataError(
                name, f"expected index triplets in 0..{num_channels - 1}, got {list(t)}"
            )
    return triplets  # type: ignore[return-value]


def channel_groups(
    channels: Sequence[str],
    *,
    accelerometer: Sequence[Sequence[int]] | None = None,
    gyroscope: Sequence[Sequence[int]] | None = None,
) -> ChannelGroups:
    """Finds the sensor triplets of a recording, by explicit indices or by channel names.

    Names like ``ax``/``acc_x`` are accelerometer axes and ``wx``/``gyro_x``
    gyroscope axes. When the names say nothing, consecutive triplets are used:
    6 channels are accelerometer + gyroscope (the UEA layout, e.g.
    BasicMotions), any other multiple of 3 is all accelerometers (Daphnet).

    Args:
        channels: the C channel names.
        accelerometer: explicit index triplets, e.g. ``[[0, 1, 2]]``.
        gyroscope: explicit index triplets.

    Raises:
        DataError: for a bad triplet, a channel in two triplets, or no way to tell.
    """
    count = len(channels)
    if accelerometer is not None or gyroscope is not None:
        groups = ChannelGroups(
            _triplets(accelerometer or (), "accelerometer", count),
            _triplets(gyroscope or (), "gyroscope", count),
        )
    else:
        acc, gyro = _named_triplet(channels, _ACC), _named_triplet(channels, _GYRO)
        if acc is not None or gyro is not None:
            groups = ChannelGroups(
                tuple(t for t in (acc,) if t), tuple(t for t in (gyro,) if t)
            )
        elif count % 3 == 0 and count > 0:
            consecutive = tuple((i, i + 1, i + 2) for i in range(0, count, 3))
            split = 1 if count == 6 else len(consecutive)
            groups = ChannelGroups(consecutive[:split], consecutive[split:])
        else:
            raise DataError(
                "channels",
                f"cannot tell the accelerometer axes of {list(channels)}; "
                "set data.options.accelerometer=[[i, j, k]] (and gyroscope=)",
            )
    used = [i for t in (*groups.accelerometer, *groups.gyroscope) for i in t]
    if len(set(used)) != len(used):
        raise DataError("channels", f"a channel is in two sensor triplets: {used}")
    return groups


def low_pass(
    x: np.ndarray,
    fs: float,
    cutoff: float = GRAVITY_CUTOFF_HZ,
    order: int = GRAVITY_ORDER,
) -> np.ndarray:
    """Zero-phase Butterworth low-pass (scipy ``sosfiltfilt``) of (C, T) -> (C, T) float32.

    NaN gaps are bridged by linear interpolation for filtering and stay NaN.
    """
    from scipy.signal import butter, sosfiltfilt

    if not 0 < cutoff < fs / 2:
        raise DataError(
            "gravity", f"cutoff {cutoff} Hz must lie in (0, fs/2 = {fs / 2}) Hz"
        )
    sos = butter(order, cutoff, btype="low", fs=fs, output="sos")
    x = np.asarray(x, dtype=np.float64)
    missing = np.isnan(x)
    filled = x.copy()
    time = np.arange(x.shape[1])
    for channel in np.flatnonzero(missing.any(axis=1) & ~missing.all(axis=1)):
        seen = ~missing[channel]
        filled[channel] = np.interp(time, time[seen], x[channel, seen])
    padlen = min(3 * (2 * len(sos) + 1), x.shape[1] - 1)
    out = sosfiltfilt(sos, filled, axis=1, padlen=max(padlen, 0))
    out[missing] = np.nan
    return out.astype(np.float32)


def split_gravity(
    acc: np.ndarray,
    fs: float,
    cutoff: float = GRAVITY_CUTOFF_HZ,
    order: int = GRAVITY_ORDER,
) -> tuple[np.ndarray, np.ndarray]:
    """Accelerometer (3, T) -> body acceleration (3, T) and gravity (3, T); body = acc - gravity."""
    gravity = low_pass(acc, fs, cutoff=cutoff, order=order)
    return (np.asarray(acc, dtype=np.float32) - gravity), gravity


def triplet_magnitude(triplet: np.ndarray) -> np.ndarray:
    """Euclidean norm over the 3 axes: (3, T) -> (T,) float32 (NaN if an axis is NaN)."""
    return np.sqrt((np.asarray(triplet, dtype=np.float64) ** 2).sum(axis=0)).astype(
        np.float32
    )


def output_layout(
    channels: Sequence[str], groups: ChannelGroups, *, gravity: bool, magnitude: bool
) -> tuple[list[str], list[Triplet]]:
    """Channel names of ``motion_channels``' output and its xyz triplets (for ``Rotation3D``)."""
    names = list(channels)
    triplets: list[Triplet] = [*groups.accelerometer, *groups.gyroscope]
    if gravity:
        for t in groups.accelerometer:
            names = [f"body_{n}" if i in t else n for i, n in enumerate(names)]
    base = len(names)
    if gravity:
        for k, t in enumerate(groups.accelerometer):
            names += [f"gravity_{channels[i]}" for i in t]
            triplets.append((base + 3 * k, base + 3 * k + 1, base + 3 * k + 2))
    if magnitude:
        for kind, found in (("acc", groups.accelerometer), ("gyro", groups.gyroscope)):
            names += [
                f"{kind}{k if len(found) > 1 else ''}_mag" for k in range(len(found))
            ]
    return names, sorted(triplets)


def motion_channels(
    values: np.ndarray,
    groups: ChannelGroups,
    *,
    fs: float | None,
    gravity: bool = False,
    magnitude: bool = True,
    cutoff: float = GRAVITY_CUTOFF_HZ,
) -> np.ndarray:
    """(C, T) -> (C', T) float32 in the layout of the module docstring / ``output_layout``."""
    values = np.asarray(values, dtype=np.float32)
    out, extra = values.copy(), []
    if gravity:
        if fs is None:
            raise DataError(
                "gravity",
                "gravity separation needs the sampling rate (data.options.fs)",
            )
        for t in groups.accelerometer:
            body, grav = split_gravity(values[list(t)], fs, cutoff=cutoff)
            out[list(t)] = body
            extra.append(grav)
    if magnitude:
        for t in (*groups.accelerometer, *groups.gyroscope):
            extra.append(triplet_magnitude(values[list(t)])[None])
    return np.concatenate([out, *extra]) if extra else out


def preprocess_series(
    series: Series,
    groups: ChannelGroups,
    *,
    gravity: bool = False,
    magnitude: bool = True,
    cutoff: float = GRAVITY_CUTOFF_HZ,
) -> Series:
    """A recording with ``motion_channels`` applied; ids, label and meta kept. (C, T) -> (C', T)."""
    names, _ = output_layout(
        series.channels, groups, gravity=gravity, magnitude=magnitude
    )
    values = motion_channels(
        series.values,
        groups,
        fs=series.fs,
        gravity=gravity,
        magnitude=magnitude,
        cutoff=cutoff,
    )
    return dataclasses.replace(series, values=values, channels=tuple(names), units=())
