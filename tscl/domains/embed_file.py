"""Embedding a file of new recordings with a saved encoder, applying the preprocessing it was trained with.

The encoder's bundle records its config and its domain's preprocessing: a
domain with an ``embed_input`` (ECG beats, EEG epochs, event cases) prepares
the file the way its training data was prepared; the channel scaling fitted on
the training split is applied by the model itself. Input that breaks the
encoder's input contract (another sampling rate, another series length; see
``tscl.input_contract``) is embedded with a one-line warning.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from tscl.bundle import EncoderBundle
from tscl.errors import DataError
from tscl.input_contract import contract_warning, input_contract

Encode = Callable[..., np.ndarray]  # (N, T, C) [, fs=Hz] -> (N, D)
Warn = Callable[[str], None]  # receives one warning line


def _table(embeddings: np.ndarray, columns: dict[str, object]) -> pd.DataFrame:
    frame = pd.DataFrame(columns)
    frame["embedding"] = list(embeddings.astype(np.float32))
    return frame


def _embed_domain_input(
    bundle: EncoderBundle, path: Path, encode: Encode
) -> pd.DataFrame | None:
    """The domain's own preparation of a new file (beats, epochs, cases), or None if it has none."""
    from tscl.data.training import SignalSet
    from tscl.domains import DOMAINS, get_domain
    from tscl.embedding import embed_set

    name = bundle.config.domain
    if name not in DOMAINS:
        return None
    domain = get_domain(name)
    if domain.embed_input is None:
        return None
    rows, columns = domain.embed_input(bundle.preprocessing, bundle.config, path)
    if isinstance(rows, SignalSet):
        z = encode(np.asarray(rows.x).transpose(0, 2, 1))  # (N, C, T) -> (N, T, C)
    else:  # event sequences: the encoder embeds padded batches itself
        z = embed_set(bundle.encoder, rows, device="cpu")
    frame = columns.reset_index(drop=True).copy()
    frame["embedding"] = list(z.astype(np.float32))
    return frame


def _embed_wfdb(bundle: EncoderBundle, path: Path, encode: Encode) -> pd.DataFrame:
    """A WFDB record as one series (a model without a domain preparation)."""
    from tscl.data.read_wfdb import read_wfdb

    record = read_wfdb(
        path.with_suffix("") if path.suffix in (".hea", ".dat", ".atr") else path
    )
    z = encode(record.values.T[None], fs=record.fs)  # (C, T) -> (1, T, C)
    return _table(z, {"recording": [record.recording]})


def _warn(line: str) -> None:
    warnings.warn(line, UserWarning, stacklevel=4)


def _checked(bundle: EncoderBundle, path: Path, encode: Encode, warn: Warn) -> Encode:
    """``encode`` behind the input checks: one line naming ``path`` for a bad batch.

    The returned function takes the batch and, where the file states it, its
    sampling rate (``fs=``); a batch that breaks the input contract is passed
    on after one ``warn`` line (once per file).
    """
    contract, warned = input_contract(bundle), []

    def checked(x: np.ndarray, fs: float | None = None) -> np.ndarray:
        x = bundle.check_input(x, str(path))
        notice = contract_warning(contract, str(path), x, fs=fs)
        if notice and not warned:
            warned.append(notice)
            warn(notice)
        return encode(x)

    return checked


def embed_file(
    bundle: EncoderBundle, path: Path, *, encode: Encode, warn: Warn = _warn
) -> pd.DataFrame:
    """One row per embedded series/window: identifying columns plus ``embedding`` (D floats).

    A model whose domain prepares new files (ECG beats, EEG epochs, event
    cases) gets that preparation, replayed from what the bundle recorded;
    otherwise the file is read as series by its format. Every batch is checked
    against the encoder's input contract (``EncoderBundle.check_input``)
    before ``encode`` sees it; input of another sampling rate or length than
    the training series gets one ``warn`` line (default: a ``UserWarning``).
    """
    encode = _checked(bundle, path, encode, warn)
    prepared = _embed_domain_input(bundle, path, encode)
    if prepared is not None:
        return prepared
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
        return _table(encode(x), {"index": np.arange(len(x))})
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
        z = encode(series.values.T[None], fs=series.fs)
        return _table(z, {"recording": [path.name]})
    raise DataError(
        path, "unsupported input: expected a WFDB record, .npy, .ts or .csv file"
    )
