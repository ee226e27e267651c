"""Lazy windows equal eager ones on MIT-BIH record 100, in both file layouts."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

from tscl.data.lazy import LazyWindows, NpySource, WfdbSource
from tscl.data.normalize import ChannelScaler
from tscl.data.records import Series
from tscl.data.windows import fixed_windows
from tscl.errors import DataError

SAMPLES = 650000  # all of record 100 (30 min at 360 Hz)


def _mitdb_100(data_dir: Path) -> np.ndarray:
    """(2, SAMPLES) float32 physical values of MIT-BIH record 100."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import wfdb

        record = wfdb.rdrecord(
            str(data_dir / "ecg" / "wfdb" / "mitdb" / "100"), sampto=SAMPLES
        )
    return record.p_signal.T.astype(np.float32)  # (T, C) -> (C, T)


class CountingSource:
    """Wraps a source and counts its reads."""

    def __init__(self, source: NpySource) -> None:
        self.source, self.reads = source, 0
        self.num_channels, self.length = source.num_channels, source.length

    def read(self, start: int, stop: int) -> np.ndarray:
        self.reads += 1
        return self.source.read(start, stop)


@pytest.mark.parametrize("layout", ["CT", "TC"])
def test_lazy_windows_equal_eager_windows(
    data_dir: Path, tmp_path: Path, layout: str
) -> None:
    values = _mitdb_100(data_dir)
    path = tmp_path / "100.npy"
    np.save(path, values if layout == "CT" else values.T)
    eager = fixed_windows(Series(values=values, fs=360.0), length=1000, stride=500)
    source = NpySource(path, layout=layout)
    assert (source.num_channels, source.length) == (2, SAMPLES)
    lazy = LazyWindows([source], length=1000, stride=500)
    assert len(lazy) == len(eager) == 1299  # (650000 - 1000) // 500 + 1
    np.testing.assert_array_equal(lazy[7], eager.x[7])
    batches = list(lazy.iter_batches(batch_size=512))
    assert [len(batch) for batch in batches] == [512, 512, 275]
    np.testing.assert_array_equal(np.concatenate(batches), eager.x)
    np.testing.assert_array_equal(lazy.start, eager.start)


def test_fortran_order_file_reads_the_same(tmp_path: Path) -> None:
    values = np.arange(2 * 50, dtype=np.float32).reshape(2, 50)  # (C, T)
    np.save(tmp_path / "f.npy", np.asfortranarray(values))
    np.save(tmp_path / "c64.npy", values.T.astype(np.float64))
    np.testing.assert_array_equal(
        NpySource(tmp_path / "f.npy").read(10, 20), values[:, 10:20]
    )
    converted = NpySource(tmp_path / "c64.npy", layout="TC").read(3, 9)
    assert converted.dtype == np.float32
    np.testing.assert_array_equal(converted, values[:, 3:9])


def test_one_read_per_batch_and_several_sources(tmp_path: Path) -> None:
    first = np.arange(2 * 100, dtype=np.float32).reshape(2, 100)
    second = -np.arange(2 * 60, dtype=np.float32).reshape(2, 60)
    np.save(tmp_path / "a.npy", first)
    np.save(tmp_path / "b.npy", second)
    sources = [
        CountingSource(NpySource(tmp_path / name)) for name in ("a.npy", "b.npy")
    ]
    lazy = LazyWindows(sources, length=20, stride=10)
    # a: (100 - 20) // 10 + 1 = 9 windows, b: (60 - 20) // 10 + 1 = 5 windows
    assert lazy.source_index.tolist() == [0] * 9 + [1] * 5
    batches = list(lazy.iter_batches(batch_size=7))
    # batch 1 = 7 windows of a (one read); batch 2 = 2 of a + 5 of b (one read each)
    assert [s.reads for s in sources] == [2, 1]
    assert batches[1][2].tolist() == second[:, 0:20].tolist()
    assert batches[0][3].tolist() == first[:, 30:50].tolist()


def test_explicit_index_scaler_and_dataloader(tmp_path: Path) -> None:
    values = np.stack([np.arange(100.0), np.full(100, 5.0)]).astype(np.float32)
    np.save(tmp_path / "x.npy", values)
    scaler = ChannelScaler().fit(values)
    sources = [CountingSource(NpySource(tmp_path / "x.npy"))]
    index = (np.array([0, 0]), np.array([80, 2]))  # far apart: read one by one
    lazy = LazyWindows(sources, length=10, index=index, scaler=scaler)
    (batch,) = lazy.iter_batches(batch_size=8)
    assert sources[0].reads == 2
    np.testing.assert_allclose(batch[1], scaler.transform(values[:, 2:12]))
    assert np.all(batch[:, 1] == 0.0)  # constant channel after scaling
    np.testing.assert_array_equal(lazy[-1], lazy[1])
    with pytest.raises(IndexError):
        lazy[2]
    loader = torch.utils.data.DataLoader(lazy, batch_size=2)
    assert next(iter(loader)).shape == (2, 2, 10)
    with pytest.raises(DataError, match="run past"):
        LazyWindows(sources, length=10, index=(np.array([0]), np.array([95])))


def test_wfdb_source_reads_requested_samples(data_dir: Path) -> None:
    values = _mitdb_100(data_dir)
    source = WfdbSource(data_dir / "ecg" / "wfdb" / "mitdb" / "100", channels=[1])
    assert (source.num_channels, source.length) == (1, 650000)
    np.testing.assert_allclose(
        source.read(1000, 1500), values[1:, 1000:1500], atol=1e-6
    )
    lazy = LazyWindows([source], length=360, stride=360)
    assert len(lazy) == 1805  # 650000 // 360
    with pytest.raises(DataError, match="outside"):
        source.read(649999, 650001)


def test_bad_files_and_mismatched_sources(tmp_path: Path) -> None:
    np.save(tmp_path / "ints.npy", np.zeros((2, 10), dtype=np.int16))
    np.save(tmp_path / "three.npy", np.zeros((3, 10), dtype=np.float32))
    np.save(tmp_path / "two.npy", np.zeros((2, 10), dtype=np.float32))
    (tmp_path / "junk.npy").write_bytes(b"not a numpy file")
    with pytest.raises(DataError, match="float32/float64"):
        NpySource(tmp_path / "ints.npy")
    with pytest.raises(DataError, match="not a readable"):
        NpySource(tmp_path / "junk.npy")
    with pytest.raises(DataError, match="one channel count"):
        LazyWindows(
            [NpySource(tmp_path / "three.npy"), NpySource(tmp_path / "two.npy")],
            length=5,
        )


def test_batch_sources_draw_lazy_windows_as_in_memory_ones(tmp_path: Path) -> None:
    """A uniform source over lazy windows gives the batches, ids and labels of the same
    windows held in memory (same seed), reading each batch in one ``rows`` call."""
    from tscl.data.sources import UniformSource
    from tscl.data.training import SignalSet
    from tscl.train.build import training_rows

    values = np.random.default_rng(0).normal(size=(2, 500)).astype(np.float32)
    np.save(tmp_path / "x.npy", values)
    lazy = LazyWindows([NpySource(tmp_path / "x.npy")], length=50, stride=25)
    eager = np.stack([lazy[i] for i in range(len(lazy))])  # (19, 2, 50)
    labels = np.arange(len(lazy)) % 3
    ids = {"recording": np.arange(len(lazy)) // 5}
    lazy_set = SignalSet(x=lazy, y=labels, ids=ids)
    assert (lazy_set.num_channels, lazy_set.length) == (2, 50)
    assert training_rows(lazy_set, 3000) is lazy_set  # never materialised
    sources = [
        UniformSource(s, batch_size=4, generator=torch.Generator().manual_seed(1))
        for s in (lazy_set, SignalSet(x=eager, y=labels, ids=ids))
    ]
    for _ in range(6):  # more than one epoch of 19 rows
        from_disk, from_memory = (source.next() for source in sources)
        torch.testing.assert_close(from_disk.x, from_memory.x)
        assert from_disk.y.tolist() == from_memory.y.tolist()
        assert from_disk.ids["recording"].tolist() == (from_disk.index // 5).tolist()
    np.testing.assert_array_equal(lazy.rows(np.array([7, 0])), eager[[7, 0]])
