"""The motion preprocessing as a JSON-like spec, applied alike at training and at ``tscl embed``.

Spec keys: ``fs`` (Hz or None), ``input_channels`` (C names), ``accelerometer``
/ ``gyroscope`` (index triplets), ``gravity``, ``gravity_cutoff`` (Hz),
``gravity_order``, ``magnitude``, ``channels`` (C' output names),
``rotation_groups`` (output triplets, the ``groups`` of ``Rotation3D``),
``window`` / ``stride`` (samples; window 0 = each series whole).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from tscl.data.records import Series
from tscl.data.windows import WindowSet
from tscl.domains.motion.options import MotionOptions
from tscl.domains.motion.preprocess import (
    GRAVITY_ORDER,
    ChannelGroups,
    channel_groups,
    output_layout,
    preprocess_series,
)
from tscl.domains.motion.windows import motion_windows
from tscl.errors import DataError


def sampling_rate(recordings: Sequence[Series], options: MotionOptions) -> float | None:
    """The one sampling rate of the recordings (``options.fs`` when files state none)."""
    rates = {r.fs for r in recordings} - {None}
    if len(rates) > 1:
        raise DataError(
            "motion", f"recordings have different sampling rates {sorted(rates)}"
        )
    return next(iter(rates)) if rates else options.fs


def build_spec(
    recordings: Sequence[Series], options: MotionOptions, *, window: int, stride: int
) -> dict[str, Any]:
    """The spec (module docstring) for these recordings and options."""
    channels = recordings[0].channels
    if any(r.channels != channels for r in recordings):
        raise DataError("motion", "recordings have different channels")
    groups = channel_groups(
        channels, accelerometer=options.accelerometer, gyroscope=options.gyroscope
    )
    names, rotation = output_layout(
        channels, groups, gravity=options.gravity, magnitude=options.magnitude
    )
    return {
        "fs": sampling_rate(recordings, options),
        "input_channels": list(channels),
        **groups.to_dict(),
        "gravity": options.gravity,
        "gravity_cutoff": options.gravity_cutoff,
        "gravity_order": GRAVITY_ORDER,
        "magnitude": options.magnitude,
        "channels": names,
        "rotation_groups": [list(t) for t in rotation],
        "window": int(window),
        "stride": int(stride),
    }


def apply_spec(recordings: Sequence[Series], spec: Mapping[str, Any]) -> WindowSet:
    """Recordings (C, T_i) -> windows (N, C', window), or one row per series when window is 0.

    Raises:
        DataError: if a recording's channel count differs from the spec's.
    """
    groups = ChannelGroups(
        tuple(tuple(t) for t in spec["accelerometer"]),  # type: ignore[misc]
        tuple(tuple(t) for t in spec["gyroscope"]),  # type: ignore[misc]
    )
    processed = []
    for series in recordings:
        if series.num_channels != len(spec["input_channels"]):
            raise DataError(
                series.recording or "input",
                f"{series.num_channels} channels, the model was trained on "
                f"{len(spec['input_channels'])} ({', '.join(spec['input_channels'])})",
            )
        series = dataclasses.replace(series, fs=series.fs or spec["fs"])
        processed.append(
            preprocess_series(
                series,
                groups,
                gravity=spec["gravity"],
                magnitude=spec["magnitude"],
                cutoff=spec["gravity_cutoff"],
            )
        )
    if spec["window"] > 0:
        return motion_windows(processed, spec["window"], spec["stride"])
    return whole_series(processed)


def whole_series(recordings: Sequence[Series]) -> WindowSet:
    """One row per series: (N, C, T_max), NaN-padded at the end, start 0."""
    length = max(len(r) for r in recordings)
    x = np.full(
        (len(recordings), recordings[0].num_channels, length), np.nan, dtype=np.float32
    )
    for row, series in enumerate(recordings):
        x[row, :, : len(series)] = series.values
    labels = [r.label for r in recordings]
    return WindowSet(
        x=x,
        y=None if labels[0] is None else np.array(labels),
        subject=np.array([r.subject or "" for r in recordings]),
        recording=np.array([r.recording or "" for r in recordings]),
        start=np.zeros(len(recordings), dtype=np.int64),
        meta={
            "fs": recordings[0].fs,
            "channels": recordings[0].channels,
            "length": length,
        },
    )
