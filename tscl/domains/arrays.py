"""``load_dataset``: a data set as arrays in the layout ``ContrastiveEncoder`` takes.

>>> from tscl.data import load_dataset
>>> X_train, y_train, X_test, y_test = load_dataset("ECG200")        # UCR archive
>>> beats = load_dataset("mitdb", domain="ecg")                        # recordings
>>> beats.X_train.shape, beats.ids_train["patient"][:3]                # (N, T, C), ids

The data set goes through its domain exactly as ``tscl pretrain`` reads it
(preprocessing, windowing, the patient-independent split, the scaler fitted on
the training split), then signal windows are turned to ``(N, T, C)`` float32,
the estimator's layout. Hierarchy ids come back as the names the files state.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tscl.data.training import DataSet, SignalSet


@dataclass
class ArrayData:
    """Splits of one data set; unpacks as ``X_train, y_train, X_test, y_test``.

    Attributes:
        X_train, X_val, X_test: (N, T, C) float32 windows (NaN = not observed),
            or for event logs a list of per-field dicts per sequence; ``X_val``
            is None when the data set has no validation split.
        y_train, y_val, y_test: (N,) int64 class codes (``class_names[code]``), or None.
        ids_train, ids_val, ids_test: level -> (N,) ids as the files state them
            (patient, record, subject...).
        class_names: the name of each class code.
        domain, dataset: where the arrays came from.
    """

    X_train: Any
    y_train: np.ndarray | None
    X_test: Any
    y_test: np.ndarray | None
    X_val: Any = None
    y_val: np.ndarray | None = None
    ids_train: dict[str, np.ndarray] = field(default_factory=dict)
    ids_val: dict[str, np.ndarray] = field(default_factory=dict)
    ids_test: dict[str, np.ndarray] = field(default_factory=dict)
    class_names: list[str] = field(default_factory=list)
    domain: str = ""
    dataset: str = ""

    def __iter__(self) -> Iterator[Any]:
        yield from (self.X_train, self.y_train, self.X_test, self.y_test)


def _values(part: DataSet) -> Any:
    if isinstance(part, SignalSet):
        x = part.rows(np.arange(len(part)))  # lazy windows are read here
        return np.ascontiguousarray(x.transpose(0, 2, 1), dtype=np.float32)
    return list(part.sequences)


def _named_ids(part: DataSet) -> dict[str, np.ndarray]:
    return {
        level: np.asarray(part.id_names[level], dtype=object)[codes]
        if level in part.id_names
        else codes
        for level, codes in part.ids.items()
    }


def load_dataset(name: str, *, domain: str | None = None, **options: Any) -> ArrayData:
    """Load a catalogued data set (or a path) through its domain, as estimator-layout arrays.

    Args:
        name: a catalog name (``tscl data list``) or a path to your own file or folder.
        domain: the domain to read it with (default: inferred from the data set).
        **options: the domain loader's options (``data.options`` of a run), e.g.
            ``task="fist"`` for EEG or ``records=["101", "106"]`` for ECG.
    """
    from tscl.domains import load_run_config
    from tscl.train.run import load_data

    overrides = [f"dataset={name}"] + ([f"domain={domain}"] if domain else [])
    config = load_run_config(None, overrides)
    if options:
        merged: Mapping[str, Any] = {**config.data.options, **options}
        config = dataclasses.replace(
            config, data=dataclasses.replace(config.data, options=dict(merged))
        )
    data = load_data(config)
    val = data.val
    return ArrayData(
        X_train=_values(data.train),
        y_train=data.train.y,
        X_test=_values(data.test),
        y_test=data.test.y,
        X_val=None if val is None else _values(val),
        y_val=None if val is None else val.y,
        ids_train=_named_ids(data.train),
        ids_val={} if val is None else _named_ids(val),
        ids_test=_named_ids(data.test),
        class_names=list(data.class_names),
        domain=config.domain,
        dataset=config.dataset,
    )
