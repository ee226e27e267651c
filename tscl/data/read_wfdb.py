"""Read WFDB records (PhysioNet ``.hea`` + signal files + annotations) into a Series.

The ``wfdb`` package does the decoding; this module checks the files first so
that a missing or truncated signal file, a bad sample range or a corrupt
annotation file raises a one-line ``DataError`` instead of whatever ``wfdb``
happens to raise.
"""

from __future__ import annotations

import math
import re
import warnings
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from tscl.data.records import Annotations, Series
from tscl.errors import DataError

with warnings.catch_warnings():
    # wfdb 4.3 emits pandas deprecation warnings at import time; they are not ours.
    warnings.simplefilter("ignore")
    import wfdb

# Bytes per stored sample for the fixed-width WFDB signal formats.
_BYTES_PER_SAMPLE: dict[str, float] = {
    "8": 1, "16": 2, "24": 3, "32": 4, "61": 2, "80": 1, "160": 2,
    "212": 1.5, "310": 4 / 3, "311": 4 / 3,
}  # fmt: skip
_MITBIH_AGE_SEX = re.compile(r"^\s*(-?\d+|\?+)\s+([MF]|\?+)(?:\s|$)")
_KEY_VALUE = re.compile(r"^\s*(age|sex)\s*:\s*(\S+)", re.IGNORECASE)


def _record_path(path: str | PathLike[str]) -> Path:
    """The record path without extension; raises when its header is absent."""
    record = Path(path)
    if record.suffix == ".hea":
        record = record.with_suffix("")
    header = record.with_name(record.name + ".hea")
    if not header.is_file():
        raise DataError(header, "WFDB header file not found")
    return record


def _read_header(record: Path) -> Any:
    """The ``wfdb.Record`` header of ``record``, or a DataError."""
    try:
        return wfdb.rdheader(str(record))
    except Exception as error:  # wfdb raises many types on malformed headers
        raise DataError(
            f"{record}.hea", f"malformed WFDB header: {type(error).__name__}: {error}"
        ) from error


def parse_age_sex(comments: list[str]) -> tuple[int, str]:
    """Age and sex from WFDB header comments.

    Understands the MIT-BIH form (``"69 M 1085 1629 x1"``, first matching
    comment) and the PTB form (``"age: 81"``, ``"sex: female"``).

    Returns:
        ``(age, sex)`` with age -1 and sex ``"?"`` when unknown; sex is
        ``"M"`` or ``"F"`` otherwise.
    """
    age, sex = -1, "?"
    for comment in comments:
        match = _MITBIH_AGE_SEX.match(comment)
        if match:
            age_text, sex_text = match.groups()
            age = int(age_text) if age_text.lstrip("-").isdecimal() else -1
            return age, sex_text if sex_text in ("M", "F") else "?"
        key_value = _KEY_VALUE.match(comment)
        if key_value:
            key, value = key_value.group(1).lower(), key_value.group(2)
            if key == "age":
                age = int(value) if value.isdecimal() else -1
            elif value[:1].upper() in ("M", "F"):
                sex = value[:1].upper()
    return age, sex


def read_wfdb_header(path: str | PathLike[str]) -> dict[str, Any]:
    """Header facts of a WFDB record without reading its signals.

    Args:
        path: the record path, with or without ``.hea``.

    Returns:
        dict with ``record_name``, ``fs``, ``num_samples``, ``num_channels``,
        ``channels``, ``units``, ``comments``, ``age`` and ``sex``.
    """
    record = _record_path(path)
    header = _read_header(record)
    comments = list(header.comments or [])
    age, sex = parse_age_sex(comments)
    return {
        "record_name": str(header.record_name),
        "fs": float(header.fs),
        "num_samples": int(header.sig_len or 0),
        "num_channels": int(header.n_sig or 0),
        "channels": list(header.sig_name or []),
        "units": list(header.units or []),
        "comments": comments,
        "age": age,
        "sex": sex,
    }


def _check_signal_files(record: Path, header: Any) -> None:
    """Raise when a signal file is missing or shorter than the header says."""
    num_channels = int(header.n_sig or 0)
    frames = header.samps_per_frame or [1] * num_channels
    offsets = header.byte_offset or [None] * num_channels
    files: dict[str, list[int]] = {}
    for index, name in enumerate(header.file_name or []):
        files.setdefault(name, []).append(index)
    for name, indices in files.items():
        signal_file = record.parent / name
        if not signal_file.is_file():
            raise DataError(
                signal_file, f"signal file named in {record.name}.hea is missing"
            )
        fmt = str(header.fmt[indices[0]])
        if fmt not in _BYTES_PER_SAMPLE or not header.sig_len:
            continue  # compressed or length-less formats: let wfdb check them
        samples_per_frame = sum(int(frames[i] or 1) for i in indices)
        offset = int(offsets[indices[0]] or 0)
        expected = offset + math.ceil(
            header.sig_len * samples_per_frame * _BYTES_PER_SAMPLE[fmt]
        )
        found = signal_file.stat().st_size
        if found < expected:
            raise DataError(
                signal_file,
                f"truncated signal file: expected {expected} bytes, found {found}",
            )


def _check_range(
    record: Path,
    header: Any,
    channels: list[int] | None,
    sampfrom: int,
    sampto: int | None,
) -> int:
    """Validate the requested channels and sample range; return the end sample."""
    length, num_channels = int(header.sig_len or 0), int(header.n_sig or 0)
    end = length if sampto is None else int(sampto)
    if not 0 <= sampfrom < end <= length:
        raise DataError(
            f"{record}.hea",
            f"sample range [{sampfrom}, {end}) is outside the record's {length} samples",
        )
    for channel in channels or []:
        if not 0 <= channel < num_channels:
            raise DataError(
                f"{record}.hea",
                f"channel index {channel} out of range; the record has {num_channels}",
            )
    return end


def _read_annotations(
    record: Path, annotator: str, sampfrom: int, sampto: int | None
) -> tuple[Annotations, np.ndarray] | None:
    """Annotations in [sampfrom, sampto), shifted to start at 0, plus aux notes."""
    annotation_file = record.with_name(f"{record.name}.{annotator}")
    if not annotation_file.is_file():
        return None
    with annotation_file.open("rb") as handle:
        handle.seek(max(annotation_file.stat().st_size - 2, 0))
        if handle.read() != b"\x00\x00":
            raise DataError(
                annotation_file,
                "annotation file does not end with the WFDB end marker (truncated?)",
            )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            annotation = wfdb.rdann(
                str(record), annotator, sampfrom=sampfrom, sampto=sampto
            )
    except Exception as error:
        raise DataError(
            annotation_file,
            f"unreadable annotation file: {type(error).__name__}: {error}",
        ) from error
    samples = np.asarray(annotation.sample, dtype=np.int64)
    keep = (samples >= sampfrom) & (samples < (sampto or np.iinfo(np.int64).max))
    labels = np.asarray(annotation.symbol, dtype=str)[keep]
    aux = np.asarray(annotation.aux_note or [""] * len(samples), dtype=str)[keep]
    return Annotations(sample=samples[keep] - sampfrom, label=labels), aux


def read_wfdb_annotations(
    path: str | PathLike[str], annotator: str = "atr"
) -> Annotations:
    """All annotations of a WFDB record without reading its signals.

    Args:
        path: the record path, with or without ``.hea``.
        annotator: annotation file extension.

    Returns:
        Annotations with sample indices and symbols (K,).
    """
    record = Path(path)
    if record.suffix == ".hea":
        record = record.with_suffix("")
    found = _read_annotations(record, annotator, 0, None)
    if found is None:
        raise DataError(f"{record}.{annotator}", "annotation file not found")
    return found[0]


def _read_values(
    record: Path, header: Any, channels: list[int] | None, sampfrom: int, sampto: int
) -> tuple[np.ndarray, Any]:
    """Physical signal values (C, T) float32 and the wfdb record object."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            signals = wfdb.rdrecord(
                str(record), sampfrom=sampfrom, sampto=sampto, channels=channels
            )
    except Exception as error:
        raise DataError(
            record.parent / (header.file_name or [record.name])[0],
            f"unreadable WFDB signal: {type(error).__name__}: {error}",
        ) from error
    if signals.p_signal is None:
        raise DataError(f"{record}.hea", "record has no signals")
    # wfdb gives (T, C) float64; transpose to (C, T) float32.
    values = np.ascontiguousarray(signals.p_signal.T, dtype=np.float32)
    if np.isinf(values).any():
        raise DataError(f"{record}.hea", "physical values overflow float32")
    return values, signals


def read_wfdb(
    path: str | PathLike[str],
    *,
    channels: list[int] | None = None,
    sampfrom: int = 0,
    sampto: int | None = None,
    annotator: str | None = "atr",
) -> Series:
    """Read a WFDB record as a Series of physical values.

    Args:
        path: record path, with or without ``.hea`` (e.g. ``.../mitdb/100``).
        channels: indices of the signals to keep (all when None).
        sampfrom: first sample to read.
        sampto: one past the last sample to read (record end when None).
        annotator: annotation file extension (``"atr"``); None skips it.
            A missing annotation file gives ``annotations=None``.

    Returns:
        Series with values (C, T) float32 in physical units, ``fs``, channel
        names, units, annotations (sample relative to ``sampfrom``, beat
        symbol), ``recording`` and ``subject`` = record name, and ``meta``
        with ``comments``, ``age`` (-1 unknown), ``sex`` and, with
        annotations, ``annotation_aux`` (K,) aux notes such as ``"(AFIB"``.
    """
    record = _record_path(path)
    header = _read_header(record)
    _check_signal_files(record, header)
    end = _check_range(record, header, channels, sampfrom, sampto)
    values, signals = _read_values(record, header, channels, sampfrom, end)
    comments = list(header.comments or [])
    age, sex = parse_age_sex(comments)
    meta: dict[str, Any] = {"comments": comments, "age": age, "sex": sex}
    annotations = None
    if annotator is not None:
        found = _read_annotations(record, annotator, sampfrom, end)
        if found is not None:
            annotations, meta["annotation_aux"] = found
    name = str(header.record_name)
    return Series(
        values=values,
        fs=float(header.fs),
        channels=tuple(signals.sig_name),
        units=tuple(signals.units),
        annotations=annotations,
        subject=name,
        recording=name,
        meta=meta,
    )
