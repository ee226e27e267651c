"""Encoders: nn.Modules mapping signals (B, C, T) to representations (B, out_dim, T').

Every entry takes ``in_channels`` as its first argument and has an ``out_dim``
attribute; its other constructor arguments are keywords.
"""

from __future__ import annotations

from tscl.encoders.dilated_conv import DilatedConvEncoder
from tscl.encoders.event_rnn import EventSequenceEncoder
from tscl.encoders.heads import ProjectionHead
from tscl.encoders.pooling import MaxPoolTime, max_pool_time
from tscl.encoders.relative import ReferenceRelativeEncoder
from tscl.encoders.resnet1d import ResNet1D
from tscl.encoders.transformer import PatchTransformer

ENCODERS = {
    "dilated_conv": DilatedConvEncoder,
    "event_rnn": EventSequenceEncoder,
    "relative": ReferenceRelativeEncoder,
    "resnet1d": ResNet1D,
    "transformer": PatchTransformer,
}
# Entries that take an EventBatch (built from a field spec) instead of (B, C, T) signals.
EVENT_ENCODERS = ("event_rnn",)

__all__ = [
    "ENCODERS",
    "EVENT_ENCODERS",
    "DilatedConvEncoder",
    "EventSequenceEncoder",
    "MaxPoolTime",
    "PatchTransformer",
    "ProjectionHead",
    "ReferenceRelativeEncoder",
    "ResNet1D",
    "max_pool_time",
]
