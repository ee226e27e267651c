"""The generic contrastive method: views -> encoder -> pair strategy -> InfoNCE core.

Every recipe but TS2Vec and CoLES is this module with its own defaults
(``simclr``, ``comet``, ``rebar``, ``supcon``, ``nnclr``), and each part can be
swapped from the config: ``pairs=`` (``tscl.pairs.PAIRS``), ``augment=[...]``
(fixed or ``learned``, trained in alternation), ``encoder=``.

One step: crop rows longer than ``max_train_length``; ask the pair strategy
what the second view comes from (the row itself, or a retrieved sample);
augment both views; encode all views (and any extra rows the strategy asks
for) in one encoder call; the strategy turns the embeddings into masked
InfoNCE terms.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from tscl.methods.alternation import AUGMENT_GROUP, AlternatingAugmentation
from tscl.pairs.base import PairStrategy, observed_steps, pool
from tscl.pairs.two_views import ViewPositives
from tscl.types import SignalBatch


def crop_rows(x: Tensor, max_length: int, generator: torch.Generator) -> Tensor:
    """(B, C, T) -> (B, C, min(T, max_length)): one random crop when the rows are too long."""
    if x.shape[-1] <= max_length:
        return x
    start = int(
        torch.randint(0, x.shape[-1] - max_length + 1, (1,), generator=generator)
    )
    return x[..., start : start + max_length]


class Contrastive(AlternatingAugmentation, nn.Module):
    """Views of each row, positives from a pair strategy, any encoder ``(B, C, T) -> (B, D, T')``.

    Args:
        encoder: the encoder to train (with ``out_dim``).
        pairs: the pair strategy (default: two views of each row).
        augment: applied to each view, (B, C, T) -> (B, C, T); learned
            augmentations are trained in alternation (``AlternatingAugmentation``).
        max_train_length: longer rows are randomly cropped to this length.
        augment_every, augment_lr, info_weight, keep_target, keep_weight:
            the learned augmentations' schedule and objective.
    """

    def __init__(
        self,
        encoder: nn.Module,
        *,
        pairs: PairStrategy | None = None,
        augment: nn.Module | None = None,
        max_train_length: int = 3000,
        augment_every: int = 1,
        augment_lr: float = 0.0,
        info_weight: float = 1.0,
        keep_target: float = 0.8,
        keep_weight: float = 1.0,
    ) -> None:
        nn.Module.__init__(self)
        self.encoder = encoder
        self.pairs = pairs if pairs is not None else ViewPositives()
        self.pairs.setup(int(encoder.out_dim))
        self.augment = augment
        self.max_train_length = max_train_length
        self.set_alternation(
            augment_every=augment_every,
            augment_lr=augment_lr,
            info_weight=info_weight,
            keep_target=keep_target,
            keep_weight=keep_weight,
            temperature=getattr(self.pairs, "temperature", 0.1),
        )

    @property
    def artifacts(self) -> dict[str, Any]:
        """Files the run should keep beside the encoder (e.g. REBAR's stage-1 model)."""
        return dict(getattr(self.pairs, "artifacts", {}))

    def prepare(self, context: Any) -> None:
        self.pairs.prepare(context)

    def views(self, x: Tensor) -> Tensor:
        return x if self.augment is None else self.augment(x)

    def forward(
        self, batch: SignalBatch, generator: torch.Generator, group: str | None = None
    ) -> dict[str, Tensor]:
        """Loss terms on one batch; ``group`` is the parameter group being stepped."""
        x = crop_rows(batch.x, self.max_train_length, generator)  # (B, C, T)
        partner, extra = self.pairs.partner(x, batch, generator)
        with self.augmenting(group):
            view_a = self.views(x)
            view_b = self.views(partner) if self.pairs.num_views == 2 else None
        rows = [view_a] + ([] if view_b is None else [view_b])
        if extra is not None:
            rows.append(extra.flatten(0, 1))  # (B, m, C, T) -> (B * m, C, T)
        if group == AUGMENT_GROUP:
            rows.append(x)
        z = self.encoder(torch.cat(rows))  # (n * B, D, T')
        size = x.shape[0]
        z_a, rest = z[:size], z[size:]
        z_b = None
        if view_b is not None:
            z_b, rest = rest[:size], rest[size:]
        steps = observed_steps(x)  # (B, T)
        z_extra = None
        if extra is not None:
            count = extra.shape[1]
            z_extra = pool(rest[: size * count], None).view(
                size, count, -1
            )  # (B, m, D)
            rest = rest[size * count :]
        terms = self.pairs(z_a, z_b, batch, steps=steps, z_extra=z_extra)
        if group == AUGMENT_GROUP:
            contrastive = terms.pop("loss")
            loss = self.augmenter_loss(contrastive, pool(z_a, steps), pool(rest, steps))
            return {"loss": loss, "contrastive": contrastive.detach()}
        return terms
