"""TS2Vec: hierarchical contrasting of overlapping random crops.

Yue et al., "TS2Vec: Towards Universal Representation of Time Series",
AAAI 2022, https://arxiv.org/abs/2106.10466. Two crops of one series overlap
on ``crop_len`` steps; the same timestamp in both crops is a positive, and
the loss contrasts instances and timestamps after each max-pool over time.
"""

from __future__ import annotations

import inspect

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from tscl.errors import ConfigError
from tscl.losses.hierarchical import TS2VecLoss
from tscl.methods.alternation import AUGMENT_GROUP, AlternatingAugmentation
from tscl.pairs.base import PairStrategy, pool
from tscl.types import SignalBatch


def _randint(
    low: int, high: int, generator: torch.Generator, size: int | None = None
) -> Tensor:
    """Integers in [low, high) from ``generator`` (a scalar tensor when size is None)."""
    shape = (1,) if size is None else (size,)
    values = torch.randint(low, high, shape, generator=generator)
    return values[0] if size is None else values


def take_per_row(x: Tensor, starts: Tensor, length: int) -> Tensor:
    """Per-sample windows: (B, C, T), starts (B,) -> (B, C, length)."""
    index = starts.to(x.device)[:, None] + torch.arange(
        length, device=x.device
    )  # (B, L)
    index = index[:, None, :].expand(-1, x.size(1), -1)  # (B, L) -> (B, C, L)
    return torch.gather(x, 2, index)


def _pad_right(x: Tensor, length: int) -> Tensor:
    """(B, C, T) -> (B, C, length), NaN-padded on the right (NaN steps are unobserved)."""
    if x.size(-1) == length:
        return x
    return F.pad(x, (0, length - x.size(-1)), value=float("nan"))


class TS2Vec(AlternatingAugmentation, nn.Module):
    """The TS2Vec training objective around any encoder ``(B, C, T) -> (B, D, T)``.

    Args:
        encoder: a time-resolved encoder (TS2Vec's own is ``DilatedConvEncoder``).
        alpha: weight of the instance term against the temporal term.
        temporal_unit: pooling levels below which the temporal term is skipped.
        max_train_length: longer batches are randomly cropped to this length first.
        batch_views: encode both crops in one call when the encoder accepts
            ``lengths`` (same result as two calls, fewer kernel launches).
        augment: applied to each view after cropping, (B, C, L) -> (B, C, L)
            (TS2Vec itself uses none: its views differ by crop and timestamp mask);
            learned augmentations train in alternation (``AlternatingAugmentation``).
        pairs: a pair strategy for the two time-aligned overlaps instead of
            TS2Vec's loss (e.g. ``pairs=hierarchical``); strategies that bring
            their own second view (retrieval, slices) need their own recipe.
        augment_every, augment_lr, info_weight, keep_target, keep_weight:
            the learned augmentations' schedule and objective.
    """

    def __init__(
        self,
        encoder: nn.Module,
        *,
        alpha: float = 0.5,
        temporal_unit: int = 0,
        max_train_length: int = 3000,
        batch_views: bool = True,
        augment: nn.Module | None = None,
        pairs: PairStrategy | None = None,
        augment_every: int = 1,
        augment_lr: float = 0.0,
        info_weight: float = 1.0,
        keep_target: float = 0.8,
        keep_weight: float = 1.0,
    ) -> None:
        nn.Module.__init__(self)
        self.encoder = encoder
        self.augment = augment
        if pairs is not None and (pairs.makes_partner or pairs.num_views != 2):
            raise ConfigError(
                f"method 'ts2vec' contrasts two crops of each row; pairs "
                f"'{type(pairs).__name__}' brings its own views (use its recipe)"
            )
        self.pairs = pairs
        if pairs is not None:
            pairs.setup(int(encoder.out_dim))
        self.set_alternation(
            augment_every=augment_every,
            augment_lr=augment_lr,
            info_weight=info_weight,
            keep_target=keep_target,
            keep_weight=keep_weight,
        )
        self.loss = TS2VecLoss(alpha=alpha, temporal_unit=temporal_unit)
        self.temporal_unit = temporal_unit
        self.max_train_length = max_train_length
        parameters = inspect.signature(encoder.forward).parameters
        self.batch_views = batch_views and {"lengths", "window"} <= set(parameters)

    def prepare(self, context: object) -> None:
        if self.pairs is not None:
            self.pairs.prepare(context)

    def forward(
        self,
        batch: SignalBatch | Tensor,
        generator: torch.Generator,
        group: str | None = None,
    ) -> dict[str, Tensor]:
        """Loss on one batch (values (B, C, T)); crops are drawn from ``generator``.

        ``group`` is the parameter group being stepped (learned augmentations).
        """
        x = batch.x if isinstance(batch, SignalBatch) else batch
        if x.size(-1) > self.max_train_length:
            span = x.size(-1) - self.max_train_length + 1
            start = int(_randint(0, span, generator))
            x = x[..., start : start + self.max_train_length]
        length = x.size(-1)
        crop_len = int(_randint(2 ** (self.temporal_unit + 1), length + 1, generator))
        crop_left = int(_randint(0, length - crop_len + 1, generator))
        crop_right = crop_left + crop_len
        extend_left = int(_randint(0, crop_left + 1, generator))
        extend_right = int(_randint(crop_right, length + 1, generator))
        offset = _randint(
            -extend_left, length - extend_right + 1, generator, size=x.size(0)
        )
        # View a covers [extend_left, crop_right), view b [crop_left, extend_right);
        # both hold the overlap [crop_left, crop_right).
        view_a = take_per_row(x, offset + extend_left, crop_right - extend_left)
        view_b = take_per_row(x, offset + crop_left, extend_right - crop_left)
        plain_a = view_a
        if self.augment is not None:
            with self.augmenting(group):
                view_a, view_b = self.augment(view_a), self.augment(view_b)
        z_a, z_b = self.encode_views(view_a, view_b, crop_len)  # (B, D, crop_len) each
        if self.pairs is None:
            terms = {"loss": self.loss(z_a, z_b)}
        else:
            rows = batch if isinstance(batch, SignalBatch) else SignalBatch(x=x)
            terms = self.pairs(z_a, z_b, rows)
        if group != AUGMENT_GROUP:
            return terms
        z_plain = self.encoder(plain_a)[..., -crop_len:]  # the overlap, un-augmented
        contrastive = terms.pop("loss")
        loss = self.augmenter_loss(contrastive, pool(z_a, None), pool(z_plain, None))
        return {"loss": loss, "contrastive": contrastive.detach()}

    def encode_views(
        self, view_a: Tensor, view_b: Tensor, crop_len: int
    ) -> tuple[Tensor, Tensor]:
        """The overlap of both views: (B, C, L_a), (B, C, L_b) -> 2 x (B, D, crop_len).

        The overlap is the last ``crop_len`` steps of view a and the first of
        view b. With ``batch_views`` both views go through one encoder call:
        the shorter is right-padded, the encoder is told each row's true length
        and which window to return, which gives what two calls and slicing
        would.
        """
        if not self.batch_views:
            z_a, z_b = self.encoder(view_a), self.encoder(view_b)
            return z_a[..., -crop_len:], z_b[..., :crop_len]
        len_a, len_b = view_a.size(-1), view_b.size(-1)
        length = max(len_a, len_b)
        batch = torch.cat([_pad_right(view_a, length), _pad_right(view_b, length)])
        lengths = None
        if len_a != len_b:
            lengths = torch.tensor([len_a] * len(view_a) + [len_b] * len(view_b))
        starts = torch.tensor([len_a - crop_len] * len(view_a) + [0] * len(view_b))
        z = self.encoder(batch, lengths=lengths, window=(starts, crop_len))
        # (2B, D, crop_len) -> 2 x (B, D, crop_len)
        return z[: len(view_a)], z[len(view_a) :]


def default_steps(num_values: int) -> int:
    """TS2Vec's iteration rule: 200, or 600 when the data holds more than 100,000 values."""
    return 200 if num_values <= 100_000 else 600
