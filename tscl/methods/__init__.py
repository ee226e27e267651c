"""Named pretraining recipes: ``METHODS[name](encoder, **params) -> nn.Module`` whose forward(x, generator) returns the loss terms."""

from __future__ import annotations

from tscl.methods.coles import CoLES
from tscl.methods.ts2vec import TS2Vec

METHODS = {
    "coles": CoLES,
    "ts2vec": TS2Vec,
}
