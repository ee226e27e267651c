"""Array preparation for pretraining on (N, C, T) batches with NaN padding.

TS2Vec cuts training series longer than ``max_length`` into sections and
moves the NaN padding of variable-length series so each series is centred;
these are the same operations, written for channels-first arrays.
"""

from __future__ import annotations

import numpy as np


def pad_to_array(series: list[np.ndarray]) -> np.ndarray:
    """Stacks (C, T_i) arrays into (N, C, T_max), padding the end with NaN."""
    if not series:
        raise ValueError("no series to stack")
    num_channels = series[0].shape[0]
    length = max(s.shape[1] for s in series)
    out = np.full((len(series), num_channels, length), np.nan, dtype=np.float32)
    for i, s in enumerate(series):
        out[i, :, : s.shape[1]] = s
    return out


def split_long_series(x: np.ndarray, max_length: int) -> np.ndarray:
    """Cuts (N, C, T) into ``T // max_length`` near-equal sections along time, as TS2Vec does.

    With S = T // max_length >= 2 the series become (N * S, C, ceil(T / S))
    (``np.array_split`` sizes, shorter sections NaN-padded at the end); with
    S < 2 they are returned unchanged. Sections may stay longer than
    ``max_length``: training then crops a random ``max_length`` window of each
    batch, so every section still contributes every part of itself.
    """
    num, channels, length = x.shape
    sections = length // max_length
    if sections < 2:
        return x
    parts = np.array_split(x, sections, axis=-1)
    width = parts[0].shape[-1]  # array_split makes the first parts the longest
    out = np.full((num, sections, channels, width), np.nan, dtype=x.dtype)
    for i, part in enumerate(parts):
        out[:, i, :, : part.shape[-1]] = part
    return out.reshape(num * sections, channels, width)  # (N, S, C, W) -> (N * S, C, W)


def observed_steps(x: np.ndarray) -> np.ndarray:
    """(N, C, T) -> (N, T) bool: True where at least one channel is observed."""
    return ~np.isnan(x).all(axis=1)


def centre_varying_length(x: np.ndarray) -> np.ndarray:
    """Shifts each series so its leading and trailing all-NaN steps are split evenly.

    Only applied when some series start or end with missing steps; mirrors the
    way TS2Vec centres variable-length series before cropping.
    """
    observed = observed_steps(x)  # (N, T)
    length = x.shape[-1]
    has_any = observed.any(axis=1)
    first = np.where(has_any, observed.argmax(axis=1), 0)
    last = np.where(has_any, length - 1 - observed[:, ::-1].argmax(axis=1), length - 1)
    offset = (
        first + (length - 1 - last)
    ) // 2 - first  # target start minus current start
    if not offset.any():
        return x
    out = np.full_like(x, np.nan)
    for i, shift in enumerate(offset):
        out[i] = np.roll(
            x[i], shift, axis=-1
        )  # rolls NaN padding only: the shift stays inside the padding
    return out


def drop_empty(x: np.ndarray) -> np.ndarray:
    """Removes samples in which no value is observed."""
    return x[observed_steps(x).any(axis=1)]


def prepare_pretraining_array(
    x: np.ndarray, max_length: int, *, return_rows: bool = False
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Sections, centring and empty-sample removal, in TS2Vec's order.

    With ``return_rows`` also returns (N',) int64: the input row each output row
    was cut from, so labels and hierarchy ids follow their rows.
    """
    x = np.asarray(x, dtype=np.float32)
    sections = x.shape[-1] // max_length  # split_long_series keeps x when < 2
    rows = np.repeat(np.arange(len(x)), sections if sections >= 2 else 1)
    x = split_long_series(x, max_length)  # (N, C, T) -> (N * S, C, W), row-major in N
    observed = observed_steps(x)
    if (~observed[:, 0]).any() or (~observed[:, -1]).any():
        x = centre_varying_length(x)
    keep = observed_steps(x).any(axis=1)
    if return_rows:
        return x[keep], rows[keep].astype(np.int64)
    return x[keep]
