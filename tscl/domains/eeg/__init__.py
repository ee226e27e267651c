"""EEG: MNE preprocessing (FIR band-pass, average reference, µV), epochs, subject splits.

Heavy imports (MNE, pandas) happen inside the loader functions.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from tscl.domains.domain import Domain

if TYPE_CHECKING:
    import pandas as pd

    from tscl.config import RunConfig
    from tscl.data.training import DataSet, TrainingData


def load_eeg(config: RunConfig) -> TrainingData:
    """See ``tscl.domains.eeg.load.load_eeg``."""
    from tscl.domains.eeg.load import load_eeg as load

    return load(config)


def embed_eeg_input(
    preprocessing: Any, config: RunConfig, path: Path
) -> tuple[DataSet, pd.DataFrame]:
    """See ``tscl.domains.eeg.embed.embed_eeg_input``."""
    from tscl.domains.eeg.embed import embed_eeg_input as embed

    return embed(preprocessing, config, path)


DEFAULTS: dict[str, Any] = {
    "method": "ts2vec",
    "dataset": "eegmmidb",
    "encoder": {
        "name": "dilated_conv",
        "params": {"hidden_dims": 64, "output_dims": 320, "depth": 10},
    },
    "augment": [],
    "data": {
        "split": "group",
        "val_fraction": 0.2,
        "test_fraction": 0.2,
        "normalize": "auto",
        "options": {"task": "eyes"},
    },
    "train": {"max_steps": 600, "batch_size": 16},
    "eval": {"protocol": "holdout"},
}

EEG = Domain(
    name="eeg",
    description=(
        "EEG (EDF/EDF+, tables, UEA .ts): MNE band-pass 1-40 Hz, average reference, "
        "µV epochs, subject-independent splits"
    ),
    default_dataset="eegmmidb",
    formats=("edf", "csv", "ts"),
    load=load_eeg,
    defaults=DEFAULTS,
    embed_input=embed_eeg_input,
    tasks=("eyes", "fist", "eye_state"),
)

__all__ = ["DEFAULTS", "EEG", "embed_eeg_input", "load_eeg"]
