"""ECG: cleaned beat windows with rhythm context, AAMI classes, patient-wise splits.

``ECG`` loads a WFDB data set (the ``mitdb`` card, or a record / folder of
records on disk), cleans each record (leads, powerline notch, optional
baseline removal, 0.5-40 Hz band-pass), cuts a window around every beat
(annotated, or detected by wfdb's XQRS when there is no ``.atr``), appends the
beat's normalised RR intervals as constant channels, and splits by patient.
Heavy imports (scipy, wfdb) wait until a function runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from tscl.domains.domain import Domain

if TYPE_CHECKING:
    from collections.abc import Mapping

    import pandas as pd

    from tscl.config import RunConfig
    from tscl.data.training import SignalSet, TrainingData


def load_ecg(config: RunConfig) -> TrainingData:
    """Beat windows of ``config.dataset`` split by patient (see ``loader.load_ecg``)."""
    from tscl.domains.ecg.loader import load_ecg as load

    return load(config)


def embed_ecg_input(
    preprocessing: Mapping[str, Any], config: RunConfig, path: Path
) -> tuple[SignalSet, pd.DataFrame]:
    """A new record's beats prepared as in training (see ``embed.embed_ecg_input``)."""
    from tscl.domains.ecg.embed import embed_ecg_input as embed

    return embed(preprocessing, config, path)


ECG = Domain(
    name="ecg",
    description="ECG beats (WFDB): cleaned beat windows with RR rhythm channels, "
    "AAMI classes, patient-independent splits",
    default_dataset="mitdb",
    formats=("wfdb",),
    load=load_ecg,
    defaults={
        "method": "ts2vec",
        "dataset": "mitdb",
        "encoder": {
            "name": "dilated_conv",
            "params": {"hidden_dims": 64, "output_dims": 320, "depth": 10},
        },
        "augment": [],
        "data": {
            "split": "group",
            "val_fraction": 0.2,
            "test_fraction": 0.2,
            "options": {"leads": ["MLII"], "notch_hz": 60.0, "rhythm": "channels"},
        },
        "train": {"max_steps": 600, "batch_size": 8},
        "eval": {"protocol": "holdout"},
    },
    embed_input=embed_ecg_input,
    tasks=("beats",),
)

__all__ = ["ECG", "embed_ecg_input", "load_ecg"]
