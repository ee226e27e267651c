"""Read numeric ``.npz`` archives (no pickles) into Series.

One archive holds either a single series under ``values_key`` or many
recordings stored end to end, split by an ``offsets_key`` array (recording
``i`` is ``values[offsets[i]:offsets[i + 1]]``), as in the seglearn watch
data. Pickled object arrays are refused: loading them can run code.
"""

from __future__ import annotations

import zipfile
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from tscl.data.records import Series
from tscl.errors import DataError

_FLOAT32_MAX = float(np.finfo(np.float32).max)


def _load_arrays(path: Path) -> dict[str, np.ndarray]:
    """Every array of the archive, loaded without pickle."""
    if not path.is_file():
        raise DataError(path, "npz file not found")
    if not zipfile.is_zipfile(path):
        raise DataError(path, "not an .npz archive (no zip structure)")
    try:
        archive = np.load(path, allow_pickle=False)
    except Exception as error:  # numpy and zipfile raise many types
        raise DataError(path, f"unreadable npz archive: {error}") from error
    arrays: dict[str, np.ndarray] = {}
    with archive:
        for key in archive.files:
            try:
                arrays[key] = archive[key]
            except ValueError as error:
                if "pickle" not in str(error).lower():
                    raise DataError(
                        path, f"unreadable array '{key}': {error}"
                    ) from error
                raise DataError(
                    path, f"array '{key}' holds pickled objects; only plain arrays load"
                ) from error
            except Exception as error:  # corrupt members: BadZipFile, zlib.error...
                raise DataError(path, f"unreadable array '{key}': {error}") from error
    return arrays


def _get(path: Path, arrays: dict[str, np.ndarray], key: str) -> np.ndarray:
    """``arrays[key]``, or a DataError listing the keys."""
    if key not in arrays:
        raise DataError(path, f"no array '{key}'; the archive has {sorted(arrays)}")
    return arrays[key]


def _channels_first(
    path: Path, values: np.ndarray, layout: str, key: str
) -> np.ndarray:
    """Values as (C, T) float32, checked for type and range."""
    if values.dtype.kind not in "biuf":
        raise DataError(
            path, f"array '{key}' has dtype {values.dtype}, expected numbers"
        )
    if values.ndim == 1:
        values = values[None, :]  # (T,) -> (1, T)
    elif values.ndim != 2:
        raise DataError(
            path, f"array '{key}' has shape {values.shape}, expected 1-D or 2-D"
        )
    elif layout == "TC":
        values = values.T  # (T, C) -> (C, T)
    finite = values[~np.isnan(values)] if values.dtype.kind == "f" else values
    if finite.size and np.abs(finite).max() > _FLOAT32_MAX:
        raise DataError(
            path, f"array '{key}' has infinite or out-of-float32-range values"
        )
    return np.ascontiguousarray(values, dtype=np.float32)


def _bounds(path: Path, offsets: np.ndarray, total: int, key: str) -> np.ndarray:
    """Recording boundaries [0 = b_0 < b_1 < ... < b_N = total] from start offsets."""
    if offsets.ndim != 1 or offsets.dtype.kind not in "iu" or offsets.size == 0:
        raise DataError(path, f"'{key}' must be a 1-D integer array of start offsets")
    bounds = offsets.astype(np.int64)
    if bounds[-1] != total:
        bounds = np.append(bounds, total)
    if bounds[0] != 0 or (np.diff(bounds) <= 0).any() or bounds[-1] != total:
        raise DataError(
            path,
            f"'{key}' must start at 0 and strictly increase up to {total} samples",
        )
    return bounds


def _per_recording(
    path: Path, arrays: dict[str, np.ndarray], key: str | None, count: int
) -> np.ndarray | None:
    """A (count,) per-recording array, or None when ``key`` is None."""
    if key is None:
        return None
    array = _get(path, arrays, key)
    if array.ndim != 1 or len(array) != count:
        raise DataError(path, f"'{key}' has shape {array.shape}, expected ({count},)")
    return array


def _label(path: Path, value: Any, names: np.ndarray | None, key: str) -> Any:
    """A label as a Python value, mapped through ``names`` when given."""
    value = value.item() if isinstance(value, np.generic) else value
    if names is None:
        return value
    if not isinstance(value, int) or not 0 <= value < len(names):
        raise DataError(
            path, f"label {value!r} is not an index into '{key}' ({len(names)})"
        )
    return str(names[value])


def _subject(value: Any) -> str:
    """A subject id as text; integral floats lose their '.0'."""
    value = value.item() if isinstance(value, np.generic) else value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def read_npz(
    path: str | PathLike[str],
    *,
    values_key: str,
    offsets_key: str | None = None,
    layout: str = "TC",
    fs: float | None = None,
    channels: list[str] | None = None,
    label_key: str | None = None,
    label_names_key: str | None = None,
    subject_key: str | None = None,
) -> list[Series]:
    """Read the recordings of an ``.npz`` archive.

    Args:
        path: the ``.npz`` file (loaded with ``allow_pickle=False``).
        values_key: array of samples: (sum T, C) for ``layout="TC"``, (C, T)
            for ``"CT"``, or (T,) for one channel.
        offsets_key: start sample of each recording in ``values`` (the end
            boundary may be included); None reads one recording.
        label_key: one label per recording; ``label_names_key`` maps integer
            labels to names (``y_labels[y]``).
        subject_key: one subject id per recording (stored as text).

    Returns:
        One Series per recording, values (C, T_i) float32, ``recording`` =
        ``f"{stem}/{i}"``. Other 1-D arrays with one entry per recording go
        to ``meta`` (e.g. ``side``).
    """
    path = Path(path)
    if layout not in ("TC", "CT"):
        raise DataError(path, f"layout must be 'TC' or 'CT', got {layout!r}")
    arrays = _load_arrays(path)
    values = _channels_first(path, _get(path, arrays, values_key), layout, values_key)
    if channels is not None and len(channels) != values.shape[0]:
        raise DataError(
            path, f"{len(channels)} channel names for {values.shape[0]} channels"
        )
    bounds = np.array([0, values.shape[1]])
    if offsets_key is not None:
        bounds = _bounds(
            path, _get(path, arrays, offsets_key), values.shape[1], offsets_key
        )
    count = len(bounds) - 1
    labels = _per_recording(path, arrays, label_key, count)
    subjects = _per_recording(path, arrays, subject_key, count)
    names = None if label_names_key is None else _get(path, arrays, label_names_key)
    used = {values_key, offsets_key, label_key, label_names_key, subject_key}
    extras = {
        key: array for key, array in arrays.items()
        if key not in used and array.ndim == 1 and len(array) == count and count > 1
    }  # fmt: skip
    return [
        Series(
            values=values[:, bounds[i] : bounds[i + 1]],
            fs=fs,
            channels=tuple(channels or ()),
            label=None
            if labels is None
            else _label(path, labels[i], names, label_names_key),
            subject=None if subjects is None else _subject(subjects[i]),
            recording=f"{path.stem}/{i}",
            meta={key: array[i].item() for key, array in extras.items()},
        )
        for i in range(count)
    ]
