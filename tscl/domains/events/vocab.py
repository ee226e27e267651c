"""Per-field vocabularies and numeric scalers for event logs, fitted on the training split.

A ``Vocabulary`` codes one categorical field: code 0 is padding, code 1 is the
reserved unseen / unknown code, known tokens get 2, 3, ... in sorted order. A
``NumericScaler`` maps one numeric field through a signed ``log1p`` (for
amounts, counts and time gaps, which span orders of magnitude) and then
standardises with the training mean and standard deviation. Both serialise to
JSON-able dicts that are stored with the model.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tscl.errors import DataError

PAD_CODE, UNKNOWN_CODE = 0, 1


@dataclass
class Vocabulary:
    """Token -> int64 code; 0 = padding, 1 = unseen/unknown, known tokens 2...

    Attributes:
        tokens: the known tokens; ``tokens[i]`` has code ``i + 2``.
    """

    tokens: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._codes = {token: i + 2 for i, token in enumerate(self.tokens)}
        if len(self._codes) != len(self.tokens):
            raise DataError("Vocabulary", "a token is listed twice")

    @classmethod
    def fit(cls, sequences: Iterable[np.ndarray]) -> Vocabulary:
        """The sorted distinct tokens of the (training) sequences, each (L_i,) str."""
        seen: set[str] = set()
        for tokens in sequences:
            seen.update(str(t) for t in tokens)
        return cls(tokens=sorted(seen))

    @property
    def size(self) -> int:
        """Number of codes, padding and unknown included (an nn.Embedding size)."""
        return len(self.tokens) + 2

    def encode(self, tokens: Iterable[Any]) -> np.ndarray:
        """(L,) tokens -> (L,) int64 codes; unseen tokens -> ``UNKNOWN_CODE``."""
        return np.fromiter(
            (self._codes.get(str(t), UNKNOWN_CODE) for t in tokens), dtype=np.int64
        )

    def to_dict(self) -> dict[str, Any]:
        return {"tokens": list(self.tokens)}

    @classmethod
    def from_dict(cls, state: Mapping[str, Any]) -> Vocabulary:
        return cls(tokens=[str(t) for t in state["tokens"]])


def signed_log1p(values: np.ndarray) -> np.ndarray:
    """sign(x) * log(1 + |x|), elementwise (float64)."""
    values = np.asarray(values, dtype=np.float64)
    return np.sign(values) * np.log1p(np.abs(values))


@dataclass
class NumericScaler:
    """Signed log1p (optional) then standardisation with training statistics.

    Missing values (NaN) become 0 after scaling, i.e. the training mean.
    """

    mean: float = 0.0
    std: float = 1.0
    log: bool = True

    @classmethod
    def fit(cls, sequences: Iterable[np.ndarray], *, log: bool = True) -> NumericScaler:
        """Statistics over every event of the (training) sequences, each (L_i,)."""
        parts = [np.asarray(s, dtype=np.float64) for s in sequences]
        values = np.concatenate(parts) if parts else np.empty(0)
        values = signed_log1p(values) if log else values
        values = values[np.isfinite(values)]
        if values.size == 0:
            return cls(log=log)
        std = float(values.std())
        return cls(mean=float(values.mean()), std=std if std > 0 else 1.0, log=log)

    def transform(self, values: np.ndarray) -> np.ndarray:
        """(L,) raw values -> (L,) float32 scaled values, NaN -> 0."""
        values = np.asarray(values, dtype=np.float64)
        values = signed_log1p(values) if self.log else values
        scaled = (values - self.mean) / self.std
        return np.nan_to_num(scaled, nan=0.0).astype(np.float32)

    def to_dict(self) -> dict[str, Any]:
        return {"mean": self.mean, "std": self.std, "log": self.log}

    @classmethod
    def from_dict(cls, state: Mapping[str, Any]) -> NumericScaler:
        return cls(
            mean=float(state["mean"]), std=float(state["std"]), log=bool(state["log"])
        )


def time_deltas(timestamps: np.ndarray) -> np.ndarray:
    """Seconds since the previous event, 0 for the first. (L,) -> (L,) float64.

    ``timestamps`` are datetime64 (any unit) or plain numbers (taken as seconds).
    """
    timestamps = np.asarray(timestamps)
    if timestamps.size == 0:
        return np.empty(0, dtype=np.float64)
    if np.issubdtype(timestamps.dtype, np.datetime64):
        nanoseconds = timestamps.astype("datetime64[ns]").astype(np.int64)
        return np.diff(nanoseconds, prepend=nanoseconds[0]) / 1e9  # exact int diff
    seconds = timestamps.astype(np.float64)
    return np.diff(seconds, prepend=seconds[0])
