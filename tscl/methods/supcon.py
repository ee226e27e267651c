"""SupCon: rows with the same label are positives, through the same InfoNCE core.

Khosla et al. 2020, https://arxiv.org/abs/2004.11362 (L_out). Pretraining
with labels: the batch's ``y`` (unlabelled rows, y < 0, keep only their own
other view).
"""

from __future__ import annotations

from tscl.methods.simclr import SimCLR
from tscl.pairs.base import PairStrategy
from tscl.pairs.supervised import SupervisedPositives


class SupCon(SimCLR):
    """SimCLR's views and parameters with supervised positives (``pairs=supervised``)."""

    default_pairs: type[PairStrategy] = SupervisedPositives
