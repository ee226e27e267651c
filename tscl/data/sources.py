"""Batch sources over signal windows: what the training loop draws from.

Each source implements ``tscl.types.BatchSource``: ``next()`` returns a
``SignalBatch`` carrying labels and hierarchy ids, and ``state_dict`` /
``load_state_dict`` make a resumed run draw exactly the batches an
uninterrupted run would. Both sources are rank-aware: with ``world_size`` > 1
every rank draws the same global batch from the shared generator and keeps its
own slice. Rows are read through ``SignalSet.rows``, so lazy (memory-mapped)
window sets train at flat memory.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import Tensor

from tscl.data.shuffled_order import ShuffledOrder
from tscl.data.training import SignalSet
from tscl.errors import ConfigError, DataError
from tscl.types import SignalBatch


def collate_signals(data: SignalSet, rows: Tensor) -> SignalBatch:
    """The rows ``rows`` (B,) of ``data`` as one batch (values, labels, ids, row index)."""
    index = rows.numpy()
    x = torch.from_numpy(np.ascontiguousarray(data.rows(index), dtype=np.float32))
    y = None if data.y is None else torch.from_numpy(np.asarray(data.y[index]))
    ids = {level: torch.from_numpy(codes[index]) for level, codes in data.ids.items()}
    return SignalBatch(x=x, y=y, ids=ids, index=rows.clone())


def iter_signal_batches(data: SignalSet, batch_size: int) -> Any:
    """Batches of ``data`` in order (for validation and embedding), the last one short."""
    for start in range(0, len(data), batch_size):
        rows = torch.arange(start, min(start + batch_size, len(data)))
        yield collate_signals(data, rows)


class UniformSource:
    """Shuffled, drop-last batches over every row, reshuffled each epoch.

    Args:
        data: the training rows.
        batch_size: rows per batch on this rank (capped at N // world_size).
        generator: the shared order generator (checkpointed by the source).
    """

    def __init__(
        self,
        data: SignalSet,
        *,
        batch_size: int,
        generator: torch.Generator,
        rank: int = 0,
        world_size: int = 1,
    ) -> None:
        if len(data) < world_size:
            raise DataError("training data", f"{len(data)} rows for {world_size} ranks")
        self.data = data
        self.batch_size = max(1, min(batch_size, len(data) // world_size))
        self.rank, self.world_size = rank, world_size
        self.order = ShuffledOrder(len(data), generator)

    def next_rows(self) -> Tensor:
        """(B,) rows of the next batch: this rank's slice of the global batch."""
        rows = self.order.take(self.batch_size * self.world_size)
        start = self.rank * self.batch_size
        return rows[start : start + self.batch_size]

    def next(self) -> SignalBatch:
        return collate_signals(self.data, self.next_rows())

    def state_dict(self) -> dict[str, Any]:
        return self.order.state_dict()

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.order.load_state_dict(state)


def _group_members(codes: np.ndarray) -> list[np.ndarray]:
    """Rows of each distinct code, in code order."""
    order = np.argsort(codes, kind="stable")
    _, starts = np.unique(codes[order], return_index=True)
    return np.split(order, starts[1:])


class GroupedSource:
    """Batches that guarantee ``k`` windows from each of ``m`` recordings of each of ``p`` subjects.

    Every batch draws ``subjects_per_batch`` subjects (without replacement while
    enough remain), for each ``recordings_per_subject`` of its recordings, and
    from each recording ``windows_per_recording`` windows (without replacement
    when it has that many, else with). So a recording-level and a subject-level
    positive always exists when k >= 2 (or m >= 2). The batch size is p * m * k
    rows on each rank; subjects with fewer recordings than m give all they have.
    ``p`` derived from ``batch_size`` (``subjects_per_batch=0``) is capped by the
    training split's subjects (a folder of few patients trains with smaller
    batches); an explicit ``subjects_per_batch`` the split cannot fill is an error.

    Args:
        data: training rows with ``ids["subject"]`` and ``ids["recording"]``
            (a missing level falls back to the other: each row its own group).
        generator: the shared generator (checkpointed by the source).
    """

    def __init__(
        self,
        data: SignalSet,
        *,
        batch_size: int,
        generator: torch.Generator,
        rank: int = 0,
        world_size: int = 1,
        subjects_per_batch: int = 0,
        recordings_per_subject: int = 1,
        windows_per_recording: int = 2,
    ) -> None:
        if windows_per_recording < 1 or recordings_per_subject < 1:
            raise ConfigError(
                "data.source: windows_per_recording and recordings_per_subject must be >= 1"
            )
        self.data, self.generator = data, generator
        self.rank, self.world_size = rank, world_size
        rows = np.arange(len(data))
        subject = data.ids.get("subject", data.ids.get("recording", rows))
        recording = data.ids.get("recording", rows)
        self.subjects = _group_members(subject)  # rows of each subject
        # recordings of each subject: list of row arrays
        self.recordings = [_group_members(recording[r]) for r in self.subjects]
        self.recordings = [
            [self.subjects[s][part] for part in parts]
            for s, parts in enumerate(self.recordings)
        ]
        per_subject = recordings_per_subject * windows_per_recording
        self.p = subjects_per_batch or max(1, batch_size // per_subject)
        if not subjects_per_batch:  # derived from the batch size: as many as there are
            self.p = max(1, min(self.p, len(self.subjects) // world_size))
        if self.p * world_size > len(self.subjects):
            raise ConfigError(
                f"data.source: {self.p} subjects per batch on {world_size} rank(s), "
                f"but the training split has {len(self.subjects)} subjects"
            )
        self.m, self.k = recordings_per_subject, windows_per_recording
        self.batch_size = self.p * self.m * self.k
        self.order = ShuffledOrder(len(self.subjects), generator)

    def _pick(self, count: int, available: int) -> Tensor:
        """``count`` distinct positions in range(available) (with replacement if too few)."""
        if available >= count:
            return torch.randperm(available, generator=self.generator)[:count]
        return torch.randint(0, available, (count,), generator=self.generator)

    def next_rows(self) -> Tensor:
        chosen = self.order.take(self.p * self.world_size)
        # Every rank draws every subject's windows, so the generator stays in step.
        picked: list[np.ndarray] = []
        for subject in chosen.tolist():
            recordings = self.recordings[subject]
            for r in self._pick(min(self.m, len(recordings)), len(recordings)).tolist():
                rows = recordings[r]
                picked.append(rows[self._pick(self.k, len(rows)).numpy()])
        per_rank = len(picked) // self.world_size
        mine = picked[self.rank * per_rank : (self.rank + 1) * per_rank]
        return torch.from_numpy(np.concatenate(mine).astype(np.int64))

    def next(self) -> SignalBatch:
        return collate_signals(self.data, self.next_rows())

    def state_dict(self) -> dict[str, Any]:
        return self.order.state_dict()

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.order.load_state_dict(state)
