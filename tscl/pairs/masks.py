"""Positive masks built from id tensors by broadcasting, on the ids' device.

Rows of stacked views are view-major (all B rows of view 0, then view 1).
Nothing here loops over samples or leaves the device.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
from torch import Tensor

from tscl.errors import DataError
from tscl.losses.infonce import view_positive_mask

# COMET's levels and the hierarchy id each one groups by (None: built from the batch).
COMET_LEVELS = ("observation", "sample", "trial", "patient")
LEVEL_IDS = {
    "observation": None,
    "sample": None,
    "trial": "recording",
    "patient": "subject",
}


def equal_id_mask(ids: Tensor) -> Tensor:
    """(N,) ids -> (N, N) bool, True for other rows with the same id (diagonal False)."""
    mask = ids[:, None] == ids[None, :]
    mask.fill_diagonal_(False)
    return mask


def hierarchy_masks(
    ids: Mapping[str, Tensor],
    levels: Sequence[str],
    *,
    batch_size: int,
    device: torch.device,
    num_views: int = 2,
) -> dict[str, Tensor]:
    """One (V*B, V*B) positive mask per instance level of ``levels``.

    "sample": the other views of the same row; "trial": every view of every
    row of the same recording; "patient": of the same subject. The
    observation level is temporal (``temporal_positive_mask``), not listed.

    Args:
        ids: level name ("recording", "subject") -> (B,) int64 codes.
        levels: COMET level names to build (those without ids raise).
    """
    masks = {}
    for level in levels:
        key = LEVEL_IDS.get(level, "")
        if key is None:
            if level == "sample":
                rows = torch.arange(batch_size, device=device)
                masks[level] = view_positive_mask(rows, num_views)
            continue
        if key not in ids:
            raise DataError("hierarchy ids", f"level '{level}' needs ids['{key}']")
        masks[level] = view_positive_mask(ids[key].to(device), num_views)
    return masks


def temporal_positive_mask(length: int, device: torch.device) -> Tensor:
    """(2T, 2T) bool: timestamp t of one view and t of the other are positives.

    Rows are [view a steps 0..T-1; view b steps 0..T-1]; used per sample.
    """
    steps = torch.arange(length, device=device).repeat(2)  # (2T,)
    return equal_id_mask(steps)


def supervised_ids(y: Tensor) -> Tensor:
    """(B,) labels -> ids where unlabelled rows (y < 0) get an id of their own."""
    own = -1 - torch.arange(y.shape[0], device=y.device)
    return torch.where(y >= 0, y, own)
