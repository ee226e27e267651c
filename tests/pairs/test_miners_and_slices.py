"""Nearest-neighbour miner, slice positives and the signal slice source."""

from __future__ import annotations

import numpy as np
import torch

from tscl.data.signal_slices import SignalSliceSource
from tscl.data.training import SignalSet
from tscl.pairs.nearest import NearestNeighbourMiner


def test_miner_returns_the_nearest_bank_entry_and_queues_fifo() -> None:
    miner = NearestNeighbourMiner(dim=2, bank_size=3)
    z = torch.tensor([[1.0, 0.1], [0.0, 1.0]])
    assert torch.equal(miner(z), z)  # empty bank: the embeddings themselves
    miner.update(torch.tensor([[1.0, 0.0], [0.0, 2.0], [-1.0, 0.0]]))
    assert miner(z).tolist() == [[1.0, 0.0], [0.0, 1.0]]
    miner.update(torch.tensor([[0.0, -3.0]]))  # overwrites the oldest ([1, 0])
    assert int(miner.filled) == 3
    assert miner(torch.tensor([[1.0, 0.0]])).tolist() in ([[0.0, 1.0]], [[0.0, -1.0]])


def test_slice_source_cuts_nan_padded_slices_of_one_window() -> None:
    x = np.arange(4 * 2 * 50, dtype=np.float32).reshape(4, 2, 50)
    data = SignalSet(x=x, ids={"subject": np.array([0, 0, 1, 1])})
    source = SignalSliceSource(
        data,
        batch_size=2,
        generator=torch.Generator().manual_seed(0),
        num_slices=3,
        min_len=10,
        max_len=30,
    )
    batch = source.next()
    assert batch.x.shape[0] == 6 and batch.x.shape[1] == 2 and batch.x.shape[2] <= 30
    assert batch.index.tolist()[::3] == batch.index.tolist()[1::3]
    for row, window in zip(batch.x, batch.index.tolist(), strict=True):
        length = int((~row[0].isnan()).sum())
        assert 10 <= length <= 30 and row[:, length:].isnan().all()
        start = int(row[0, 0] - x[window, 0, 0])
        assert torch.equal(
            row[:, :length], torch.from_numpy(x[window, :, start : start + length])
        )
    assert batch.ids["subject"].tolist() == [
        int(data.ids["subject"][i]) for i in batch.index
    ]
