"""Multi-view InfoNCE: V views per sample, every other view of a sample is a positive.

Papers: Tian et al. 2020, "Contrastive Multiview Coding"
(https://arxiv.org/abs/1906.05849); the multi-positive form follows Khosla et
al. 2020 (https://arxiv.org/abs/2004.11362).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from tscl.errors import DataError
from tscl.losses.infonce import InfoNCELoss, view_positive_mask


def stack_views(z_a: Tensor | Sequence[Tensor], z_b: Tensor | None) -> Tensor:
    """Collects the views into one (V, B, D) tensor.

    Args:
        z_a: (B, D) first view when ``z_b`` is given; otherwise all views as a
            (V, B, D) tensor or a sequence of V (B, D) tensors.
        z_b: optional (B, D) second view.

    Returns:
        (V, B, D) views.
    """
    if z_b is not None:
        if not isinstance(z_a, Tensor):
            raise DataError(
                "MultiViewInfoNCELoss input",
                "with z_b given, z_a must be a (B, D) tensor",
            )
        views = [z_a, z_b]
    elif isinstance(z_a, Tensor):
        views = list(z_a.unbind(0))  # (V, B, D) -> V x (B, D)
    else:
        views = list(z_a)
    shapes = {tuple(view.shape) for view in views}
    if len(views) < 2 or len(shapes) != 1 or views[0].ndim != 2:
        raise DataError(
            "MultiViewInfoNCELoss input",
            f"expected >= 2 views of equal shape (B, D), got shapes {sorted(shapes)}",
        )
    return torch.stack(views)  # V x (B, D) -> (V, B, D)


class MultiViewInfoNCELoss(InfoNCELoss):
    """InfoNCE over V views: all V*B rows are anchors, every other view of the
    same sample (or of a sample in the same group) is a positive, all else
    negatives. With V = 2 it equals NT-Xent at the same temperature.

    Call as ``loss(views)`` with views (V, B, D) or a list of (B, D), or as
    ``loss(z_a, z_b, groups=None)`` (PairLoss protocol). Returns a scalar.
    """

    def __init__(self, temperature: float = 0.1) -> None:
        super().__init__(temperature=temperature)

    def forward(
        self,
        z_a: Tensor | Sequence[Tensor],
        z_b: Tensor | None = None,
        groups: Tensor | None = None,
    ) -> Tensor:
        """Views (V, B, D) / list of (B, D), or z_a, z_b (B, D); groups (B,) -> scalar."""
        views = stack_views(z_a, z_b)  # (V, B, D)
        num_views, batch_size, _ = views.shape
        if groups is not None and groups.shape != (batch_size,):
            raise DataError(
                "loss groups",
                f"expected shape ({batch_size},), got {tuple(groups.shape)}",
            )
        ids = (
            torch.arange(batch_size, device=views.device)
            if groups is None
            else groups.to(views.device)
        )
        z = views.flatten(0, 1)  # (V, B, D) -> (V*B, D), view-major
        return self.forward_mask(z, view_positive_mask(ids, num_views=num_views))
