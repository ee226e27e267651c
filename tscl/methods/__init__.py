"""Named pretraining recipes: ``METHODS[name](encoder, **params) -> nn.Module`` whose forward(batch, generator) returns the loss terms.

A recipe is an encoder + a pair strategy + augmentations + losses with their
defaults; ``pairs=``, ``augment=[...]`` and ``encoder=`` swap the parts.
``RECIPE_DEFAULTS`` holds the config values a recipe needs from the rest of
the run (the batch source that guarantees its positives); they apply under
the user's YAML and overrides, above the domain's defaults, except for the
domain's own recipe, whose domain values win (the recipe's fill what the
domain leaves unset).
"""

from __future__ import annotations

from typing import Any

from tscl.methods.autotcl import AutoTCL
from tscl.methods.coles import CoLES
from tscl.methods.coles_mem import CoLESMaskedEvents
from tscl.methods.comet import COMET
from tscl.methods.masked_events import MaskedEventModel
from tscl.methods.nnclr import NNCLR
from tscl.methods.rebar import REBAR
from tscl.methods.simclr import SimCLR
from tscl.methods.supcon import SupCon
from tscl.methods.ts2vec import TS2Vec

METHODS = {
    "autotcl": AutoTCL,
    "coles": CoLES,
    "coles_mem": CoLESMaskedEvents,
    "comet": COMET,
    "mem": MaskedEventModel,
    "nnclr": NNCLR,
    "rebar": REBAR,
    "simclr": SimCLR,
    "supcon": SupCon,
    "ts2vec": TS2Vec,
}

RECIPE_DEFAULTS: dict[str, dict[str, Any]] = {
    # k = 2 windows of m = 2 recordings of each subject: trial and patient positives in every batch.
    "comet": {
        "data": {
            "source": {
                "name": "grouped",
                "params": {"recordings_per_subject": 2, "windows_per_recording": 2},
            }
        }
    },
    "coles": {"data": {"source": {"name": "slices"}}},
    "coles_mem": {"data": {"source": {"name": "slices"}}},
    "mem": {"data": {"source": {"name": "uniform"}}},
}
# Recipes that read event fields (masked event modelling): event data only.
EVENT_METHODS = frozenset({"coles_mem", "mem"})
