"""``embed_eeg_input``: a new EDF file prepared exactly as the training data was.

The recorded ``preprocessing`` (filter band, notch, reference, channels, epoch
length, task, scaler) is replayed through MNE; the file's epochs come back as a
``SignalSet`` with a table of where each epoch starts. Labels are filled in
where the task can tell them from the file (its run number or annotations).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tscl.data.training import SignalSet, encode_ids
from tscl.domains.eeg.epochs import (
    EYES_RUNS,
    Epochs,
    fixed_epochs,
    run_number,
    task_epochs,
)
from tscl.domains.eeg.preprocess import EegSettings, preprocess_edf
from tscl.domains.eeg.recordings import subject_of
from tscl.errors import DataError

if TYPE_CHECKING:
    from tscl.config import RunConfig


def _epochs(raw: Any, task: str, seconds: float, recording: str) -> Epochs:
    """The task's epochs; an eyes model on another run gets unlabelled epochs."""
    if task == "eyes" and run_number(recording) not in EYES_RUNS:
        x, starts = fixed_epochs(raw, seconds)
        return Epochs(x, starts, None)
    return task_epochs(raw, task, seconds, recording)


def embed_eeg_input(
    preprocessing: Mapping[str, Any], config: RunConfig, path: Path
) -> tuple[SignalSet, pd.DataFrame]:
    """An EDF file -> its epochs (N, C, T) scaled as in training, and their positions.

    Args:
        preprocessing: what ``load_eeg`` recorded for the encoder.
        config: the run's config (unused: everything replayed is recorded).
        path: the ``.edf`` file.

    Returns:
        The ``SignalSet`` (ids ``subject``, ``recording``; ``y`` when known) and a
        DataFrame with columns ``recording``, ``start`` (sample) and ``label``
        (class name or None), one row per epoch.

    Raises:
        DataError: not an EDF file, a channel or the sampling rate differs.
    """
    del config
    path = Path(path)
    if path.suffix.lower() != ".edf":
        raise DataError(path, "the EEG domain embeds EDF/EDF+ files")
    settings = EegSettings.from_dict(dict(preprocessing))
    raw = preprocess_edf(path, settings)
    fs = float(preprocessing.get("fs", raw.info["sfreq"]))
    if float(raw.info["sfreq"]) != fs:
        raise DataError(
            path, f"sampled at {raw.info['sfreq']} Hz; the encoder expects {fs} Hz"
        )
    channels = list(preprocessing.get("channels") or raw.ch_names)
    if list(raw.ch_names) != channels:
        raise DataError(
            path, f"channels {raw.ch_names} differ from the encoder's {channels}"
        )
    task = str(preprocessing.get("task", "fixed"))
    epochs = _epochs(
        raw, task, float(preprocessing.get("epoch_seconds", 2.0)), path.stem
    )
    x = epochs.x  # unscaled: the encoder bundle applies preprocessing["scaler"]
    class_names = list(preprocessing.get("class_names") or [])
    labels = epochs.labels if epochs.labels is not None else [None] * len(x)
    known = bool(labels) and all(label in class_names for label in labels)
    subject, subject_names = encode_ids([subject_of(path)] * len(x))
    recording, recording_names = encode_ids([path.stem] * len(x))
    rows = SignalSet(
        x=x,
        y=np.array([class_names.index(lab) for lab in labels], dtype=np.int64)
        if known
        else None,
        ids={"subject": subject, "recording": recording},
        id_names={"subject": subject_names, "recording": recording_names},
    )
    table = pd.DataFrame(
        {"recording": path.stem, "start": epochs.starts, "label": labels}
    )
    return rows, table
