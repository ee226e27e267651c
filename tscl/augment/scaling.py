"""Random per-channel scaling.

Um et al. 2017 (https://arxiv.org/abs/1706.00527); the weak view of TS-TCC
(Eldele et al. 2021, https://arxiv.org/abs/2106.14112).
"""

from __future__ import annotations

from torch import Tensor, nn

from tscl.augment.batch_checks import check_range, check_signal_batch
from tscl.augment.random_source import RandomSource


class Scaling(nn.Module):
    """Multiplies each channel of each sample by a factor drawn from N(1, sigma).

    (B, C, T) -> (B, C, T); NaN gaps stay NaN.

    Args:
        sigma: standard deviation of the factor.
        prob: probability that a sample is augmented.
        seed: optional seed of a private generator (else the global torch RNG).
    """

    def __init__(
        self, sigma: float = 0.1, prob: float = 1.0, seed: int | None = None
    ) -> None:
        super().__init__()
        check_range(sigma, "Scaling.sigma", 0.0, float("inf"))
        check_range(prob, "Scaling.prob", 0.0, 1.0)
        self.sigma, self.prob = sigma, prob
        self.random = RandomSource(seed)

    def forward(self, x: Tensor) -> Tensor:
        """(B, C, T) -> (B, C, T)."""
        check_signal_batch(x, "Scaling")
        # (B, C, 1)
        factor = 1 + self.sigma * self.random.normal(
            (x.shape[0], x.shape[1], 1), x.device
        )
        return self.random.apply_per_sample(x, x * factor.to(x.dtype), self.prob)
