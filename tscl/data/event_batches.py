"""Event batches: right-padding collation and the batch sources that draw from an ``EventSet``.

``collate_events`` pads variable-length sequences (dicts field -> (L_i,) array)
into an ``EventBatch`` of (B, L) tensors. ``EventUniformSource`` draws shuffled
whole sequences; ``EventSliceSource`` draws sequences and, per sequence,
``num_slices`` random contiguous slices (CoLES, Babaev et al. 2022,
https://arxiv.org/abs/2002.08232), whose ``index`` is the sequence row so rows
with equal ``index`` are positives. Both follow the ``BatchSource`` protocol:
their ``state_dict`` holds the permutation, position and generator state, so a
resumed run draws the same batches; with ``world_size`` > 1 every rank draws
the same global batch and keeps its own part.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import torch
from torch import Tensor

from tscl.data.shuffled_order import ShuffledOrder
from tscl.data.training import EventSet
from tscl.errors import DataError
from tscl.types import EventBatch


def collate_events(
    sequences: Sequence[Mapping[str, np.ndarray]],
    *,
    y: np.ndarray | Tensor | None = None,
    ids: Mapping[str, np.ndarray | Tensor] | None = None,
    index: np.ndarray | Tensor | None = None,
) -> EventBatch:
    """Right-pad B sequences into an EventBatch.

    Args:
        sequences: B dicts field -> (L_i,) array, the same fields in each.
        y, index: optional (B,) labels / data-set rows; ``ids`` level -> (B,).

    Returns:
        EventBatch with ``fields[name]`` (B, max L_i) (integer fields int64,
        others float32, 0 where padded) and ``lengths`` (B,) int64.
    """
    if not sequences:
        raise DataError("collate_events", "no sequences to collate")
    names = list(sequences[0])
    lengths = np.array(
        [len(s[names[0]]) if names else 0 for s in sequences], dtype=np.int64
    )
    width = int(lengths.max(initial=0))
    fields = {}
    for name in names:
        dtype = (
            np.int64
            if np.issubdtype(sequences[0][name].dtype, np.integer)
            else np.float32
        )
        padded = np.zeros((len(sequences), width), dtype=dtype)
        for row, sequence in enumerate(sequences):
            if len(sequence[name]) != lengths[row]:
                raise DataError(
                    "collate_events", f"row {row}: field '{name}' has another length"
                )
            padded[row, : lengths[row]] = sequence[name]
        fields[name] = torch.from_numpy(padded)
    return EventBatch(
        fields=fields,
        lengths=torch.from_numpy(lengths),
        y=_tensor(y),
        ids={level: _tensor(codes) for level, codes in (ids or {}).items()},
        index=_tensor(index),
    )


def _tensor(values: np.ndarray | Tensor | None) -> Tensor | None:
    if values is None or isinstance(values, Tensor):
        return values
    return torch.as_tensor(np.asarray(values, dtype=np.int64))


def _rows_batch(
    data: EventSet, rows: np.ndarray, sequences: Sequence[Mapping[str, np.ndarray]]
) -> EventBatch:
    """Collate ``sequences`` (one per entry of ``rows``) with the rows' labels and ids."""
    return collate_events(
        sequences,
        y=None if data.y is None else data.y[rows],
        ids={level: codes[rows] for level, codes in data.ids.items()},
        index=rows,
    )


class EventUniformSource:
    """Shuffled, drop-last batches of whole sequences (BatchSource protocol)."""

    def __init__(
        self,
        data: EventSet,
        *,
        batch_size: int,
        generator: torch.Generator,
        rank: int = 0,
        world_size: int = 1,
    ) -> None:
        if len(data) < world_size:
            raise DataError(
                "event batches", f"{len(data)} sequences for {world_size} ranks"
            )
        self.data = data
        self.batch_size = max(1, min(batch_size, len(data) // world_size))
        self.generator = generator
        self.rank, self.world_size = rank, world_size
        self.order = ShuffledOrder(len(data), generator)

    def _next_rows(self, per_row: int = 1) -> tuple[np.ndarray, slice]:
        """The global batch's rows and this rank's part of it (``per_row`` rows each)."""
        rows = self.order.take(self.batch_size * self.world_size).numpy()
        start = self.rank * self.batch_size * per_row
        return rows, slice(start, start + self.batch_size * per_row)

    def next(self) -> EventBatch:
        rows, part = self._next_rows()
        rows = rows[part]
        return _rows_batch(self.data, rows, [self.data.sequences[int(i)] for i in rows])

    def state_dict(self) -> dict[str, Any]:
        return self.order.state_dict()

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.order.load_state_dict(state)


def draw_slices(
    lengths: np.ndarray,
    *,
    num_slices: int,
    min_len: int,
    max_len: int,
    generator: torch.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Random contiguous slices: (B,) sequence lengths -> starts, slice lengths, each (B, S).

    A slice's length is uniform in [min(min_len, L), min(max_len, L)] and its
    start uniform over the positions where it fits, drawn per sample.
    """
    lengths = torch.as_tensor(np.asarray(lengths, dtype=np.int64))[:, None]  # (B, 1)
    low = lengths.clamp(max=min_len)
    high = lengths.clamp(max=max_len)
    shape = (lengths.shape[0], num_slices)
    uniform = torch.rand((2, *shape), generator=generator, dtype=torch.float64)
    size = low + (uniform[0] * (high - low + 1)).long().clamp(max=high - low)  # (B, S)
    start = (uniform[1] * (lengths - size + 1)).long().clamp(max=lengths - size)
    return start.numpy(), size.numpy()


class EventSliceSource(EventUniformSource):
    """CoLES batches: ``batch_size`` sequences x ``num_slices`` random slices each.

    Rows are sequence-major (row ``b * num_slices + s``); ``index`` repeats the
    sequence's data-set row, so rows with equal ``index`` are positives.
    """

    def __init__(
        self,
        data: EventSet,
        *,
        batch_size: int,
        generator: torch.Generator,
        num_slices: int = 5,
        min_len: int = 3,
        max_len: int = 40,
        rank: int = 0,
        world_size: int = 1,
    ) -> None:
        if num_slices < 2 or not 1 <= min_len <= max_len:
            raise DataError(
                "EventSliceSource",
                f"need num_slices >= 2 and 1 <= min_len <= max_len, got {num_slices}, {min_len}, {max_len}",
            )
        super().__init__(
            data,
            batch_size=batch_size,
            generator=generator,
            rank=rank,
            world_size=world_size,
        )
        self.num_slices, self.min_len, self.max_len = num_slices, min_len, max_len
        self.lengths = data.lengths()  # (N,)

    def next(self) -> EventBatch:
        rows, part = self._next_rows(per_row=self.num_slices)
        starts, sizes = draw_slices(
            self.lengths[rows],
            num_slices=self.num_slices,
            min_len=self.min_len,
            max_len=self.max_len,
            generator=self.generator,
        )
        repeated = np.repeat(rows, self.num_slices)[part]  # (B * S,) sequence-major
        starts, sizes = starts.reshape(-1)[part], sizes.reshape(-1)[part]
        slices = [
            {
                name: values[start : start + size]
                for name, values in self.data.sequences[int(i)].items()
            }
            for i, start, size in zip(repeated, starts, sizes, strict=True)
        ]
        return _rows_batch(self.data, repeated, slices)


def iter_event_batches(data: EventSet, batch_size: int) -> Iterator[EventBatch]:
    """Whole sequences in data-set order, ``batch_size`` at a time (the last may be short)."""
    for start in range(0, len(data), batch_size):
        rows = np.arange(start, min(start + batch_size, len(data)))
        yield _rows_batch(data, rows, [data.sequences[int(i)] for i in rows])
