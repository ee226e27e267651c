"""Random segment permutation, the strong view of TS-TCC.

Eldele et al. 2021, "Time-Series Representation Learning via Temporal and
Contextual Contrasting" (https://arxiv.org/abs/2106.14112).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from tscl.augment.batch_checks import check_range, check_signal_batch
from tscl.augment.random_source import RandomSource


class Permutation(nn.Module):
    """Cuts each series at random points into 2..max_segments pieces and shuffles them.

    The number of pieces is uniform on {2, ..., max_segments} per sample and the
    cut points are distinct and uniform; channels move together. NaN gaps move
    with their piece. (B, C, T) -> (B, C, T).

    Args:
        max_segments: largest number of pieces (>= 2; at most T is used).
        prob: probability that a sample is augmented.
        seed: optional seed of a private generator (else the global torch RNG).
    """

    def __init__(
        self, max_segments: int = 5, prob: float = 1.0, seed: int | None = None
    ) -> None:
        super().__init__()
        check_range(max_segments, "Permutation.max_segments", 2, 1_000_000)
        check_range(prob, "Permutation.prob", 0.0, 1.0)
        self.max_segments, self.prob = int(max_segments), prob
        self.random = RandomSource(seed)

    def pieces(
        self, batch_size: int, length: int, device: torch.device
    ) -> tuple[Tensor, Tensor]:
        """Draws the pieces of every sample.

        Returns:
            starts (B, M) and lengths (B, M) of M = min(max_segments, T) pieces in
            time order; a sample with fewer pieces has empty ones at the end.
        """
        most = min(self.max_segments, length)
        count = self.random.integers(  # (B,) number of pieces per sample
            torch.full((batch_size,), 2, device=device),
            torch.full((batch_size,), most, device=device),
        )
        # Cut positions are 1..T-1: the top (most - 1) random scores pick distinct
        # candidates; each sample keeps (count - 1) of them and parks the rest at T.
        scores = self.random.uniform((batch_size, length - 1), device)
        cuts = scores.topk(most - 1, dim=1).indices + 1  # (B, most - 1)
        unused = torch.arange(most - 1, device=device)[None, :] >= (count[:, None] - 1)
        cuts = cuts.masked_fill(unused, length).sort(dim=1).values
        starts = torch.cat([cuts.new_zeros(batch_size, 1), cuts], dim=1)  # (B, most)
        last = cuts.new_full((batch_size, 1), length)
        ends = torch.cat([cuts, last], dim=1)  # (B, most)
        return starts, ends - starts

    def source_times(
        self, batch_size: int, length: int, device: torch.device
    ) -> Tensor:
        """Draws B permutations: (B, T) source time of every output time."""
        starts, lengths = self.pieces(batch_size, length, device)  # (B, M) each
        # (B, M) the old piece that goes to each slot; gather the pieces in new order.
        order = self.random.uniform(tuple(starts.shape), device).argsort(dim=1)
        starts, lengths = starts.gather(1, order), lengths.gather(1, order)
        new_starts = lengths.cumsum(dim=1) - lengths  # (B, M)
        # source = t + shift of the piece holding t. The shift is piecewise constant:
        # scatter its jumps at the new piece starts and integrate. Empty pieces add
        # jumps that the next piece cancels; jumps at T fall in the spare column.
        shift = starts - new_starts  # (B, M)
        jumps = torch.diff(shift, dim=1, prepend=torch.zeros_like(shift[:, :1]))
        source = shift.new_zeros(batch_size, length + 1)  # (B, T + 1)
        source.scatter_add_(1, new_starts, jumps).cumsum_(dim=1)
        source = source[:, :length]  # (B, T + 1) -> (B, T)
        return source.add_(torch.arange(length, device=device))

    def forward(self, x: Tensor) -> Tensor:
        """(B, C, T) -> (B, C, T)."""
        check_signal_batch(x, "Permutation", min_length=2)
        batch_size, num_channels, length = x.shape
        source = self.source_times(batch_size, length, x.device)  # (B, T)
        index = source.unsqueeze(1).expand(-1, num_channels, -1)  # (B, T) -> (B, C, T)
        augmented = x.gather(-1, index)
        return self.random.apply_per_sample(x, augmented, self.prob)
