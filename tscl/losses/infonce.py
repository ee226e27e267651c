"""Multi-positive InfoNCE: the core that NT-Xent, SupCon, DCL and multi-view use.

Papers: van den Oord et al. 2018, "Representation Learning with Contrastive
Predictive Coding" (https://arxiv.org/abs/1807.03748); the multi-positive form
follows Khosla et al. 2020, "Supervised Contrastive Learning"
(https://arxiv.org/abs/2004.11362), loss "L_out".
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from tscl.errors import DataError


def info_nce(
    z: Tensor,
    positive_mask: Tensor,
    temperature: float,
    *,
    exclude_positives_from_denominator: bool = False,
    valid_mask: Tensor | None = None,
    hard_negatives: int | None = None,
) -> Tensor:
    """Multi-positive InfoNCE over the L2-normalised rows of ``z``.

    For anchor i with positives P(i) (self excluded) and similarity
    s_ik = cos(z_i, z_k):

        loss_i = -1/|P(i)| * sum_{p in P(i)} log( exp(s_ip/t) / sum_{k in D(i)} exp(s_ik/t) )

    where D(i) = {k != i}, or {k != i, k not in P(i)} when
    ``exclude_positives_from_denominator`` (DCL); with ``hard_negatives`` = k
    only anchor i's k most similar negatives stay in D(i) (hard-negative
    selection, as CoLES's margin loss does; positives stay unless DCL). Anchors without positives (or,
    for DCL, without negatives) are ignored; the result is the mean over the
    remaining anchors. Leading dimensions are independent problems (e.g. one
    per sample when timestamps are contrasted); the mean runs over all of their
    anchors.

    Args:
        z: embeddings, (N, D) or (..., N, D).
        positive_mask: (N, N) or (..., N, N) bool, True where column k is a
            positive of row i. The diagonal is ignored.
        temperature: the softmax temperature t > 0.
        exclude_positives_from_denominator: drop positives from D(i) (DCL).
        valid_mask: (N,) or (..., N) bool; invalid rows are neither anchors,
            positives nor negatives (padding, missing views).
        hard_negatives: keep only the k hardest negatives per anchor (None: all).

    Returns:
        The scalar loss.

    Raises:
        DataError: shapes disagree, or no anchor has a positive.
    """
    _check_inputs(z, positive_mask, temperature, valid_mask)
    num_rows = z.shape[-2]
    self_mask = torch.eye(num_rows, dtype=torch.bool, device=z.device)
    candidates = ~self_mask  # (N, N): who may enter anchor i's denominator
    if valid_mask is not None:
        candidates = candidates & valid_mask[..., None, :] & valid_mask[..., :, None]
    positives = positive_mask.bool() & candidates  # (..., N, N)
    z = F.normalize(z, dim=-1)
    logits = z @ z.transpose(-1, -2) / temperature  # (..., N, N)
    negatives = candidates & ~positives
    if hard_negatives is not None:
        negatives = hardest(logits, negatives, hard_negatives)
    denominator = (
        negatives if exclude_positives_from_denominator else negatives | positives
    )
    anchors = positives.any(dim=-1) & denominator.any(dim=-1)  # (..., N)
    if not bool(anchors.any()):
        raise DataError(
            "info_nce positive_mask", "no anchor has both a positive and a negative"
        )
    # Rows that are not anchors get a full denominator so that every row keeps a
    # finite normaliser (no NaN in forward or backward); their loss is dropped.
    denominator = denominator | ~anchors[..., None]
    log_norm = logits.masked_fill(~denominator, float("-inf")).logsumexp(dim=-1)
    log_prob = logits - log_norm[..., None]  # (..., N, N)
    summed = torch.where(positives, log_prob, torch.zeros_like(log_prob)).sum(dim=-1)
    per_anchor = summed / positives.sum(dim=-1).clamp(min=1)  # (..., N)
    anchors = anchors.expand_as(per_anchor)
    return -(per_anchor * anchors).sum() / anchors.sum()


def hardest(logits: Tensor, negatives: Tensor, count: int) -> Tensor:
    """(..., N, N) bool: per row, the ``count`` negatives of highest logit (all if fewer)."""
    if count < 1:
        raise DataError("hard_negatives", f"expected a count >= 1, got {count}")
    k = min(count, logits.shape[-1])
    ranked = logits.detach().masked_fill(~negatives, float("-inf"))
    top = ranked.topk(k, dim=-1).indices  # (..., N, k)
    return torch.zeros_like(negatives).scatter_(-1, top, True) & negatives


def view_positive_mask(ids: Tensor, num_views: int) -> Tensor:
    """Positive mask for ``num_views`` stacked views of B samples.

    Rows are ordered view-major (all samples of view 0, then view 1, ...). Rows
    are positives when their sample ids are equal, so every other view of the
    same sample is a positive, and with group ids so is every view of every
    sample in the same group. The diagonal is False.

    Args:
        ids: (B,) sample or group ids; ``torch.arange(B)`` for plain views.
        num_views: V, the number of stacked views.

    Returns:
        (V*B, V*B) bool mask.
    """
    stacked = ids.repeat(num_views)  # (B,) -> (V*B,)
    mask = stacked[:, None] == stacked[None, :]
    mask.fill_diagonal_(False)
    return mask


def pair_ids(z_a: Tensor, z_b: Tensor, groups: Tensor | None) -> Tensor:
    """Sample ids for a pair of views: ``groups`` when given, else 0..B-1.

    Args:
        z_a: (B, D) first view.
        z_b: (B, D) second view, row i pairs with row i of ``z_a``.
        groups: optional (B,) group ids (samples sharing one are positives).

    Returns:
        (B,) integer ids on ``z_a.device``.
    """
    if z_a.ndim != 2 or z_a.shape != z_b.shape:
        raise DataError(
            "loss input",
            f"expected z_a and z_b of equal shape (B, D), got {tuple(z_a.shape)} and {tuple(z_b.shape)}",
        )
    if groups is None:
        return torch.arange(z_a.shape[0], device=z_a.device)
    if groups.shape != (z_a.shape[0],):
        raise DataError(
            "loss groups",
            f"expected shape ({z_a.shape[0]},), got {tuple(groups.shape)}",
        )
    return groups.to(z_a.device)


def _check_inputs(
    z: Tensor, positive_mask: Tensor, temperature: float, valid_mask: Tensor | None
) -> None:
    if z.ndim < 2:
        raise DataError(
            "info_nce z", f"expected (N, D) embeddings, got shape {tuple(z.shape)}"
        )
    num_rows = z.shape[-2]
    if positive_mask.shape[-2:] != (num_rows, num_rows) or positive_mask.ndim > z.ndim:
        raise DataError(
            "info_nce positive_mask",
            f"expected shape ({num_rows}, {num_rows}), got {tuple(positive_mask.shape)}",
        )
    if valid_mask is not None and valid_mask.shape[-1:] != (num_rows,):
        raise DataError(
            "info_nce valid_mask",
            f"expected shape ({num_rows},), got {tuple(valid_mask.shape)}",
        )
    if not temperature > 0:
        raise DataError(
            "info_nce temperature", f"expected a positive number, got {temperature}"
        )


class InfoNCELoss(nn.Module):
    """Generic two-view multi-positive InfoNCE (PairLoss protocol).

    Row i of ``z_a`` and row i of ``z_b`` are positives; with ``groups`` every
    view of every sample sharing a group id is a positive too. All 2B rows are
    anchors and every other row is in the denominator (NT-Xent form).
    """

    def __init__(
        self,
        temperature: float = 0.1,
        exclude_positives_from_denominator: bool = False,
        hard_negatives: int | None = None,
    ) -> None:
        super().__init__()
        self.temperature = temperature
        self.exclude_positives_from_denominator = exclude_positives_from_denominator
        self.hard_negatives = hard_negatives

    def forward(self, z_a: Tensor, z_b: Tensor, groups: Tensor | None = None) -> Tensor:
        """(B, D), (B, D), optional (B,) group ids -> scalar."""
        ids = pair_ids(z_a, z_b, groups)
        z = torch.cat([z_a, z_b], dim=0)  # 2 x (B, D) -> (2B, D)
        return self.forward_mask(z, view_positive_mask(ids, num_views=2))

    def forward_mask(
        self, z: Tensor, positive_mask: Tensor, valid_mask: Tensor | None = None
    ) -> Tensor:
        """Any positive structure: z (N, D), positive_mask (N, N) bool -> scalar."""
        return info_nce(
            z,
            positive_mask,
            self.temperature,
            exclude_positives_from_denominator=self.exclude_positives_from_denominator,
            valid_mask=valid_mask,
            hard_negatives=self.hard_negatives,
        )
