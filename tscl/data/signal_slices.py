"""CoLES-style random slices of signal windows: the data side of subsequence positives.

``SignalSliceSource`` draws ``batch_size`` windows and from each
``num_slices`` random contiguous slices of ``min_len``..``max_len`` steps
(``draw_slices``, as for event sequences), right-padded with NaN to the
longest so the batch stays one (n, C, L) tensor (NaN = not observed, which
encoders and pooling skip). ``index`` repeats each window's row, so rows with
equal index are positives (``pairs=slices``).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from tscl.data.event_batches import draw_slices
from tscl.data.sources import UniformSource
from tscl.data.training import SignalSet
from tscl.errors import DataError
from tscl.types import SignalBatch


def cut_slices(x: Tensor, starts: Tensor, sizes: Tensor) -> Tensor:
    """(n, C, T) rows, starts and sizes (n,) -> (n, C, max size) slices, NaN past each size."""
    width = int(sizes.max())
    steps = torch.arange(width)
    index = (starts[:, None] + steps).clamp(max=x.shape[-1] - 1)  # (n, L)
    values = torch.gather(x, 2, index[:, None, :].expand(-1, x.shape[1], -1))
    past = steps[None, :] >= sizes[:, None]  # (n, L)
    return values.masked_fill(past[:, None, :], float("nan"))


class SignalSliceSource(UniformSource):
    """Batches of ``batch_size`` windows x ``num_slices`` random slices each (window-major rows).

    Args:
        min_len, max_len: slice length bounds in steps (0 = the window length
            for ``max_len``); a window shorter than a bound is sliced whole.
    """

    def __init__(
        self,
        data: SignalSet,
        *,
        batch_size: int,
        generator: torch.Generator,
        num_slices: int = 4,
        min_len: int = 32,
        max_len: int = 0,
        rank: int = 0,
        world_size: int = 1,
    ) -> None:
        if num_slices < 2 or min_len < 1 or (max_len and max_len < min_len):
            raise DataError(
                "data.source slices",
                f"need num_slices >= 2 and 1 <= min_len <= max_len, got {num_slices}, {min_len}, {max_len}",
            )
        super().__init__(
            data,
            batch_size=batch_size,
            generator=generator,
            rank=rank,
            world_size=world_size,
        )
        self.generator = generator
        self.num_slices, self.min_len = num_slices, min_len
        self.max_len = max_len or data.length

    def next(self) -> SignalBatch:
        rows = self.next_rows()  # (B,)
        starts, sizes = draw_slices(
            np.full(len(rows), self.data.length),
            num_slices=self.num_slices,
            min_len=self.min_len,
            max_len=self.max_len,
            generator=self.generator,
        )  # (B, S) each
        repeated = rows.repeat_interleave(self.num_slices)  # (B * S,) window-major
        x = torch.from_numpy(
            np.ascontiguousarray(self.data.rows(repeated.numpy()), dtype=np.float32)
        )
        x = cut_slices(
            x, torch.from_numpy(starts.reshape(-1)), torch.from_numpy(sizes.reshape(-1))
        )
        index = repeated.numpy()
        y = (
            None
            if self.data.y is None
            else torch.from_numpy(np.asarray(self.data.y[index]))
        )
        ids = {
            level: torch.from_numpy(codes[index])
            for level, codes in self.data.ids.items()
        }
        return SignalBatch(x=x, y=y, ids=ids, index=repeated.clone())
