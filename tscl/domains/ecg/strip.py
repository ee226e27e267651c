"""Figures of ECG strips with every beat coloured by its predicted AAMI class.

``predicted_strip`` draws a stretch of one cleaned record (the first lead) with
its beats marked; ``cv_strip`` picks, among a cross-validated run's records,
the one with the most supraventricular beats (the class that is hard across
patients) and draws its out-of-fold predictions around the first of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from tscl.data.records import Series
from tscl.domains.ecg.beats import BeatSettings, record_beats
from tscl.domains.ecg.preprocess import clean

STRIP_S = 12.0  # seconds shown


def predicted_strip(
    record: Series,
    settings: BeatSettings,
    frame: pd.DataFrame,
    *,
    seconds: float = STRIP_S,
    focus: str = "S",
    title: str = "",
) -> Any:
    """A Figure of ``seconds`` of the cleaned record with the beats of ``frame``.

    Args:
        record: the raw record (it is cleaned as in training).
        frame: one row per beat with ``sample`` and ``predicted`` (class
            names), and ``label`` (true class or None) when annotated.
        focus: the strip starts a second before the first beat whose true
            (else predicted) class is this one; at the start when none is.
    """
    from tscl.eval.plots import plot_event_strip

    cleaned = clean(record, settings.cleaning())
    fs = float(record.fs or 0)
    samples = frame["sample"].to_numpy(dtype=np.int64)
    labels = frame.get("label")
    known = labels is not None and labels.notna().all()
    marks = (labels if known else frame["predicted"]).astype(str).to_numpy()
    hits = np.flatnonzero(marks == focus)
    begin = max(0, int(samples[hits[0]] - fs)) if len(hits) else 0
    end = min(len(cleaned), begin + int(seconds * fs))
    shown = (samples >= begin) & (samples < end)
    return plot_event_strip(
        cleaned.values[0, begin:end],
        fs,
        samples[shown] - begin,
        frame["predicted"].astype(str).to_numpy()[shown].tolist(),
        true=labels.astype(str).to_numpy()[shown].tolist() if known else None,
        start_s=begin / fs,
        title=title or f"Record {record.recording}: beats by predicted class",
        units=f"{settings.leads[0]} (filtered)",
    )


def cv_strip(
    data: Any, predicted: np.ndarray, class_names: Sequence[str]
) -> Any | None:
    """The out-of-fold strip of a patient-CV run (None when the record cannot be re-read).

    ``predicted`` holds the out-of-fold class code of every training row; the
    record is re-read and re-cut with the run's settings, and its beats must
    match the rows of that recording (count and labels) to be drawn.
    """
    from tscl.domains.ecg.loader import read_records

    rows = data.train
    names = rows.id_names.get("recording")
    if not names or rows.y is None:
        return None
    s_code = list(class_names).index("S") if "S" in class_names else 0
    counts = np.bincount(rows.ids["recording"][rows.y == s_code], minlength=len(names))
    recording = names[int(np.argmax(counts))]
    settings = BeatSettings.from_dict(dict(data.preprocessing["beats"]))
    records, _, _ = read_records(str(data.source["dataset"]), [recording])
    beats = record_beats(records[0], settings)
    mine = np.flatnonzero(rows.ids["recording"] == names.index(recording))
    true = [class_names[int(c)] for c in rows.y[mine]]
    if len(beats) != len(mine) or list(beats.labels) != true:
        return None
    frame = pd.DataFrame(
        {
            "sample": beats.peak,
            "label": true,
            "predicted": [class_names[int(c)] for c in predicted[mine]],
        }
    )
    return predicted_strip(
        records[0],
        settings,
        frame,
        title=f"Record {recording}, out-of-fold predictions (its patient held out)",
    )


def input_strip(preprocessing: Any, path: Any, frame: pd.DataFrame) -> Any:
    """``tscl predict --figure``: the strip of a new record with its predicted beats."""
    from pathlib import Path

    from tscl.data.read_wfdb import read_wfdb
    from tscl.domains.ecg.records import record_path

    record = read_wfdb(record_path(Path(path)))
    settings = BeatSettings.from_dict(dict(preprocessing["beats"]))
    return predicted_strip(record, settings, frame)
