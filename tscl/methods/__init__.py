"""Named pretraining recipes: ``METHODS[name](encoder, **params) -> nn.Module`` whose forward(x, generator) returns the loss terms."""

from __future__ import annotations

from tscl.methods.ts2vec import TS2Vec

METHODS = {
    "ts2vec": TS2Vec,
}
