"""Batched signal augmentations: ``nn.Module`` maps (B, C, T) -> (B, C, T) on
``x.device``, composed with ``nn.Sequential``. Random parameters are drawn per
sample at every call, from the global torch RNG or a private ``seed``."""

from __future__ import annotations

from tscl.augment.channel_dropout import ChannelDropout
from tscl.augment.crop_resize import CropResize
from tscl.augment.frequency_mask import FrequencyMask
from tscl.augment.jitter import Jitter
from tscl.augment.learned import LearnedAugmentation
from tscl.augment.magnitude_warp import MagnitudeWarp
from tscl.augment.permutation import Permutation
from tscl.augment.scaling import Scaling
from tscl.augment.time_warp import TimeWarp
from tscl.augment.timestamp_mask import TimestampMask
from tscl.augment.tsaug_adapter import TsaugAugment

AUGMENTATIONS = {
    "jitter": Jitter,
    "scaling": Scaling,
    "magnitude_warp": MagnitudeWarp,
    "time_warp": TimeWarp,
    "permutation": Permutation,
    "crop_resize": CropResize,
    "timestamp_mask": TimestampMask,
    "frequency_mask": FrequencyMask,
    "channel_dropout": ChannelDropout,
    "tsaug": TsaugAugment,
    "learned": LearnedAugmentation,
}

__all__ = [
    "AUGMENTATIONS",
    "ChannelDropout",
    "CropResize",
    "FrequencyMask",
    "Jitter",
    "LearnedAugmentation",
    "MagnitudeWarp",
    "Permutation",
    "Scaling",
    "TimeWarp",
    "TimestampMask",
    "TsaugAugment",
]
