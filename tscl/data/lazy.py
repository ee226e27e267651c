"""Windows read on demand, so recordings larger than memory window in flat memory.

A source is a recording on disk that answers ``read(start, stop) -> (C, n)``.
``NpySource`` reads a ``.npy`` file with positioned reads (``os.preadv`` into
a fresh buffer) instead of ``np.memmap``: pages of a memory map that has been
touched count toward the process's resident memory, positioned reads only fill
the kernel's page cache, which the kernel can drop. ``WfdbSource`` asks
``wfdb.rdrecord`` for the requested samples only. ``LazyWindows`` is a torch
``Dataset`` of windows over any number of sources.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import torch.utils.data

from tscl.data.normalize import ChannelScaler
from tscl.errors import DataError


class Source(Protocol):
    """A recording that can be read piece by piece."""

    num_channels: int
    length: int

    def read(self, start: int, stop: int) -> np.ndarray:
        """(C, stop - start) float32 samples ``start..stop-1``."""
        ...


class NpySource:
    """A 2-D float32/float64 ``.npy`` file, read with ``os.preadv``.

    Args:
        path: the file.
        layout: "CT" if the stored array is (C, T), "TC" if it is (T, C).
    """

    def __init__(
        self, path: str | os.PathLike[str], layout: Literal["CT", "TC"] = "CT"
    ) -> None:
        self._fd: int | None = None
        self.path = Path(path)
        if layout not in ("CT", "TC"):
            raise DataError(self.path, f"layout must be 'CT' or 'TC', got {layout!r}")
        shape, fortran_order, dtype, self._offset = _read_npy_header(self.path)
        if len(shape) != 2 or dtype.kind != "f" or dtype.itemsize not in (4, 8):
            raise DataError(
                self.path, f"expected a 2-D float32/float64 array, got {dtype} {shape}"
            )
        self._dtype = dtype
        self.num_channels, self.length = shape if layout == "CT" else shape[::-1]
        # in memory, time runs fastest (channel-major) for C-order (C, T) or F-order (T, C)
        self._channel_major = (layout == "CT") != fortran_order

    def _descriptor(self) -> int:
        if self._fd is None:  # opened lazily, so each DataLoader worker opens its own
            self._fd = os.open(self.path, os.O_RDONLY)
        return self._fd

    def _pread_into(self, out: np.ndarray, offset: int) -> None:
        """Fills the contiguous array ``out`` with the file's bytes from ``offset``."""
        view, done = memoryview(out).cast("B"), 0
        while done < view.nbytes:
            got = os.preadv(self._descriptor(), [view[done:]], offset + done)
            if got == 0:
                raise DataError(
                    self.path, f"file ends before byte {offset + view.nbytes}"
                )
            done += got

    def read(self, start: int, stop: int) -> np.ndarray:
        """(C, stop - start) float32 samples ``start..stop-1`` of every channel."""
        _check_range(self.path, start, stop, self.length)
        count, item = stop - start, self._dtype.itemsize
        if self._channel_major:  # one contiguous run per channel
            out = np.empty((self.num_channels, count), dtype=self._dtype)
            for channel in range(self.num_channels):
                offset = self._offset + (channel * self.length + start) * item
                self._pread_into(out[channel], offset)
            return out.astype(np.float32, copy=False)
        flat = np.empty(count * self.num_channels, dtype=self._dtype)
        self._pread_into(flat, self._offset + start * self.num_channels * item)
        # (n * C,) -> (n, C) -> (C, n)
        return np.ascontiguousarray(
            flat.reshape(count, self.num_channels).T, dtype=np.float32
        )

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __del__(self) -> None:
        self.close()

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_fd": None}  # descriptors do not cross processes


def _read_npy_header(path: Path) -> tuple[tuple[int, ...], bool, np.dtype[Any], int]:
    """(shape, fortran_order, dtype, data byte offset) of a .npy file."""
    try:
        with open(path, "rb") as file:
            version = np.lib.format.read_magic(file)
            if version == (1, 0):
                shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(file)
            else:
                shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(file)
            offset = file.tell()
    except (OSError, ValueError) as error:
        raise DataError(path, f"not a readable .npy file: {error}") from error
    if dtype.hasobject:
        raise DataError(path, "object arrays cannot be read lazily")
    return tuple(shape), bool(fortran_order), dtype, offset


def _check_range(
    source: str | os.PathLike[str], start: int, stop: int, length: int
) -> None:
    if not 0 <= start < stop <= length:
        raise DataError(source, f"read({start}, {stop}) outside 0..{length}")


class WfdbSource:
    """A WFDB record read with ``wfdb.rdrecord(sampfrom=, sampto=)`` per request.

    Args:
        record: record path without extension (e.g. ``.../mitdb/100``).
        channels: channel indices to read, or None for all.
    """

    def __init__(
        self, record: str | os.PathLike[str], channels: Sequence[int] | None = None
    ) -> None:
        import wfdb

        self.record = str(record)
        try:
            header = wfdb.rdheader(self.record)
        except (OSError, ValueError) as error:
            raise DataError(self.record, f"cannot read WFDB header: {error}") from error
        if header.sig_len is None:
            raise DataError(self.record, "header gives no signal length")
        self.channels = None if channels is None else list(channels)
        self.num_channels = (
            header.n_sig if channels is None else len(self.channels or [])
        )
        self.length = int(header.sig_len)

    def read(self, start: int, stop: int) -> np.ndarray:
        """(C, stop - start) float32 physical values; NaN where the record has none."""
        import wfdb

        _check_range(self.record, start, stop, self.length)
        record = wfdb.rdrecord(
            self.record, sampfrom=start, sampto=stop, channels=self.channels
        )
        return np.ascontiguousarray(
            record.p_signal.T, dtype=np.float32
        )  # (n, C) -> (C, n)


class LazyWindows(torch.utils.data.Dataset[np.ndarray]):
    """Windows of length L over disk sources, read only when asked for.

    Window i is ``sources[s].read(t, t + L)`` with ``(s, t) = locate([i])``. By
    default every source is cut with ``stride`` like ``fixed_windows``, and the
    index is computed on the fly (memory O(number of sources), not O(windows));
    pass ``index=(source_index, start)`` for any other choice (a split, events).

    Args:
        sources: recordings with the same number of channels.
        length: window length L.
        stride: hop between window starts (default L), used without ``index``.
        index: explicit ((N,) source index, (N,) start sample) arrays.
        scaler: fitted per-channel scaler applied to every window read.
    """

    def __init__(
        self,
        sources: Sequence[Source],
        length: int,
        stride: int | None = None,
        *,
        index: tuple[np.ndarray, np.ndarray] | None = None,
        scaler: ChannelScaler | None = None,
    ) -> None:
        channels = {source.num_channels for source in sources}
        if len(channels) != 1:
            raise DataError(
                "LazyWindows",
                f"needs sources with one channel count, got {sorted(channels)}",
            )
        if length < 1 or (stride is not None and stride < 1):
            raise DataError(
                "LazyWindows", f"length and stride must be >= 1, got {length}, {stride}"
            )
        self.sources, self.length, self.scaler = list(sources), length, scaler
        self.num_channels = channels.pop()
        self.stride = stride or length
        lengths = np.array([source.length for source in self.sources], dtype=np.int64)
        counts = np.maximum(0, (lengths - length) // self.stride + 1)
        # offsets[s] = index of source s's first window, (S + 1,)
        self._offsets = np.concatenate([[0], np.cumsum(counts)])
        self._explicit = (
            None if index is None else _checked_index(index, lengths, length)
        )

    def __len__(self) -> int:
        return int(
            self._offsets[-1] if self._explicit is None else len(self._explicit[0])
        )

    @property
    def shape(self) -> tuple[int, int, int]:
        """(N, C, L), as an in-memory window array would have (``SignalSet`` reads it)."""
        return (len(self), self.num_channels, self.length)

    def rows(self, index: np.ndarray) -> np.ndarray:
        """(n, C, L) float32 windows ``index`` (any order), read now; what batch sources draw."""
        index = np.asarray(index, dtype=np.int64)
        batch = np.empty((len(index), self.num_channels, self.length), dtype=np.float32)
        source_index, start = self.locate(index)
        for slot in range(len(index)):
            source = self.sources[source_index[slot]]
            batch[slot] = source.read(int(start[slot]), int(start[slot]) + self.length)
        return self._scaled(batch)

    def locate(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(source index, start sample) of the windows ``rows``, each (n,) int64."""
        rows = np.asarray(rows, dtype=np.int64)
        if len(rows) and (rows.min() < -len(self) or rows.max() >= len(self)):
            raise IndexError(f"window index outside 0..{len(self) - 1}")
        rows = rows % max(len(self), 1)  # negative indices count from the end
        if self._explicit is not None:
            return self._explicit[0][rows], self._explicit[1][rows]
        source_index = np.searchsorted(self._offsets, rows, side="right") - 1
        return source_index, (rows - self._offsets[source_index]) * self.stride

    @property
    def source_index(self) -> np.ndarray:
        """(N,) source of every window (materialised on request)."""
        return self.locate(np.arange(len(self)))[0]

    @property
    def start(self) -> np.ndarray:
        """(N,) start sample of every window (materialised on request)."""
        return self.locate(np.arange(len(self)))[1]

    def __getitem__(self, i: int) -> np.ndarray:
        """(C, L) float32 numpy window (the default collate makes it a tensor)."""
        (source_index,), (start,) = self.locate(np.array([i]))
        window = self.sources[source_index].read(int(start), int(start) + self.length)
        return self._scaled(window)

    def _scaled(self, x: np.ndarray) -> np.ndarray:
        return x if self.scaler is None else self.scaler.transform(x)

    def iter_batches(self, batch_size: int) -> Iterator[np.ndarray]:
        """Yields (B, C, L) float32 batches of consecutive windows, in index order.

        Within a batch, each run of windows from one source is read in a single
        ``read`` covering all of them when that span is no longer than reading
        them one by one (overlapping or adjacent windows); otherwise window by
        window. The last batch may be smaller.
        """
        if batch_size < 1:
            raise DataError("LazyWindows", f"batch_size must be >= 1, got {batch_size}")
        for first in range(0, len(self), batch_size):
            source_index, start = self.locate(
                np.arange(first, min(first + batch_size, len(self)))
            )
            batch = np.empty(
                (len(start), self.num_channels, self.length), dtype=np.float32
            )
            # split the batch into runs of windows from the same source
            breaks = np.flatnonzero(np.diff(source_index)) + 1
            for slots in np.split(np.arange(len(start)), breaks):
                self._fill_run(
                    batch,
                    slots=slots,
                    source=self.sources[source_index[slots[0]]],
                    starts=start[slots],
                )
            yield self._scaled(batch)

    def _fill_run(
        self,
        batch: np.ndarray,
        *,
        slots: np.ndarray,
        source: Source,
        starts: np.ndarray,
    ) -> None:
        low, high = int(starts.min()), int(starts.max()) + self.length
        if high - low > len(starts) * self.length:
            for slot, start in zip(slots, starts, strict=True):
                batch[slot] = source.read(int(start), int(start) + self.length)
            return
        block = source.read(low, high)  # (C, span)
        # (C, span) -> (C, span - L + 1, L) view -> gather run -> (n, C, L)
        view = np.lib.stride_tricks.sliding_window_view(block, self.length, axis=1)
        batch[slots] = view[:, starts - low].transpose(1, 0, 2)


def _checked_index(
    index: tuple[np.ndarray, np.ndarray], lengths: np.ndarray, length: int
) -> tuple[np.ndarray, np.ndarray]:
    """Validated (N,) int64 source index and start arrays."""
    source_index, start = (np.asarray(column, dtype=np.int64) for column in index)
    if source_index.shape != start.shape or source_index.ndim != 1:
        raise DataError(
            "LazyWindows", "index must be two (N,) arrays: source index and start"
        )
    if len(source_index) and (
        source_index.min() < 0 or source_index.max() >= len(lengths)
    ):
        raise DataError("LazyWindows", f"source index outside 0..{len(lengths) - 1}")
    bad = np.flatnonzero((start < 0) | (start + length > lengths[source_index]))
    if len(bad):
        raise DataError(
            "LazyWindows", f"windows {bad[:5].tolist()} run past their source's ends"
        )
    return source_index, start
