"""Hand-crafted per-case features of coded event logs: the baseline, and extra columns for embeddings.

Per case: the count of every known code of every categorical field (padding
and the unseen code left out, unseen counted in its own column), the number
of events, and for each numeric field its mean, minimum and maximum; for the
time field (``delta``, seconds since the previous event) the duration (sum of
gaps), mean and maximum gap in seconds, through ``log1p``. Numeric values are
taken back to their raw scale with the scalers stored in ``preprocessing`` so
that the features mean the same on every log coded with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from tscl.data.training import EventSet
from tscl.domains.events.tasks import DELTA
from tscl.domains.events.vocab import UNKNOWN_CODE, NumericScaler, Vocabulary


def raw_values(scaled: np.ndarray, scaler: NumericScaler) -> np.ndarray:
    """Inverse of ``NumericScaler.transform``: (L,) scaled -> (L,) raw float64."""
    values = np.asarray(scaled, dtype=np.float64) * scaler.std + scaler.mean
    return np.sign(values) * np.expm1(np.abs(values)) if scaler.log else values


def feature_names(preprocessing: Mapping[str, Any]) -> list[str]:
    """The column names of ``handcrafted_features``, in order."""
    names = []
    for field, state in preprocessing["vocab"].items():
        tokens = Vocabulary.from_dict(state).tokens
        names += [f"count:{field}:<unseen>"] + [f"count:{field}:{t}" for t in tokens]
    names.append("n_events")
    for field in preprocessing["numeric"]:
        if field == DELTA:
            names += ["log_duration", "log_mean_gap", "log_max_gap"]
        else:
            names += [f"{field}:mean", f"{field}:min", f"{field}:max"]
    return names


def handcrafted_features(
    data: EventSet, preprocessing: Mapping[str, Any]
) -> np.ndarray:
    """(N, F) float64 features of the N cases of ``data`` (columns: ``feature_names``)."""
    vocab = {n: Vocabulary.from_dict(v) for n, v in preprocessing["vocab"].items()}
    scalers = {
        n: NumericScaler.from_dict(v) for n, v in preprocessing["numeric"].items()
    }
    rows = []
    for sequence in data.sequences:
        parts = []
        for name, v in vocab.items():
            counts = np.bincount(sequence[name], minlength=v.size)[UNKNOWN_CODE:]
            parts.append(counts.astype(np.float64))  # unseen, then each known code
        length = len(next(iter(sequence.values()))) if sequence else 0
        parts.append(np.array([length], dtype=np.float64))
        for name, scaler in scalers.items():
            values = raw_values(sequence[name], scaler)
            if len(values) == 0:
                parts.append(np.zeros(3))
            elif name == DELTA:
                gaps = np.clip(values, 0, None)
                parts.append(np.log1p([gaps.sum(), gaps.mean(), gaps.max()]))
            else:
                parts.append(np.array([values.mean(), values.min(), values.max()]))
        rows.append(np.concatenate(parts))
    return np.vstack(rows) if rows else np.empty((0, len(feature_names(preprocessing))))
