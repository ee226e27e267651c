"""TS2Vec hierarchical contrastive loss: instance-wise plus temporal InfoNCE at every
time scale obtained by repeated max-pooling.

Paper: Yue et al. 2022, "TS2Vec: Towards Universal Representation of Time
Series" (https://arxiv.org/abs/2106.10466), section 3.3.

Layout: the pure functions take timestamp embeddings ``(B, T, D)`` as in the
paper; ``TS2VecLoss`` takes encoder outputs ``(B, D, T)`` and transposes them.
As in the paper, similarities are raw dot products (no normalisation, no
temperature).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from tscl.errors import DataError
from tscl.losses.infonce import view_positive_mask


def _log_softmax_without_self(similarity: Tensor) -> Tensor:
    """Row-wise log-softmax over the last dim, leaving out the diagonal.

    Args:
        similarity: (..., N, N) scores.

    Returns:
        (..., N, N) log-probabilities; -inf on the diagonal.
    """
    size = similarity.shape[-1]
    self_mask = torch.eye(size, dtype=torch.bool, device=similarity.device)
    return similarity.masked_fill(self_mask, float("-inf")).log_softmax(dim=-1)


def _pool_time(z: Tensor) -> Tensor:
    """Max-pool over time with kernel 2, dropping an odd last step: (B, T, D) -> (B, T // 2, D).

    The values of ``max_pool1d(kernel_size=2)`` without the transposes it
    needs. On an exact tie the gradient is split between the two steps
    instead of going to the first; in this loss ties are steps that dropout
    zeroed, whose gradient is zero either way.
    """
    batch, length, dims = z.shape
    pairs = z[:, : length // 2 * 2].reshape(batch, length // 2, 2, dims)
    return pairs.amax(dim=2)


def _mean_offset_pairs(log_prob: Tensor, offset: int) -> Tensor:
    """-mean of log_prob[..., i, i + offset] and log_prob[..., i + offset, i].

    With rows stacked as [view 1; view 2] of ``offset`` items each, these are
    the two directions of every positive pair.
    """
    forward = log_prob.diagonal(offset=offset, dim1=-2, dim2=-1)  # (..., offset)
    backward = log_prob.diagonal(offset=-offset, dim1=-2, dim2=-1)  # (..., offset)
    return -(forward.mean() + backward.mean()) / 2


def instance_contrastive_loss(
    z1: Tensor, z2: Tensor, groups: Tensor | None = None
) -> Tensor:
    """For each timestamp, contrast the 2B instances of both views.

    Args:
        z1: (B, T, D) first view.
        z2: (B, T, D) second view; instance i of z1 and z2 are positives.
        groups: optional (B,) ids; instances sharing one are extra positives.

    Returns:
        Scalar: mean over timestamps and the 2B anchors of -log p(positive).
    """
    batch_size = z1.shape[0]
    z = torch.cat([z1, z2], dim=0).transpose(0, 1)  # 2 x (B, T, D) -> (T, 2B, D)
    log_prob = _log_softmax_without_self(z @ z.transpose(1, 2))  # (T, 2B, 2B)
    if groups is None:
        return _mean_offset_pairs(log_prob, offset=batch_size)
    positives = view_positive_mask(groups.to(z.device), num_views=2)  # (2B, 2B)
    picked = torch.where(positives, log_prob, torch.zeros_like(log_prob))  # (T, 2B, 2B)
    per_anchor = picked.sum(dim=-1) / positives.sum(dim=-1)  # (T, 2B)
    return -per_anchor.mean()


def temporal_contrastive_loss(z1: Tensor, z2: Tensor) -> Tensor:
    """For each instance, contrast the 2T timestamps of both views.

    Args:
        z1: (B, T, D) first view.
        z2: (B, T, D) second view; timestamp t of z1 and z2 are positives.

    Returns:
        Scalar: mean over instances and the 2T anchors of -log p(positive).
    """
    length = z1.shape[1]
    z = torch.cat([z1, z2], dim=1)  # 2 x (B, T, D) -> (B, 2T, D)
    log_prob = _log_softmax_without_self(z @ z.transpose(1, 2))  # (B, 2T, 2T)
    return _mean_offset_pairs(log_prob, offset=length)


def hierarchical_contrastive_loss(
    z1: Tensor,
    z2: Tensor,
    alpha: float = 0.5,
    temporal_unit: int = 0,
    groups: Tensor | None = None,
) -> Tensor:
    """TS2Vec loss: alpha * instance + (1 - alpha) * temporal, averaged over scales.

    At each level both terms are computed, then time is max-pooled by 2 (an odd
    last step is dropped) until T == 1, where only the instance term is added.
    The sum is divided by the number of levels.

    Args:
        z1: (B, T, D) timestamp embeddings of view 1.
        z2: (B, T, D) timestamp embeddings of view 2, aligned in time with z1.
        alpha: weight of the instance term.
        temporal_unit: the temporal term is skipped at levels below this one.
        groups: optional (B,) ids; instances sharing one are extra positives.

    Returns:
        The scalar loss.
    """
    if z1.ndim != 3 or z1.shape != z2.shape:
        raise DataError(
            "hierarchical_contrastive_loss input",
            f"expected z1, z2 of equal shape (B, T, D), got {tuple(z1.shape)} and {tuple(z2.shape)}",
        )
    loss = z1.new_zeros(())
    level = 0
    while z1.shape[1] > 1:
        if alpha != 0:
            loss = loss + alpha * instance_contrastive_loss(z1, z2, groups)
        if level >= temporal_unit and alpha != 1:
            loss = loss + (1 - alpha) * temporal_contrastive_loss(z1, z2)
        level += 1
        z1, z2 = _pool_time(z1), _pool_time(z2)
    if z1.shape[1] == 1:
        if alpha != 0:
            loss = loss + alpha * instance_contrastive_loss(z1, z2, groups)
        level += 1
    return loss / level


class TS2VecLoss(nn.Module):
    """TS2Vec hierarchical contrastive loss on encoder outputs.

    ``TS2VecLoss(alpha, temporal_unit)(z_a, z_b, groups=None)`` with z_a, z_b
    (B, D, T) as the encoders return them (timestamp t of both views is the
    same input timestamp, e.g. the overlap of two crops). Returns a scalar.
    """

    def __init__(self, alpha: float = 0.5, temporal_unit: int = 0) -> None:
        super().__init__()
        self.alpha = alpha
        self.temporal_unit = temporal_unit

    def forward(self, z_a: Tensor, z_b: Tensor, groups: Tensor | None = None) -> Tensor:
        """(B, D, T), (B, D, T), optional (B,) group ids -> scalar."""
        if z_a.ndim != 3:
            raise DataError(
                "TS2VecLoss input",
                f"expected (B, D, T) encoder outputs, got shape {tuple(z_a.shape)}",
            )
        return hierarchical_contrastive_loss(
            z_a.transpose(1, 2),  # (B, D, T) -> (B, T, D)
            z_b.transpose(1, 2),  # (B, D, T) -> (B, T, D)
            alpha=self.alpha,
            temporal_unit=self.temporal_unit,
            groups=groups,
        )
