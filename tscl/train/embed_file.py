"""Embedding a file of new recordings with a saved encoder, applying the preprocessing it was trained with.

The encoder's bundle records its config: an ECG beat model (domain ``ecg``)
gets the same lead selection, band-pass and beat windows as in training; the
channel scaling fitted on the training split is applied by the model itself.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from tscl.errors import DataError
from tscl.train.bundle import EncoderBundle

Encode = Callable[[np.ndarray], np.ndarray]  # (N, T, C) -> (N, D)


def _table(embeddings: np.ndarray, columns: dict[str, object]) -> pd.DataFrame:
    frame = pd.DataFrame(columns)
    frame["embedding"] = list(embeddings.astype(np.float32))
    return frame


def _embed_wfdb(bundle: EncoderBundle, path: Path, encode: Encode) -> pd.DataFrame:
    from tscl.data.read_wfdb import read_wfdb

    record = read_wfdb(
        path.with_suffix("") if path.suffix in (".hea", ".dat", ".atr") else path
    )
    if bundle.config.domain == "ecg" and record.annotations is not None:
        from tscl.domains.ecg.beats import beat_windows

        windows = beat_windows([record])  # (N, 1, L), the training preprocessing
        z = encode(windows.x.transpose(0, 2, 1))  # (N, C, L) -> (N, L, C)
        return _table(
            z,
            {
                "recording": windows.recording,
                "sample": windows.start + windows.meta["before"],
                "label": windows.y,
            },
        )
    z = encode(record.values.T[None])  # (C, T) -> (1, T, C)
    return _table(z, {"recording": [record.recording]})


def embed_file(bundle: EncoderBundle, path: Path, *, encode: Encode) -> pd.DataFrame:
    """One row per embedded series/window: identifying columns plus ``embedding`` (D floats)."""
    suffix = path.suffix.lower()
    if suffix in (".hea", ".dat", ".atr") or (
        not suffix and path.with_suffix(".hea").is_file()
    ):
        return _embed_wfdb(bundle, path, encode)
    if not path.is_file():
        raise DataError(path, "input file not found")
    if suffix == ".npy":
        try:
            x = np.load(path, allow_pickle=False)
        except (ValueError, OSError) as err:
            raise DataError(path, f"not a readable .npy array ({err})") from err
        if x.ndim not in (2, 3):
            raise DataError(
                path, f"expected an array (N, T) or (N, T, C), got shape {x.shape}"
            )
        return _table(encode(x.astype(np.float32)), {"index": np.arange(len(x))})
    if suffix == ".ts":
        from tscl.data.read_ts import read_ts

        data = read_ts(path)
        z = encode(data.to_array().transpose(0, 2, 1))  # (N, C, T) -> (N, T, C)
        columns: dict[str, object] = {"index": np.arange(len(data))}
        if data.labels is not None:
            columns["label"] = data.labels
        return _table(z, columns)
    if suffix in (".csv", ".gz"):
        from tscl.data.read_csv import read_csv_series

        series = read_csv_series(path)
        return _table(encode(series.values.T[None]), {"recording": [path.name]})
    raise DataError(
        path, "unsupported input: expected a WFDB record, .npy, .ts or .csv file"
    )
