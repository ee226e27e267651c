"""Event sequences: process-mining logs (BPI 2012 loan outcome, BPI 2011 diagnosis) and users' logs.

Cases become variable-length sequences of coded tokens plus numeric fields
(amounts, counts, seconds since the previous event); vocabularies and scalers
are fitted on the training cases. The recipe is CoLES (random contiguous slices
of one sequence are positives) with a GRU over per-field embeddings; ``mem``
(masked event modelling) and ``coles_mem`` (their sum, or with
``method_params.align=true`` the hybrid) are the generative alternatives.
``features.handcrafted_features`` gives the count/time baseline features, to
probe alone or beside the embedding (``eval.protocol=holdout`` or
``holdout_lightgbm``).
"""

from __future__ import annotations

from tscl.domains.domain import Domain, lazy

load_events = lazy("tscl.domains.events.load:load_events")
embed_events_input = lazy("tscl.domains.events.load:embed_events_input")

EVENTS = Domain(
    name="events",
    description="event logs (cases of coded events): CoLES slices, GRU encoder",
    default_dataset="bpi2012_loan_applications",
    formats=("parquet", "csv"),
    load=load_events,
    defaults={
        "method": "coles",
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
