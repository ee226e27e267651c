"""What the training loop draws and methods consume: batches and the sources they come from.

Shapes: a signal batch is channels-first ``x`` (B, C, T) float32 with NaN where
a value was not observed (``observed``, (B, C, T) bool, derives from it), ``y`` (B,) int64 (or
None), and ``ids[level]`` (B,) int64 integer codes per hierarchy level
("subject", "recording", "segment"; a level the data lacks is absent). An event
batch holds padded per-field tensors ``fields[name]`` (B, L) (categorical codes
int64, numerics and time float32), ``lengths`` (B,) int64, and the same ``y`` and
``ids``. Both move to a device in one call, through pinned memory on CUDA.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Protocol, runtime_checkable

import torch
from torch import Tensor

HIERARCHY_LEVELS = ("subject", "recording", "segment")


def _move(tensor: Tensor, device: torch.device) -> Tensor:
    """Host -> device through pinned memory on CUDA (asynchronous copy); as is otherwise."""
    if tensor.device == device:
        return tensor
    if device.type == "cuda" and tensor.device.type == "cpu":
        return tensor.pin_memory().to(device, non_blocking=True)
    return tensor.to(device)


def _move_ids(ids: dict[str, Tensor], device: torch.device) -> dict[str, Tensor]:
    return {level: _move(codes, device) for level, codes in ids.items()}


@dataclass
class SignalBatch:
    """A batch of signal windows with labels and hierarchy ids.

    Attributes:
        x: (B, C, T) float32, NaN where not observed.
        mask: (B, C, T) bool observed-mask when it differs from ``~isnan(x)``
            (e.g. imputed values); None derives it from the NaNs (``observed``).
        y: (B,) int64 class codes, or None (unlabelled / not shown to the method).
        ids: level -> (B,) int64 codes ("subject", "recording", "segment").
        index: (B,) int64 row of each sample in the data set it was drawn from.
    """

    x: Tensor
    mask: Tensor | None = None
    y: Tensor | None = None
    ids: dict[str, Tensor] = field(default_factory=dict)
    index: Tensor | None = None

    @property
    def observed(self) -> Tensor:
        """(B, C, T) bool, True where a value was observed."""
        return ~torch.isnan(self.x) if self.mask is None else self.mask

    def __len__(self) -> int:
        return int(self.x.shape[0])

    @property
    def device(self) -> torch.device:
        return self.x.device

    def to(self, device: torch.device | str) -> SignalBatch:
        """Every tensor on ``device`` (one call; pinned host memory on CUDA)."""
        device = torch.device(device)
        return replace(
            self,
            x=_move(self.x, device),
            mask=None if self.mask is None else _move(self.mask, device),
            y=None if self.y is None else _move(self.y, device),
            ids=_move_ids(self.ids, device),
            index=None if self.index is None else _move(self.index, device),
        )


@dataclass
class EventBatch:
    """A batch of padded event sequences (after pytorch-lifestream's PaddedBatch).

    Attributes:
        fields: name -> (B, L) tensor; categorical codes int64 (0 = padding,
            1 = unseen), numeric fields and times float32 (0 where padded).
        lengths: (B,) int64 number of real events in each row.
        y: (B,) int64 class codes, or None.
        ids: level -> (B,) int64 codes.
        index: (B,) int64 row of each sequence in the data set it was drawn from.
    """

    fields: dict[str, Tensor]
    lengths: Tensor
    y: Tensor | None = None
    ids: dict[str, Tensor] = field(default_factory=dict)
    index: Tensor | None = None

    def __len__(self) -> int:
        return int(self.lengths.shape[0])

    @property
    def device(self) -> torch.device:
        return self.lengths.device

    @property
    def mask(self) -> Tensor:
        """(B, L) bool, True on real (non-padding) events."""
        width = next(iter(self.fields.values())).shape[1] if self.fields else 0
        steps = torch.arange(width, device=self.lengths.device)
        return steps[None, :] < self.lengths[:, None]

    def to(self, device: torch.device | str) -> EventBatch:
        """Every tensor on ``device`` (one call; pinned host memory on CUDA)."""
        device = torch.device(device)
        return replace(
            self,
            fields={name: _move(t, device) for name, t in self.fields.items()},
            lengths=_move(self.lengths, device),
            y=None if self.y is None else _move(self.y, device),
            ids=_move_ids(self.ids, device),
            index=None if self.index is None else _move(self.index, device),
        )


Batch = SignalBatch | EventBatch


@runtime_checkable
class BatchSource(Protocol):
    """What the training loop draws from: an endless, resumable stream of batches.

    ``state_dict`` holds everything that decides the next batches (the current
    permutation, position, generator state), so a resumed run draws exactly the
    batches an uninterrupted one would have.
    """

    batch_size: int

    def next(self) -> Batch: ...

    def state_dict(self) -> dict[str, Any]: ...

    def load_state_dict(self, state: dict[str, Any]) -> None: ...


class PairSampler(Protocol):
    """Data side: given the rows drawn for a batch, which rows are their positives.

    Lives inside a batch source (e.g. another window of the same recording, a
    random slice of the same sequence). Returns (B,) row indices.
    """

    def __call__(self, rows: Tensor, generator: torch.Generator) -> Tensor: ...


class PositiveMiner(Protocol):
    """Model side: replaces or adds positives from embeddings inside the step.

    Receives pooled embeddings ``z`` (B, D) and returns a (B, B) bool positive
    mask (or (B, D) replacement embeddings, as NNCLR does); the loss only ever
    sees embeddings and a positive mask.
    """

    def __call__(self, z: Tensor) -> Tensor: ...
