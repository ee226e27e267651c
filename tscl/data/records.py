"""Record types: one signal recording (``Series``) and one event sequence.

Shapes: signal values are channels-first ``(C, T)`` float32 with NaN marking
gaps; ``Series.mask`` is the observed-mask ``(C, T)``. Hierarchy ids come from
the files (patient/subject -> trial/recording -> segment/window).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tscl.errors import DataError


@dataclass
class Annotations:
    """Point or interval annotations on a series, in sample indices.

    Attributes:
        sample: (K,) int64 onset of each annotation, as a sample index.
        label: (K,) str label of each annotation (beat symbol, event code...).
        duration: (K,) float64 duration in samples (0 for point events).
    """

    sample: np.ndarray
    label: np.ndarray
    duration: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.sample = np.asarray(self.sample, dtype=np.int64)
        self.label = np.asarray(self.label, dtype=str)
        if self.duration is None:
            self.duration = np.zeros(len(self.sample), dtype=np.float64)
        self.duration = np.asarray(self.duration, dtype=np.float64)
        if not (len(self.sample) == len(self.label) == len(self.duration)):
            raise DataError("annotations", "sample, label and duration lengths differ")

    def __len__(self) -> int:
        return len(self.sample)


@dataclass
class Series:
    """One recording: values ``(C, T)`` float32 plus metadata and hierarchy ids.

    Either ``fs`` (Hz, regular sampling) or ``timestamps`` ((T,) float64
    seconds or datetime64) describes time; both may be given.

    Attributes:
        values: (C, T) float32; NaN where a value was not observed.
        fs: sampling rate in Hz, or None for irregular / unknown sampling.
        timestamps: (T,) time of each column, or None.
        channels: C channel names.
        units: C physical units ("" when unknown).
        label: one label for the whole series, or None.
        step_labels: (T,) label per timestep, or None.
        annotations: onsets and labels of annotated events, or None.
        subject: patient / subject id (from the file), or None.
        recording: trial / recording id (from the file), or None.
        segment: segment / window index within the recording, or None.
        meta: anything else the file says (age, sex, comments...).
    """

    values: np.ndarray
    fs: float | None = None
    timestamps: np.ndarray | None = None
    channels: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    label: Any = None
    step_labels: np.ndarray | None = None
    annotations: Annotations | None = None
    subject: str | None = None
    recording: str | None = None
    segment: int | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        source = self.recording or "series"
        values = np.asarray(self.values)
        if values.ndim == 1:
            values = values[None, :]  # (T,) -> (1, T)
        if values.ndim != 2:
            raise DataError(source, f"values must be (C, T), got shape {values.shape}")
        with np.errstate(over="ignore"):
            self.values = values.astype(np.float32, copy=False)
        if np.isinf(
            self.values
        ).any():  # checked after the cast: 1e39 overflows float32
            raise DataError(
                source,
                "values contain inf or exceed the float32 range; use NaN for missing values",
            )
        num_channels, length = self.values.shape
        if not self.channels:
            self.channels = tuple(f"ch{i}" for i in range(num_channels))
        if not self.units:
            self.units = ("",) * num_channels
        self.channels, self.units = tuple(self.channels), tuple(self.units)
        if len(self.channels) != num_channels or len(self.units) != num_channels:
            raise DataError(
                source,
                f"{num_channels} channels in values but {len(self.channels)} names "
                f"and {len(self.units)} units",
            )
        for name, arr in (
            ("timestamps", self.timestamps),
            ("step_labels", self.step_labels),
        ):
            if arr is not None and len(arr) != length:
                raise DataError(
                    source, f"{name} has length {len(arr)}, expected {length}"
                )
        if self.fs is not None and not self.fs > 0:
            raise DataError(source, f"sampling rate must be positive, got {self.fs}")

    @property
    def mask(self) -> np.ndarray:
        """(C, T) bool, True where a value was observed."""
        return ~np.isnan(self.values)

    @property
    def num_channels(self) -> int:
        return int(self.values.shape[0])

    def __len__(self) -> int:
        return int(self.values.shape[1])


@dataclass
class EventSequence:
    """One sequence of events (a client, a case, a patient stay).

    Attributes:
        sequence_id: id of the sequence (case id, client id).
        timestamps: (L,) datetime64[ns] or float64, non-decreasing.
        codes: categorical fields, each (L,) int64 indices into the vocabulary
            of the collection (0 is reserved for padding / unknown).
        values: numeric fields, each (L,) float32 (NaN where missing).
        subject: patient id, when the log has one.
        label: per-sequence label, or None.
    """

    sequence_id: str
    timestamps: np.ndarray
    codes: dict[str, np.ndarray] = field(default_factory=dict)
    values: dict[str, np.ndarray] = field(default_factory=dict)
    subject: str | None = None
    label: Any = None

    def __post_init__(self) -> None:
        length = len(self.timestamps)
        for name, arr in {**self.codes, **self.values}.items():
            if len(arr) != length:
                raise DataError(
                    self.sequence_id,
                    f"field '{name}' has {len(arr)} events, timestamps have {length}",
                )

    def __len__(self) -> int:
        return len(self.timestamps)


@dataclass
class EventCollection:
    """Event sequences plus the vocabulary of each categorical field.

    ``vocab[field][i]`` is the string for code ``i``; code 0 is ``"<pad>"``.
    """

    sequences: list[EventSequence]
    vocab: dict[str, list[str]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.sequences)

    @property
    def num_events(self) -> int:
        return sum(len(s) for s in self.sequences)
