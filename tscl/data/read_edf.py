"""Read EDF / EDF+ files (EEG, PSG) into a Series with pyEDFlib.

EDF+ stores events in an ``EDF Annotations`` signal, which pyEDFlib hides from
the signal list and returns through ``readAnnotations``; here they become
``Series.annotations`` in sample units. Channel labels lose the padding dots
that BCI2000 writes (``"Fc5."`` -> ``"Fc5"``, ``"C3.."`` -> ``"C3"``).
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pyedflib

from tscl.data.records import Annotations, Series
from tscl.errors import DataError


def clean_channel_name(label: str) -> str:
    """An EDF signal label without surrounding spaces and BCI2000 padding dots."""
    return label.strip().rstrip(".").strip()


def _select_signals(
    path: Path, labels: list[str], rates: np.ndarray, channels: list[str] | None
) -> list[int]:
    """Indices of the requested signals; all must share one sampling rate."""
    names = [clean_channel_name(label) for label in labels]
    if channels is None:
        indices = list(range(len(labels)))
    else:
        indices = []
        for wanted in channels:
            matches = [
                i
                for i, (raw, name) in enumerate(zip(labels, names, strict=True))
                if wanted in (raw, name)
            ]
            if not matches:
                raise DataError(
                    path, f"no channel named '{wanted}'; the file has {names}"
                )
            indices.append(matches[0])
    if not indices:
        raise DataError(path, "the file has no signals besides annotations")
    selected_rates = sorted({float(rates[i]) for i in indices})
    if len(selected_rates) > 1:
        by_rate = {
            rate: [names[i] for i in indices if float(rates[i]) == rate]
            for rate in selected_rates
        }
        summary = "; ".join(
            f"{rate:g} Hz: {', '.join(group)}" for rate, group in by_rate.items()
        )
        raise DataError(
            path,
            f"signals have different sampling rates ({summary}); "
            "pass channels= with signals of one rate",
        )
    return indices


def _annotations(reader: pyedflib.EdfReader, fs: float) -> Annotations | None:
    """EDF+ annotations in samples; None when the file has none."""
    onsets, durations, labels = reader.readAnnotations()
    if len(onsets) == 0:
        return None
    # pyEDFlib reports -1 for annotations written without a duration.
    durations = np.clip(np.asarray(durations, dtype=np.float64), 0.0, None)
    return Annotations(
        sample=np.round(np.asarray(onsets, dtype=np.float64) * fs).astype(np.int64),
        label=np.asarray(labels, dtype=str),
        duration=durations * fs,
    )


def _read_open(
    path: Path, reader: pyedflib.EdfReader, channels: list[str] | None
) -> Series:
    """Build the Series from an open reader."""
    labels = list(reader.getSignalLabels())
    rates = np.asarray(reader.getSampleFrequencies(), dtype=np.float64)
    indices = _select_signals(path, labels, rates, channels)
    fs = float(rates[indices[0]])
    # Each readSignal gives (T,) float64 physical values; stacking gives (C, T).
    values = np.stack([reader.readSignal(i) for i in indices]).astype(np.float32)
    if not np.isfinite(values).all():
        raise DataError(
            path, "physical values are not finite (bad physical/digital range)"
        )
    meta: dict[str, Any] = {
        "raw_labels": [labels[i] for i in indices],
        "start": reader.getStartdatetime(),
        "equipment": reader.getEquipment(),
        "edf_plus": reader.filetype
        in (pyedflib.FILETYPE_EDFPLUS, pyedflib.FILETYPE_BDFPLUS),
    }
    return Series(
        values=values,
        fs=fs,
        channels=tuple(clean_channel_name(labels[i]) for i in indices),
        units=tuple(reader.getPhysicalDimension(i) for i in indices),
        annotations=_annotations(reader, fs),
        recording=path.stem,
        meta=meta,
    )


def read_edf(path: str | PathLike[str], *, channels: list[str] | None = None) -> Series:
    """Read the signals of an EDF/EDF+ (or BDF) file as one Series.

    Args:
        path: the ``.edf`` file.
        channels: signal names to keep, raw (``"C3.."``) or cleaned (``"C3"``);
            all signals when None. The kept signals must share one rate.

    Returns:
        Series with values (C, T) float32 in physical units, ``fs``, cleaned
        channel names, units, annotations (onset and duration in samples,
        label), ``recording`` = file stem, ``meta`` with ``raw_labels``,
        ``start``, ``equipment`` and ``edf_plus``.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(path, "EDF file not found")
    try:
        reader = pyedflib.EdfReader(str(path))
    except Exception as error:  # pyEDFlib raises OSError with its own wording
        reason = str(error).replace(f"{path}: ", "")
        raise DataError(path, f"not a readable EDF/EDF+ file: {reason}") from error
    try:
        return _read_open(path, reader, channels)
    finally:
        reader.close()
