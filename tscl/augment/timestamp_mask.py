"""Random timestamp masking, as TS2Vec's binomial mask.

Yue et al. 2022, "TS2Vec" (https://arxiv.org/abs/2106.10466). TS2Vec masks the
latent vectors after its input projection; this module masks the input.
"""

from __future__ import annotations

from torch import Tensor, nn

from tscl.augment.batch_checks import check_range, check_signal_batch
from tscl.augment.random_source import RandomSource


class TimestampMask(nn.Module):
    """Sets every channel of random timestamps to ``fill`` (zero by default).

    Each (sample, timestamp) is masked independently with probability ``p``;
    NaN gaps stay NaN (a gap is never filled with a made-up value). Close to
    ``tsaug.Dropout(p=p, fill=0.0)``, which never masks the first timestamp.
    (B, C, T) -> (B, C, T).

    Args:
        p: probability that a timestamp is masked.
        fill: the value written at masked timestamps.
        seed: optional seed of a private generator (else the global torch RNG).
    """

    def __init__(
        self, p: float = 0.5, fill: float = 0.0, seed: int | None = None
    ) -> None:
        super().__init__()
        check_range(p, "TimestampMask.p", 0.0, 1.0)
        self.p, self.fill = p, fill
        self.random = RandomSource(seed)

    def forward(self, x: Tensor) -> Tensor:
        """(B, C, T) -> (B, C, T)."""
        check_signal_batch(x, "TimestampMask")
        # (B, 1, T)
        masked = self.random.uniform((x.shape[0], 1, x.shape[-1]), x.device) < self.p
        return x.masked_fill(masked & ~x.isnan(), self.fill)
