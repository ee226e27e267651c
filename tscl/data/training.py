"""What a domain hands to training and evaluation: split data sets whose rows keep their hierarchy ids.

A ``SignalSet`` is N windows ``x`` (N, C, T) (a NumPy array, or a lazy
memory-mapped window set that reads rows on demand) with labels ``y`` (N,) and
``ids[level]`` (N,) int64 codes; ``id_names[level][code]`` is the id as the
file stated it. An ``EventSet`` holds N variable-length sequences (a dict of
per-field (L_i,) arrays each) with the same ``y`` / ``ids``. Every transform
(``subset``, sectioning) returns rows that still carry the ids of the record
they came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tscl.errors import DataError


def encode_ids(names: Sequence[str] | np.ndarray) -> tuple[np.ndarray, list[str]]:
    """String ids (N,) -> int64 codes (N,) over the sorted distinct names, and those names."""
    values = np.asarray(names, dtype=str)
    vocabulary, codes = np.unique(values, return_inverse=True)
    return codes.astype(np.int64), [str(v) for v in vocabulary]


def _check_column(source: str, name: str, column: np.ndarray | None, n: int) -> None:
    if column is not None and column.shape != (n,):
        raise DataError(source, f"{name} has shape {column.shape}, expected ({n},)")


@dataclass
class SignalSet:
    """N signal windows with labels and hierarchy ids.

    Attributes:
        x: (N, C, T) float32 array (NaN = not observed), or any object with
            ``shape``, ``len()`` and ``__getitem__(int) -> (C, T)`` (lazy windows;
            a ``rows(index) -> (n, C, T)`` method, as ``LazyWindows`` has, reads a
            batch in one call).
        y: (N,) int64 class codes, or None.
        ids: level -> (N,) int64 codes.
        id_names: level -> names, ``id_names[level][code]``.
    """

    x: Any
    y: np.ndarray | None = None
    ids: dict[str, np.ndarray] = field(default_factory=dict)
    id_names: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.x)
        if self.y is not None:
            self.y = np.asarray(self.y)
        _check_column("SignalSet", "y", self.y, n)
        self.ids = {k: np.asarray(v, dtype=np.int64) for k, v in self.ids.items()}
        for level, codes in self.ids.items():
            _check_column("SignalSet", f"ids[{level!r}]", codes, n)

    def __len__(self) -> int:
        return len(self.x)

    @property
    def num_channels(self) -> int:
        return int(self.x.shape[1])

    @property
    def length(self) -> int:
        return int(self.x.shape[2])

    @property
    def kind(self) -> str:
        return "signal"

    def rows(self, index: np.ndarray) -> np.ndarray:
        """(n, C, T) float32 values of the rows ``index`` (lazy sets read them now)."""
        index = np.asarray(index, dtype=np.int64)
        if isinstance(self.x, np.ndarray):
            return self.x[index]
        if len(index) == 0:
            return np.empty((0, *self.x.shape[1:]), dtype=np.float32)
        if hasattr(self.x, "rows"):  # lazy windows read a batch in one call
            return np.asarray(self.x.rows(index), dtype=np.float32)
        return np.stack([np.asarray(self.x[int(i)]) for i in index])

    def subset(self, index: np.ndarray | Sequence[int]) -> SignalSet:
        """The rows at ``index`` (positions or a (N,) bool mask), in memory, ids kept."""
        index = np.asarray(index)
        if index.dtype == bool:
            index = np.flatnonzero(index)
        return SignalSet(
            x=self.rows(index),
            y=None if self.y is None else self.y[index],
            ids={level: codes[index] for level, codes in self.ids.items()},
            id_names=dict(self.id_names),
        )

    def id_of(self, level: str, row: int) -> str:
        """The id as the file stated it of row ``row`` at ``level``."""
        return self.id_names[level][int(self.ids[level][row])]


@dataclass
class EventSet:
    """N event sequences with labels and hierarchy ids.

    Attributes:
        sequences: N dicts field -> (L_i,) array (categorical codes int64,
            numerics / time float32), all fields of a sequence of one length.
        sequence_ids: N ids as the log states them (case ids).
        y: (N,) int64 class codes, or None.
        ids, id_names: as in ``SignalSet``.
    """

    sequences: list[dict[str, np.ndarray]]
    sequence_ids: list[str] = field(default_factory=list)
    y: np.ndarray | None = None
    ids: dict[str, np.ndarray] = field(default_factory=dict)
    id_names: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.sequences)
        if not self.sequence_ids:
            self.sequence_ids = [str(i) for i in range(n)]
        if len(self.sequence_ids) != n:
            raise DataError(
                "EventSet", f"{len(self.sequence_ids)} ids for {n} sequences"
            )
        if self.y is not None:
            self.y = np.asarray(self.y)
        _check_column("EventSet", "y", self.y, n)
        self.ids = {k: np.asarray(v, dtype=np.int64) for k, v in self.ids.items()}
        for level, codes in self.ids.items():
            _check_column("EventSet", f"ids[{level!r}]", codes, n)

    def __len__(self) -> int:
        return len(self.sequences)

    @property
    def kind(self) -> str:
        return "events"

    def lengths(self) -> np.ndarray:
        """(N,) number of events of each sequence."""
        return np.array(
            [len(next(iter(s.values()))) if s else 0 for s in self.sequences],
            dtype=np.int64,
        )

    def subset(self, index: np.ndarray | Sequence[int]) -> EventSet:
        index = np.asarray(index)
        if index.dtype == bool:
            index = np.flatnonzero(index)
        return EventSet(
            sequences=[self.sequences[int(i)] for i in index],
            sequence_ids=[self.sequence_ids[int(i)] for i in index],
            y=None if self.y is None else self.y[index],
            ids={level: codes[index] for level, codes in self.ids.items()},
            id_names=dict(self.id_names),
        )


DataSet = SignalSet | EventSet


@dataclass
class TrainingData:
    """A domain's data set ready for pretraining and evaluation: train / val / test splits.

    Attributes:
        train, val, test: the splits (``val`` may be None); test is scored once.
        class_names: label name of each class code.
        preprocessing: what a saved encoder must replay on new data (scaler,
            filters, vocabulary...), JSON-like; stored in the encoder bundle.
        source: the data set's name, files and their sha256, split membership.
        forecast: forecasting data sets keep the whole scaled series here.
    """

    train: DataSet
    test: DataSet
    val: DataSet | None = None
    class_names: list[str] = field(default_factory=list)
    preprocessing: dict[str, Any] = field(default_factory=dict)
    source: dict[str, Any] = field(default_factory=dict)
    forecast: Any = None

    @property
    def kind(self) -> str:
        return self.train.kind

    @property
    def in_channels(self) -> int:
        if isinstance(self.train, SignalSet):
            return self.train.num_channels
        return 0

    @property
    def scaler(self) -> dict[str, Any] | None:
        return self.preprocessing.get("scaler")

    # Array views of signal splits (N, C, T), for probes and array-based code.
    @property
    def train_x(self) -> Any:
        return _x(self.train)

    @property
    def train_y(self) -> np.ndarray | None:
        return self.train.y

    @property
    def val_x(self) -> Any:
        return None if self.val is None else _x(self.val)

    @property
    def val_y(self) -> np.ndarray | None:
        return None if self.val is None else self.val.y

    @property
    def test_x(self) -> Any:
        return _x(self.test)

    @property
    def test_y(self) -> np.ndarray | None:
        return self.test.y


def _x(part: DataSet) -> Any:
    if isinstance(part, SignalSet):
        return part.x
    raise DataError("TrainingData", "event sequences have no (N, C, T) array view")
