"""Pair strategies: which rows are positives, on the model side of the step.

``PAIRS[name](**params)`` builds a ``PairStrategy`` (``tscl.pairs.base``);
``pairs=<name>`` picks one for any method that accepts ``pairs``. The data
side of a strategy lives in the batch sources (``data.source=grouped`` for
hierarchical positives, ``slices`` for subsequences); the loss only ever sees
embeddings and positive masks.
"""

from __future__ import annotations

from tscl.pairs.base import PairStrategy
from tscl.pairs.hierarchical import HierarchicalPositives
from tscl.pairs.nearest import NearestNeighbourMiner, NearestNeighbourPositives
from tscl.pairs.retrieval import RetrievalPositives
from tscl.pairs.subsequences import SlicePositives
from tscl.pairs.supervised import SupervisedPositives
from tscl.pairs.temporal import TemporalPositives
from tscl.pairs.two_views import ViewPositives

PAIRS = {
    "views": ViewPositives,
    "temporal": TemporalPositives,
    "hierarchical": HierarchicalPositives,
    "supervised": SupervisedPositives,
    "nearest": NearestNeighbourPositives,
    "slices": SlicePositives,
    "retrieval": RetrievalPositives,
}
# The batch source each strategy needs so that every batch holds its positives.
PAIR_SOURCES = {"hierarchical": "grouped", "slices": "slices"}

__all__ = [
    "PAIRS",
    "PAIR_SOURCES",
    "HierarchicalPositives",
    "NearestNeighbourMiner",
    "NearestNeighbourPositives",
    "PairStrategy",
    "RetrievalPositives",
    "SlicePositives",
    "SupervisedPositives",
    "TemporalPositives",
    "ViewPositives",
]
