"""Cut preprocessed EEG into epochs (n, C, T) with one label per epoch.

Tasks (``data.options.task``):

- ``eyes``: EEGMMIDB baselines, R01 eyes open vs R02 eyes closed, non-overlapping
  fixed-length epochs (``mne.make_fixed_length_epochs``; 2 s = 320 samples).
- ``fist``: imagined left (T1) vs right (T2) fist in R04/R08/R12, epochs from the
  cue onsets (``mne.events_from_annotations`` + ``mne.Epochs``, 0-4 s after the
  cue, no baseline correction; 640 samples).
- ``eye_state``: the UCI EEG Eye State table, fixed-length windows (2 s = 256
  samples at 128 Hz) labelled by the majority per-sample eye state.
- ``annotations``: any EDF+ file; each annotation is cut into consecutive
  epochs (``chunk_duration``) labelled by the annotation text.
- ``fixed``: unlabelled fixed-length epochs.

Each epoch keeps its start sample in its recording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from tscl.errors import DataError

if TYPE_CHECKING:
    import mne

EYES_RUNS = {1: "eyes_open", 2: "eyes_closed"}
FIST_RUNS = (4, 8, 12)
FIST_CUES = {"T1": "left_fist", "T2": "right_fist"}
EYE_STATES = {"0": "eyes_open", "1": "eyes_closed"}
TASK_SECONDS = {"eyes": 2.0, "fist": 4.0, "eye_state": 2.0, "annotations": 2.0}
TASK_SECONDS["fixed"] = 2.0
TASK_CLASSES = {
    "eyes": list(EYES_RUNS.values()),
    "fist": list(FIST_CUES.values()),
    "eye_state": list(EYE_STATES.values()),
}
_RUN = re.compile(r"R(\d{2})$")


@dataclass
class Epochs:
    """Epochs of one recording.

    Attributes:
        x: (n, C, T) float32 in µV.
        starts: (n,) int64 first sample of each epoch in the recording.
        labels: n class names, or None for unlabelled epochs.
    """

    x: np.ndarray
    starts: np.ndarray
    labels: list[str] | None


def run_number(recording: str) -> int | None:
    """The EEGMMIDB run of a recording id (``"S001R04"`` -> 4), None if it has none."""
    match = _RUN.search(recording)
    return None if match is None else int(match.group(1))


def task_runs(task: str) -> tuple[int, ...] | None:
    """The runs a task reads (None = every file)."""
    if task == "eyes":
        return tuple(EYES_RUNS)
    if task == "fist":
        return FIST_RUNS
    return None


def fixed_epochs(raw: mne.io.BaseRaw, seconds: float) -> tuple[np.ndarray, np.ndarray]:
    """Non-overlapping epochs of ``seconds``: ((n, C, T) µV float32, (n,) starts).

    A trailing part shorter than one epoch is dropped.
    """
    import mne

    length = _samples(raw, seconds)
    if raw.n_times < length:
        return _empty(raw, length), np.zeros(0, dtype=np.int64)
    epochs = mne.make_fixed_length_epochs(
        raw, duration=length / raw.info["sfreq"], preload=True, verbose="error"
    )
    return _data(epochs, length), _starts(epochs, raw)


def annotation_epochs(
    raw: mne.io.BaseRaw,
    seconds: float,
    *,
    classes: dict[str, str] | None = None,
    chunked: bool = False,
) -> Epochs:
    """Epochs of ``seconds`` from annotation onsets, no baseline correction.

    Args:
        raw: a preprocessed Raw with annotations.
        classes: annotation text -> class name to keep (None = every annotation,
            named by its text).
        chunked: cut every annotation into consecutive epochs
            (``events_from_annotations(chunk_duration=seconds)``) instead of one
            epoch from each onset.
    """
    import mne

    length = _samples(raw, seconds)
    chunk = length / raw.info["sfreq"] if chunked else None
    events, event_id = mne.events_from_annotations(
        raw, chunk_duration=chunk, verbose="error"
    )
    wanted = {
        text: code for text, code in event_id.items() if text in (classes or event_id)
    }
    if not wanted:
        return Epochs(_empty(raw, length), np.zeros(0, dtype=np.int64), [])
    epochs = mne.Epochs(
        raw,
        events,
        event_id=wanted,
        tmin=0.0,
        tmax=(length - 1) / raw.info["sfreq"],
        baseline=None,
        preload=True,
        reject_by_annotation=False,
        verbose="error",
    )
    text_of = {code: text for text, code in wanted.items()}
    labels = [text_of[int(code)] for code in epochs.events[:, 2]]
    if classes is not None:
        labels = [classes[text] for text in labels]
    return Epochs(_data(epochs, length), _starts(epochs, raw), labels)


def task_epochs(
    raw: mne.io.BaseRaw, task: str, seconds: float, recording: str
) -> Epochs:
    """The epochs ``task`` takes from one preprocessed recording.

    Raises:
        DataError: ``eyes`` on a recording that is neither run R01 nor R02.
    """
    if task == "fist":
        return annotation_epochs(raw, seconds, classes=FIST_CUES)
    if task == "annotations":
        return annotation_epochs(raw, seconds, chunked=True)
    x, starts = fixed_epochs(raw, seconds)
    if task == "fixed":
        return Epochs(x, starts, None)
    if task == "eyes":
        run = run_number(recording)
        if run not in EYES_RUNS:
            raise DataError(
                recording, "task 'eyes' needs runs R01 (eyes open) / R02 (eyes closed)"
            )
        return Epochs(x, starts, [EYES_RUNS[run]] * len(x))
    raise DataError(recording, f"task {task!r} does not apply to EDF recordings")


def majority_labels(
    step_labels: np.ndarray, starts: np.ndarray, length: int
) -> list[str]:
    """Most frequent per-sample label in each window [start, start + length).

    Ties go to the label that sorts first.
    """
    out = []
    for start in starts:
        values, counts = np.unique(
            np.asarray(step_labels[start : start + length], dtype=str),
            return_counts=True,
        )
        out.append(str(values[np.argmax(counts)]))
    return out


def eye_state_epochs(
    raw: mne.io.BaseRaw, step_labels: np.ndarray, seconds: float
) -> Epochs:
    """Fixed-length windows of the eye-state table, labelled by majority eye state."""
    x, starts = fixed_epochs(raw, seconds)
    states = majority_labels(step_labels, starts, x.shape[-1])
    unknown = sorted(set(states) - set(EYE_STATES))
    if unknown:
        raise DataError("eye_state", f"eye states must be 0 or 1, got {unknown}")
    return Epochs(x, starts, [EYE_STATES[s] for s in states])


def _samples(raw: mne.io.BaseRaw, seconds: float) -> int:
    length = int(round(seconds * raw.info["sfreq"]))
    if length < 1:
        raise DataError("epochs", f"epoch_seconds={seconds} gives no sample")
    return length


def _data(epochs: mne.BaseEpochs, length: int) -> np.ndarray:
    """(n, C, T) float32 in µV, exactly ``length`` samples long."""
    x = epochs.get_data(units="uV")
    return np.ascontiguousarray(x[..., :length], dtype=np.float32)


def _starts(epochs: mne.BaseEpochs, raw: mne.io.BaseRaw) -> np.ndarray:
    """(n,) first sample of each epoch, relative to the recording start."""
    return (epochs.events[:, 0] - raw.first_samp).astype(np.int64)


def _empty(raw: mne.io.BaseRaw, length: int) -> np.ndarray:
    return np.zeros((0, len(raw.ch_names), length), dtype=np.float32)
