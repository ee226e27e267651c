"""From a ``CaseLog`` to coded ``EventSet`` splits: split membership, vocabularies, scalers.

Vocabularies and numeric scalers are fitted on the training cases only and
recorded in ``preprocessing`` so that ``tscl embed`` replays them on new logs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tscl.data.training import EventSet, encode_ids
from tscl.domains.events.tasks import CaseLog
from tscl.domains.events.vocab import NumericScaler, Vocabulary
from tscl.errors import DataError

SPLIT_PARTS = {"train": "train", "val": "valid", "test": "test"}


def id_key(case_id: str) -> str:
    """Case ids compared across files: all-digit ids by value (a CSV drops leading zeros)."""
    text = str(case_id).strip()
    return str(int(text)) if text.isdigit() else text


def read_split_file(path: Path) -> dict[str, list[str]]:
    """part ("train", "val", "test") -> case ids, from a split JSON with ``ids``."""
    try:
        ids = json.loads(Path(path).read_text())["ids"]
        return {part: [str(i) for i in ids[key]] for part, key in SPLIT_PARTS.items()}
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise DataError(
            path, f"expected a split JSON with ids.train/valid/test ({error})"
        ) from None


def split_rows(
    log: CaseLog, split: Mapping[str, Sequence[str]], where: Path
) -> dict[str, np.ndarray]:
    """part -> (n,) int64 rows of ``log``, in the split file's order; every id must exist."""
    rows = {id_key(case_id): i for i, case_id in enumerate(log.case_ids)}
    parts = {}
    for part, ids in split.items():
        missing = [i for i in ids if id_key(i) not in rows]
        if missing:
            raise DataError(
                where,
                f"split {part} names case '{missing[0]}' absent from the log ({len(missing)} in all)",
            )
        parts[part] = np.array([rows[id_key(i)] for i in ids], dtype=np.int64)
    return parts


def fit_preprocessing(log: CaseLog, train_rows: np.ndarray) -> dict[str, Any]:
    """Vocabularies, scalers and the encoder's field spec, fitted on ``train_rows``."""
    vocab = {
        name: Vocabulary.fit(values[i] for i in train_rows).to_dict()
        for name, values in log.categorical.items()
    }
    numeric = {
        name: NumericScaler.fit(values[i] for i in train_rows).to_dict()
        for name, values in log.numeric.items()
    }
    return {"vocab": vocab, "numeric": numeric, "fields": field_spec(vocab, numeric)}


def field_spec(vocab: Mapping[str, Any], numeric: Mapping[str, Any]) -> dict[str, Any]:
    """The encoder's ``fields`` argument: categorical name -> vocabulary size, numeric names."""
    return {
        "categorical": {
            name: Vocabulary.from_dict(v).size for name, v in vocab.items()
        },
        "numeric": list(numeric),
    }


def encode_log(
    log: CaseLog,
    rows: np.ndarray,
    preprocessing: Mapping[str, Any],
    class_names: Sequence[str] | None,
) -> EventSet:
    """The cases ``rows`` of ``log`` coded with ``preprocessing`` -> EventSet.

    ``y`` holds codes into ``class_names`` (None when ``class_names`` is None);
    an unlabelled or unknown-class case raises. Ids: ``subject`` codes.
    """
    vocab = {n: Vocabulary.from_dict(v) for n, v in preprocessing["vocab"].items()}
    scalers = {
        n: NumericScaler.from_dict(v) for n, v in preprocessing["numeric"].items()
    }
    sequences = []
    for i in rows:
        sequence = {
            name: v.encode(log.categorical[name][i]) for name, v in vocab.items()
        }
        sequence.update(
            {name: s.transform(log.numeric[name][i]) for name, s in scalers.items()}
        )
        sequences.append(sequence)
    subject_codes, subject_names = encode_ids([log.subjects[i] for i in rows])
    return EventSet(
        sequences=sequences,
        sequence_ids=[log.case_ids[i] for i in rows],
        y=None if class_names is None else _label_codes(log, rows, class_names),
        ids={"subject": subject_codes},
        id_names={"subject": subject_names},
    )


def _label_codes(
    log: CaseLog, rows: np.ndarray, class_names: Sequence[str]
) -> np.ndarray:
    index = {name: code for code, name in enumerate(class_names)}
    codes = np.empty(len(rows), dtype=np.int64)
    for k, i in enumerate(rows):
        label = log.labels[i]
        if label not in index:
            raise DataError(
                log.case_ids[i], f"label {label!r} is not one of {list(class_names)}"
            )
        codes[k] = index[label]
    return codes
