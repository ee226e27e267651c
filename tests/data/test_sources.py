"""Batch sources on real data: ids survive the whole path, and the grouped source keeps its promise."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from tscl.data.sources import GroupedSource, UniformSource
from tscl.domains import load_run_config
from tscl.errors import ConfigError
from tscl.train.build import training_rows
from tscl.train.run import load_data


def _source_batches(source: object, count: int) -> list:
    return [source.next() for _ in range(count)]  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def mitdb_rows(data_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    mp = pytest.MonkeyPatch()
    mp.setenv("TSCL_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    mp.setenv("TSCL_DATA_MIRROR", str(data_dir))
    config = load_run_config(
        None, ["domain=ecg", "data.options.records=[101,106,201,203,205]"]
    )
    data = load_data(config)
    mp.undo()
    return data


def test_ids_survive_sections_and_batches(mitdb_rows) -> None:
    """After windowing, sectioning and batching, each row's ids are its record's."""
    train = mitdb_rows.train
    rows = training_rows(train, max_length=63)  # beats are 126 long: cut in 2
    assert len(rows) == 2 * len(train)
    source = UniformSource(
        rows, batch_size=32, generator=torch.Generator().manual_seed(0)
    )
    for batch in _source_batches(source, 5):
        for i, row in enumerate(batch.index.tolist()):
            original = row // 2  # the beat this section was cut from
            for level in ("subject", "recording"):
                assert int(batch.ids[level][i]) == int(train.ids[level][original])
            # the values are that beat's: section 0 or 1 of its window
            half = np.asarray(train.x[original])[
                ..., (row % 2) * 63 : (row % 2 + 1) * 63
            ]
            np.testing.assert_array_equal(batch.x[i].numpy(), half)


def test_grouped_source_on_mitdb_patients(mitdb_rows) -> None:
    train = mitdb_rows.train
    source = GroupedSource(
        train,
        batch_size=0,
        generator=torch.Generator().manual_seed(1),
        subjects_per_batch=2,
        windows_per_recording=4,
    )
    for batch in _source_batches(source, 6):
        subjects, counts = np.unique(batch.ids["subject"].numpy(), return_counts=True)
        assert len(subjects) == 2 and (counts == 4).all()
        _, per_recording = np.unique(batch.ids["recording"].numpy(), return_counts=True)
        assert (per_recording >= 2).all()


def test_grouped_source_on_smartwatch_subjects(cli_workspace: Path) -> None:
    config = load_run_config(None, ["domain=motion"])
    train = load_data(config).train
    source = GroupedSource(
        train,
        batch_size=0,
        generator=torch.Generator().manual_seed(2),
        subjects_per_batch=3,
        recordings_per_subject=2,
        windows_per_recording=2,
    )
    state = source.state_dict()
    first = _source_batches(source, 4)
    for batch in first:
        subject = batch.ids["subject"].numpy()
        recording = batch.ids["recording"].numpy()
        assert len(np.unique(subject)) == 3
        for s in np.unique(subject):
            recs, counts = np.unique(recording[subject == s], return_counts=True)
            assert len(recs) == 2 and (counts == 2).all()
    source.load_state_dict(state)  # exact resume: the same batches again
    for before, after in zip(first, _source_batches(source, 4), strict=True):
        assert torch.equal(before.index, after.index)


def test_grouped_batches_of_a_split_with_few_subjects(mitdb_rows) -> None:
    train = mitdb_rows.train
    one = train.subset(np.flatnonzero(train.ids["subject"] == train.ids["subject"][0]))
    # derived from the batch size (8 // (2 x 2) = 2 subjects): capped at the one there is
    source = GroupedSource(
        one, batch_size=8, generator=torch.Generator().manual_seed(0),
        recordings_per_subject=2, windows_per_recording=2,
    )  # fmt: skip
    assert source.p == 1 and len(source.next().index) == 2  # its one record, 2 beats
    with pytest.raises(ConfigError, match="2 subjects per batch.*has 1 subjects"):
        GroupedSource(
            one, batch_size=8, generator=torch.Generator(), subjects_per_batch=2
        )


def test_rank_slices_cover_the_global_batch(mitdb_rows) -> None:
    train = mitdb_rows.train
    parts = [
        UniformSource(
            train,
            batch_size=8,
            generator=torch.Generator().manual_seed(3),
            rank=rank,
            world_size=2,
        ).next()
        for rank in (0, 1)
    ]
    alone = UniformSource(
        train, batch_size=16, generator=torch.Generator().manual_seed(3)
    ).next()
    assert torch.equal(torch.cat([p.index for p in parts]), alone.index)
