"""collate_events, the uniform and slice batch sources, and in-order event batches."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tscl.data.event_batches import (
    EventSliceSource,
    EventUniformSource,
    collate_events,
    draw_slices,
    iter_event_batches,
)
from tscl.data.training import EventSet


def _data(lengths: list[int]) -> EventSet:
    """Sequences whose 'pos' field is the event position offset by 1000 * row."""
    sequences = [
        {
            "code": np.arange(2, 2 + n, dtype=np.int64),
            "pos": (1000 * row + np.arange(n)).astype(np.float32),
        }
        for row, n in enumerate(lengths)
    ]
    return EventSet(
        sequences=sequences,
        y=np.arange(len(lengths)) % 3,
        ids={"subject": np.arange(len(lengths)) // 2},
    )


def test_collate_right_pads_with_zeros_and_keeps_lengths() -> None:
    batch = collate_events(
        [
            {
                "code": np.array([5, 6, 7]),
                "t": np.array([0.5, 1.0, 2.0], dtype=np.float32),
            },
            {"code": np.array([9]), "t": np.array([3.0], dtype=np.float32)},
        ],
        y=np.array([1, 0]),
        index=np.array([4, 2]),
    )
    assert batch.fields["code"].dtype == torch.int64
    assert batch.fields["t"].dtype == torch.float32
    assert batch.fields["code"].tolist() == [[5, 6, 7], [9, 0, 0]]
    assert batch.fields["t"].tolist() == [[0.5, 1.0, 2.0], [3.0, 0.0, 0.0]]
    assert batch.lengths.tolist() == [3, 1]
    assert batch.mask.tolist() == [[True, True, True], [True, False, False]]
    assert batch.y.tolist() == [1, 0] and batch.index.tolist() == [4, 2]


def test_slices_are_contiguous_pieces_of_their_sequence_within_bounds() -> None:
    lengths = [1, 2, 3, 5, 8, 13, 40, 60, 100, 7]
    data = _data(lengths)
    source = EventSliceSource(
        data,
        batch_size=6,
        generator=torch.Generator().manual_seed(1),
        num_slices=4,
        min_len=3,
        max_len=10,
    )
    for _ in range(5):
        batch = source.next()
        assert len(batch) == 6 * 4
        index = batch.index.numpy()
        assert (index.reshape(6, 4) == index.reshape(6, 4)[:, :1]).all()  # per sequence
        for row in range(len(batch)):
            size = int(batch.lengths[row])
            full = lengths[index[row]]
            assert min(3, full) <= size <= min(10, full)
            pos = batch.fields["pos"][row, :size].numpy() - 1000 * index[row]
            assert (np.diff(pos) == 1).all() and pos[0] >= 0 and pos[-1] < full
            assert int(batch.y[row]) == data.y[index[row]]
            assert int(batch.ids["subject"][row]) == data.ids["subject"][index[row]]


def test_draw_slices_reaches_both_length_bounds() -> None:
    starts, sizes = draw_slices(
        np.array([20]),
        num_slices=2000,
        min_len=3,
        max_len=6,
        generator=torch.Generator().manual_seed(0),
    )
    assert set(sizes.ravel().tolist()) == {3, 4, 5, 6}
    assert starts.min() == 0 and (starts + sizes).max() == 20


@pytest.mark.parametrize("kind", ["uniform", "slices"])
def test_state_dict_resumes_the_same_batches(kind: str) -> None:
    data = _data([4, 9, 12, 3, 30, 7, 5, 6, 11])
    cls = EventUniformSource if kind == "uniform" else EventSliceSource

    def make() -> EventUniformSource:
        return cls(data, batch_size=4, generator=torch.Generator().manual_seed(3))

    source = make()
    for _ in range(3):
        source.next()
    state = source.state_dict()
    expected = [source.next() for _ in range(4)]  # crosses an epoch boundary
    resumed = make()
    resumed.load_state_dict(state)
    for want in expected:
        got = resumed.next()
        assert torch.equal(got.index, want.index)
        assert torch.equal(got.lengths, want.lengths)
        assert torch.equal(got.fields["pos"], want.fields["pos"])


def test_ranks_take_disjoint_parts_of_one_global_batch() -> None:
    data = _data(list(range(3, 19)))
    parts = [
        EventSliceSource(
            data,
            batch_size=3,
            num_slices=2,
            rank=rank,
            world_size=2,
            generator=torch.Generator().manual_seed(5),
        ).next()
        for rank in range(2)
    ]
    single = EventSliceSource(
        data, batch_size=6, num_slices=2, generator=torch.Generator().manual_seed(5)
    ).next()
    joined = torch.cat([p.index for p in parts])
    assert torch.equal(joined, single.index)
    assert torch.equal(torch.cat([p.lengths for p in parts]), single.lengths)


def test_iter_event_batches_covers_the_data_in_order() -> None:
    data = _data([2, 5, 1, 4, 3])
    batches = list(iter_event_batches(data, batch_size=2))
    assert [len(b) for b in batches] == [2, 2, 1]
    assert torch.cat([b.index for b in batches]).tolist() == [0, 1, 2, 3, 4]
    assert torch.cat([b.lengths for b in batches]).tolist() == [2, 5, 1, 4, 3]
