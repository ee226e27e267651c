"""Event sequences: process-mining logs (BPI 2012 loan outcome, BPI 2011 diagnosis) and users' logs.

Cases become variable-length sequences of coded tokens plus numeric fields
(amounts, counts, seconds since the previous event); vocabularies and scalers
are fitted on the training cases. The recipe is CoLES (random contiguous slices
of one sequence are positives) with a GRU over per-field embeddings.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from tscl.domains.domain import Domain

if TYPE_CHECKING:
    from collections.abc import Mapping

    import pandas as pd

    from tscl.config import RunConfig
    from tscl.data.training import EventSet, TrainingData


def load_events(config: RunConfig) -> TrainingData:
    """See ``tscl.domains.events.load.load_events``."""
    from tscl.domains.events.load import load_events as load

    return load(config)


def embed_events_input(
    preprocessing: Mapping[str, Any], config: RunConfig, path: Path
) -> tuple[EventSet, pd.DataFrame]:
    """See ``tscl.domains.events.load.embed_events_input``."""
    from tscl.domains.events.load import embed_events_input as embed

    return embed(preprocessing, config, path)


EVENTS = Domain(
    name="events",
    description="event logs (cases of coded events): CoLES slices, GRU encoder",
    default_dataset="bpi2012_loan_applications",
    formats=("parquet", "csv"),
    load=load_events,
    defaults={
        "method": "coles",
        "dataset": "bpi2012_loan_applications",
        "encoder": {"name": "event_rnn", "params": {"hidden_dims": 256}},
        "data": {
            "split": "group",
            "val_fraction": 0.15,
            "test_fraction": 0.15,
            "source": {
                "name": "slices",
                "params": {"num_slices": 5, "min_len": 3, "max_len": 40},
            },
        },
        "train": {"max_steps": 570, "batch_size": 64, "lr": 1e-3},
        "eval": {"protocol": "holdout"},
    },
    embed_input=embed_events_input,
    tasks=("outcome", "diagnosis"),
)
