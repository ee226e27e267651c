"""Beat windows of ECG records, AAMI-labelled, with rhythm context, split by patient.

Each record is cleaned (leads, optional powerline notch and baseline removal,
0.5-40 Hz band-pass), and a window of ``before + after`` samples is cut around
each beat (252 at 360 Hz by default: 90 before the R peak, 162 from it). Beats
are the annotated ones (labels mapped to the AAMI classes N/S/V/F/Q, non-beat
annotations skipped) or, for a record without annotations, the R peaks that
``detect_beats`` finds (unlabelled). With ``rhythm="channels"`` the beat's four
normalised RR features (``rhythm.rr_features``) are appended as constant
channels. With ``template=True`` the record's median beat window (per lead,
aligned like every window) follows the leads, so an encoder can compare each
beat with the patient's usual one (``encoders.relative``). Splits are
patient-independent and checked for leaks.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from tscl.data.aami import AAMI_CLASSES, aami_class
from tscl.data.records import Series
from tscl.data.splits import Split, check_no_leak, group_split
from tscl.data.windows import WindowSet, event_windows
from tscl.domains.ecg.detect import detect_beats
from tscl.domains.ecg.deviation import SPANS_MS, span_slices, template_deviation
from tscl.domains.ecg.preprocess import BASELINE_METHODS, CleanSettings, clean
from tscl.domains.ecg.rhythm import (
    RR_FEATURES,
    log_rhythm,
    neighbour_fit,
    neighbour_windows,
    rr_channels,
    rr_features,
    rr_irregularity,
)
from tscl.errors import ConfigError, DataError

RHYTHM_MODES = ("channels", "extended", "log", "none")
IRREGULARITY = "rr_irregularity"
DETECT_MODES = ("missing", "never", "always")


@dataclass(frozen=True)
class BeatSettings:
    """How beats are found, cleaned and cut.

    Attributes:
        leads: leads kept, in order; beats are detected on the first.
        before, after: samples before the R peak and from it on.
        low_hz, high_hz: band-pass edges (``low_hz`` None: no band-pass).
        notch_hz: powerline notch (50 / 60 Hz), None for none.
        baseline: baseline-wander removal, "none" | "highpass" | "median".
        detect: "missing" detects R peaks when a record has no annotations,
            "never" raises then, "always" ignores annotations (unlabelled).
        rhythm: "channels" appends the 4 RR features as constant channels,
            "extended" also the local rhythm irregularity
            (``rhythm.rr_irregularity``), "log" the extended five on a log
            scale (``rhythm.log_rhythm``), "none" keeps the leads only.
        neighbours: beats on each side cut next to each beat (0: the beat only).
        template: append the record's median window of each lead after the
            leads (channels ``template_<lead>``).
        deviation: append each lead's log relative deviation from its template
            over the spans of ``deviation.SPANS_MS`` (channels
            ``deviation_<span>_<lead>``, after the rhythm); needs ``template``.
        downsample: keep every k-th sample of each window (after the
            band-pass, so k = 2 at 360 Hz, 180 Hz, aliases nothing below 90 Hz).
    """

    leads: tuple[str, ...] = ("MLII",)
    before: int = 90
    after: int = 162
    low_hz: float | None = 0.5
    high_hz: float = 40.0
    notch_hz: float | None = None
    baseline: str = "none"
    detect: str = "missing"
    rhythm: str = "channels"
    neighbours: int = 0
    template: bool = False
    downsample: int = 1
    deviation: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "leads", tuple(str(lead) for lead in self.leads))
        checks = {
            "leads": len(self.leads) >= 1,
            "before/after": self.before >= 0 and self.after >= 1,
            "baseline": self.baseline in BASELINE_METHODS,
            "detect": self.detect in DETECT_MODES,
            "rhythm": self.rhythm in RHYTHM_MODES,
            "neighbours": self.neighbours >= 0,
            "downsample": self.downsample >= 1,
            "deviation (needs template)": self.template or not self.deviation,
        }
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            raise ConfigError(
                f"ECG beat settings: bad {bad[0]} in {self}; baseline one of "
                f"{BASELINE_METHODS}, detect one of {DETECT_MODES}, "
                f"rhythm one of {RHYTHM_MODES}"
            )

    def cleaning(self) -> CleanSettings:
        """The record-level filters of these settings."""
        return CleanSettings(
            leads=self.leads,
            notch_hz=self.notch_hz,
            baseline=self.baseline,
            low_hz=self.low_hz,
            high_hz=self.high_hz,
        )

    @property
    def length(self) -> int:
        """Window length L in samples (after downsampling)."""
        full = (2 * self.neighbours + 1) * (self.before + self.after)
        return -(-full // self.downsample)

    @property
    def channels(self) -> tuple[str, ...]:
        """Names of the C window channels: the leads, their templates, the RR features."""
        templates = tuple(f"template_{lead}" for lead in self.leads)
        rhythm: tuple[str, ...] = ()
        if self.rhythm != "none":
            rhythm = RR_FEATURES
        if self.rhythm in ("extended", "log"):
            rhythm = (*rhythm, IRREGULARITY)
        if self.rhythm == "log":
            rhythm = tuple(f"log_{name}" for name in rhythm)
        deviation = tuple(
            f"deviation_{span}_{lead}" for lead in self.leads for span in SPANS_MS
        )
        return (
            self.leads
            + (templates if self.template else ())
            + rhythm
            + (deviation if self.deviation else ())
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready settings (``from_dict`` rebuilds them)."""
        return {**dataclasses.asdict(self), "leads": list(self.leads)}

    @classmethod
    def from_dict(cls, state: dict[str, Any]) -> BeatSettings:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{key: value for key, value in state.items() if key in names})


@dataclass
class Beats:
    """Beat windows of one or more records with their ids and rhythm features.

    Attributes:
        x: (N, C, L) float32 windows (leads, then RR channels if any).
        labels: (N,) str AAMI letters, "" for beats of unannotated records.
        subject, recording: (N,) str ids of the record each beat came from.
        start: (N,) int64 first sample of the beat's own window (peak - before).
        peak: (N,) int64 R-peak sample of each beat.
        rr: (N, 4) float32 normalised RR features (``RR_FEATURES``).
        detected: names of the records whose beats were detected.
    """

    x: np.ndarray
    labels: np.ndarray
    subject: np.ndarray
    recording: np.ndarray
    start: np.ndarray
    peak: np.ndarray
    rr: np.ndarray
    detected: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.x)

    @property
    def labelled(self) -> bool:
        """True when every beat has an AAMI label."""
        return bool(len(self.labels)) and bool((self.labels != "").all())

    @classmethod
    def concat(cls, parts: list[Beats]) -> Beats:
        """Stacks the beats of several records (same C and L)."""
        if not parts:
            raise DataError("beats", "no records to cut beats from")
        columns = ("x", "labels", "subject", "recording", "start", "peak", "rr")
        stacked = {c: np.concatenate([getattr(p, c) for p in parts]) for c in columns}
        detected = tuple(name for part in parts for name in part.detected)
        return cls(**stacked, detected=detected)


def _beat_peaks(
    cleaned: Series, raw: Series, settings: BeatSettings
) -> tuple[np.ndarray, np.ndarray, bool]:
    """R peaks (K,), their AAMI letters (K,) ("" when detected), and whether detected."""
    source = raw.recording or "series"
    if raw.annotations is not None and settings.detect != "always":
        aami = np.array([aami_class(s) or "" for s in raw.annotations.label], dtype=str)
        keep = aami != ""
        order = np.argsort(raw.annotations.sample[keep], kind="stable")
        return raw.annotations.sample[keep][order], aami[keep][order], False
    if settings.detect == "never":
        raise DataError(source, "record has no beat annotations and detect='never'")
    peaks = detect_beats(cleaned, settings.leads[0])
    return peaks, np.full(len(peaks), "", dtype=str), True


def record_beats(series: Series, settings: BeatSettings = BeatSettings()) -> Beats:
    """Cleaned beat windows (N, C, L) of one record, with RR features and ids."""
    source = series.recording or "series"
    if series.fs is None:
        raise DataError(source, "beat windows need a sampling rate")
    cleaned = clean(series, settings.cleaning())
    peaks, labels, detected = _beat_peaks(cleaned, series, settings)
    rr = rr_features(peaks, float(series.fs))  # (K, 4), over every beat
    fits = neighbour_fit(
        peaks,
        len(series),
        before=settings.before,
        after=settings.after,
        neighbours=settings.neighbours,
    )
    index = np.flatnonzero(fits)
    x = neighbour_windows(
        cleaned.values,
        peaks,
        index,
        before=settings.before,
        after=settings.after,
        neighbours=settings.neighbours,
    )  # (N, leads, L)
    if settings.downsample > 1:
        x = np.ascontiguousarray(x[:, :, :: settings.downsample])
    leads = x
    if settings.template:
        template = record_template(leads)
        x = np.concatenate([leads, template], axis=1)  # (N, 2 leads, L)
    if settings.rhythm != "none":
        features = rr[index]
        if settings.rhythm in ("extended", "log"):
            irregular = rr_irregularity(peaks)[index, None]  # (N, 1)
            features = np.concatenate([features, irregular], axis=1)
        if settings.rhythm == "log":
            features = log_rhythm(features)
        x = np.concatenate([x, rr_channels(features, x.shape[-1])], axis=1)
    if settings.deviation:
        spans = span_slices(
            float(series.fs), settings.before, x.shape[-1], settings.downsample
        )
        # the record's one median (its rows are copies of it): (N, leads * spans)
        deviation = template_deviation(leads, template[:1], spans)
        x = np.concatenate([x, rr_channels(deviation, x.shape[-1])], axis=1)
    count = len(index)
    return Beats(
        x=x,
        labels=labels[index],
        subject=np.full(count, series.subject or "", dtype=object).astype(str),
        recording=np.full(count, source, dtype=object).astype(str),
        start=peaks[index] - settings.before,
        peak=peaks[index],
        rr=rr[index],
        detected=(source,) if detected else (),
    )


def record_template(windows: np.ndarray) -> np.ndarray:
    """The record's usual beat: the median window, repeated for every beat.

    (N, C, L) -> (N, C, L) float32; unlabelled, so the same on a new record.
    """
    if not len(windows):
        return np.zeros_like(windows, dtype=np.float32)
    median = np.median(windows, axis=0).astype(np.float32)  # (C, L)
    return np.broadcast_to(median, windows.shape).copy()


def beat_set(records: list[Series], settings: BeatSettings = BeatSettings()) -> Beats:
    """``record_beats`` of every record, stacked: x (N, C, L), ids, labels, RR (N, 4)."""
    return Beats.concat([record_beats(record, settings) for record in records])


def beat_windows(
    records: list[Series], settings: BeatSettings = BeatSettings()
) -> WindowSet:
    """AAMI-labelled windows (N, len(leads), before + after) of the annotated beats.

    The leads only (no rhythm channels, no neighbours); records need annotations.
    """
    parts = [
        event_windows(
            clean(record, settings.cleaning()),
            before=settings.before,
            after=settings.after,
            labels=aami_class,
            keep=lambda symbol: aami_class(symbol) is not None,
        )
        for record in records
    ]
    return WindowSet.concat(parts)


def patient_split(windows: WindowSet, *, val: float, test: float, seed: int) -> Split:
    """Patient-independent train/val/test split of beat windows (guarded against leaks)."""
    subjects = windows.groups("subject")
    split = group_split(subjects, val=val, test=test, seed=seed, labels=windows.y)
    check_no_leak(split, subjects, name="patient")
    return split


def class_codes(labels: np.ndarray) -> np.ndarray:
    """AAMI letters -> int codes in AAMI_CLASSES order."""
    index = {name: i for i, name in enumerate(AAMI_CLASSES)}
    return np.array([index[str(label)] for label in labels], dtype=np.int64)
