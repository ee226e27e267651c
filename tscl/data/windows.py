"""Cut recordings into fixed-length windows, eagerly, keeping hierarchy ids.

A ``WindowSet`` holds ``N`` windows ``x`` of shape ``(N, C, L)`` together with
the subject, recording and start sample of each window, so splits and positive
samplers can group windows by patient or recording. ``fixed_windows`` slides a
window over a series; ``event_windows`` centres windows on annotations (ECG
beats, EEG cues). For recordings larger than memory see ``tscl.data.lazy``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from tscl.data.records import Series
from tscl.errors import DataError

LabelMode = Literal["series", "majority", "last"]
GROUP_LEVELS = ("subject", "recording", "window")


@dataclass
class WindowSet:
    """Windows cut from one or more recordings.

    Attributes:
        x: (N, C, L) float32 windows; NaN where the recording had gaps.
        y: (N,) label per window, or None when unlabelled.
        subject: (N,) str subject id of each window ("" when unknown).
        recording: (N,) str recording id of each window ("" when unknown).
        start: (N,) int64 sample index of each window's first sample in its
            recording.
        meta: how the windows were made (fs, channels, length, stride...).
    """

    x: np.ndarray
    y: np.ndarray | None
    subject: np.ndarray
    recording: np.ndarray
    start: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.x = np.asarray(self.x, dtype=np.float32)
        if self.x.ndim != 3:
            raise DataError(
                "WindowSet", f"x must be (N, C, L), got shape {self.x.shape}"
            )
        self.subject = np.asarray(self.subject, dtype=str)
        self.recording = np.asarray(self.recording, dtype=str)
        self.start = np.asarray(self.start, dtype=np.int64)
        if self.y is not None:
            self.y = np.asarray(self.y)
        columns = {
            "subject": self.subject,
            "recording": self.recording,
            "start": self.start,
        }
        if self.y is not None:
            columns["y"] = self.y
        for name, column in columns.items():
            if column.shape != (len(self.x),):
                raise DataError(
                    "WindowSet",
                    f"{name} has shape {column.shape}, expected ({len(self.x)},)",
                )

    def __len__(self) -> int:
        return int(self.x.shape[0])

    def subset(self, indices: np.ndarray | list[int]) -> WindowSet:
        """The windows at ``indices`` (int positions or a (N,) bool mask)."""
        indices = np.asarray(indices)
        return WindowSet(
            x=self.x[indices],
            y=None if self.y is None else self.y[indices],
            subject=self.subject[indices],
            recording=self.recording[indices],
            start=self.start[indices],
            meta=dict(self.meta),
        )

    @classmethod
    def concat(cls, parts: list[WindowSet]) -> WindowSet:
        """Stacks window sets with the same channels and window length.

        ``meta`` keeps the entries equal in every part; ``dropped`` counts add up.

        Raises:
            DataError: if parts differ in (C, L) or only some are labelled.
        """
        if not parts:
            raise DataError("WindowSet.concat", "needs at least one WindowSet")
        shapes = {part.x.shape[1:] for part in parts}
        if len(shapes) > 1:
            raise DataError(
                "WindowSet.concat", f"parts have different (C, L): {sorted(shapes)}"
            )
        labelled = {part.y is not None for part in parts}
        if len(labelled) > 1:
            raise DataError(
                "WindowSet.concat", "some parts have labels y and others do not"
            )
        return cls(
            x=np.concatenate([part.x for part in parts]),
            y=np.concatenate([part.y for part in parts])
            if labelled == {True}
            else None,
            subject=np.concatenate([part.subject for part in parts]),
            recording=np.concatenate([part.recording for part in parts]),
            start=np.concatenate([part.start for part in parts]),
            meta=_merge_meta([part.meta for part in parts]),
        )

    def groups(self, level: str) -> np.ndarray:
        """(N,) group id of each window at ``level``.

        Args:
            level: "subject" or "recording" (str ids), or "window" (int64 0..N-1).

        Raises:
            DataError: if the level is unknown or some windows lack that id.
        """
        if level == "window":
            return np.arange(len(self), dtype=np.int64)
        if level not in GROUP_LEVELS:
            raise DataError(
                "WindowSet.groups",
                f"level must be one of {GROUP_LEVELS}, got {level!r}",
            )
        ids = self.subject if level == "subject" else self.recording
        if len(ids) and (ids == "").any():
            raise DataError(
                "WindowSet.groups",
                f"{int((ids == '').sum())} windows have no {level} id; "
                f"set Series.{level} when reading the data",
            )
        return ids


def _merge_meta(metas: list[dict[str, Any]]) -> dict[str, Any]:
    """Keeps the meta entries equal in all parts and sums the ``dropped`` counts."""
    merged: dict[str, Any] = {}
    for key, value in metas[0].items():
        if key == "dropped":
            continue
        if all(key in meta and _equal(meta[key], value) for meta in metas[1:]):
            merged[key] = value
    if any("dropped" in meta for meta in metas):
        merged["dropped"] = sum(int(meta.get("dropped", 0)) for meta in metas)
    return merged


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(np.array_equal(a, b)) if isinstance(a, np.ndarray) else bool(a == b)
    except (TypeError, ValueError):
        return False


def _window_set(
    series: Series,
    *,
    x: np.ndarray,
    y: np.ndarray | None,
    start: np.ndarray,
    meta: dict[str, Any],
) -> WindowSet:
    count = len(start)
    base = {"fs": series.fs, "channels": series.channels, "length": x.shape[-1]}
    return WindowSet(
        x=x,
        y=y,
        subject=np.full(count, series.subject or "", dtype=object).astype(str),
        recording=np.full(count, series.recording or "", dtype=object).astype(str),
        start=start,
        meta={**base, **meta},
    )


def fixed_windows(
    series: Series,
    length: int,
    stride: int | None = None,
    *,
    label_mode: LabelMode | None = None,
) -> WindowSet:
    """Slides a window of ``length`` samples over a series, ``stride`` apart.

    Windows that would run past the end are not made (no padding). Labels:
    "series" copies ``series.label``; "majority" takes the most frequent step
    label in the window (ties go to the smallest label); "last" takes the step
    label of the window's last sample; None leaves windows unlabelled.

    Args:
        series: recording with values (C, T).
        length: window length L in samples.
        stride: hop between window starts; defaults to ``length`` (no overlap).

    Returns:
        WindowSet with x (N, C, L), N = (T - L) // stride + 1 (0 when T < L).
    """
    stride = length if stride is None else stride
    source = series.recording or "series"
    if length < 1 or stride < 1:
        raise DataError(
            source, f"window length and stride must be >= 1, got {length}, {stride}"
        )
    count = max(0, (len(series) - length) // stride + 1)
    start = np.arange(count, dtype=np.int64) * stride
    x = np.zeros((0, series.num_channels, length), dtype=np.float32)
    if count:
        # (C, T) -> (C, T - L + 1, L) view -> every stride-th window -> (N, C, L)
        view = np.lib.stride_tricks.sliding_window_view(series.values, length, axis=1)
        x = np.ascontiguousarray(view[:, start].transpose(1, 0, 2))
    y = _fixed_labels(series, start=start, length=length, mode=label_mode)
    meta = {"stride": stride, "label_mode": label_mode}
    return _window_set(series, x=x, y=y, start=start, meta=meta)


def _fixed_labels(
    series: Series, *, start: np.ndarray, length: int, mode: LabelMode | None
) -> np.ndarray | None:
    source = series.recording or "series"
    if mode is None:
        return None
    if mode == "series":
        if series.label is None:
            raise DataError(source, "label_mode='series' but the series has no label")
        return np.array([series.label] * len(start))
    if mode not in ("majority", "last"):
        raise DataError(
            source, f"label_mode must be series, majority, last or None, got {mode!r}"
        )
    if series.step_labels is None:
        raise DataError(
            source, f"label_mode={mode!r} needs step_labels, the series has none"
        )
    steps = np.asarray(series.step_labels)
    if mode == "last":
        return steps[start + length - 1]
    classes, codes = np.unique(steps, return_inverse=True)
    counts = np.zeros((len(start), len(classes)), dtype=np.int64)  # (N, K)
    for k in range(len(classes)):
        # (T,) indicator -> (T + 1,) running count; window count = end - begin
        running = np.concatenate([[0], np.cumsum(codes == k)])
        counts[:, k] = running[start + length] - running[start]
    return classes[np.argmax(counts, axis=1)]


def event_windows(
    series: Series,
    *,
    before: int,
    after: int,
    labels: Mapping[str, Any] | Callable[[str], Any] | None = None,
    keep: Callable[[str], bool] | None = None,
) -> WindowSet:
    """One window ``[sample - before, sample + after)`` per annotation.

    Annotations whose label fails ``keep`` are skipped (e.g. non-beat marks);
    windows that would run past either end of the recording are dropped and
    counted in ``meta["dropped"]``. ``start`` is ``sample - before``, so the
    annotation's own sample index is ``start + meta["before"]``.

    Args:
        series: recording with values (C, T) and annotations.
        before: samples kept before each annotation.
        after: samples kept from the annotation on (the annotated sample included).
        labels: maps an annotation label to the window label (a mapping such as
            beat symbol -> AAMI class, or a function); None keeps the raw label.
        keep: which annotation labels get a window; None keeps all.

    Returns:
        WindowSet with x (N, C, before + after) and y (N,).

    Raises:
        DataError: if the series has no annotations, or a kept label is missing
            from a ``labels`` mapping.
    """
    source = series.recording or "series"
    if series.annotations is None:
        raise DataError(source, "event_windows needs annotations, the series has none")
    if before < 0 or after < 0 or before + after < 1:
        raise DataError(
            source, f"before/after must be >= 0 with a sum >= 1, got {before}, {after}"
        )
    sample, raw = series.annotations.sample, series.annotations.label
    if keep is not None:
        kept = np.array([bool(keep(label)) for label in raw], dtype=bool)
        sample, raw = sample[kept], raw[kept]
    inside = (sample - before >= 0) & (sample + after <= len(series))
    sample, raw = sample[inside], raw[inside]
    y = _map_labels(raw, labels, source=source)
    start = sample - before
    # index grid (N, L) -> gather (C, N, L) -> (N, C, L)
    grid = start[:, None] + np.arange(before + after, dtype=np.int64)[None, :]
    x = series.values[:, grid].transpose(1, 0, 2)
    meta = {"before": before, "after": after, "dropped": int((~inside).sum())}
    return _window_set(series, x=np.ascontiguousarray(x), y=y, start=start, meta=meta)


def _map_labels(
    raw: np.ndarray,
    labels: Mapping[str, Any] | Callable[[str], Any] | None,
    *,
    source: str,
) -> np.ndarray:
    if labels is None:
        return raw
    if callable(labels):
        return np.array([labels(label) for label in raw])
    missing = sorted(set(raw.tolist()) - set(labels))
    if missing:
        raise DataError(
            source,
            f"annotation labels {missing} are not in the labels mapping; "
            "drop them with keep= or add them to the mapping",
        )
    return np.array([labels[label] for label in raw])


def windows_from_series(
    series: Iterable[Series], windowing: Callable[[Series], WindowSet]
) -> WindowSet:
    """Windows every recording with ``windowing`` and concatenates the results.

    Example: ``windows_from_series(records, partial(fixed_windows, length=500))``.
    """
    parts = [windowing(one) for one in series]
    return WindowSet.concat(parts)
