"""load_events / embed_events_input on the real BPI logs (catalog card and a CSV copy at a path)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from tscl.config import DataConfig, RunConfig
from tscl.data.event_batches import EventSliceSource
from tscl.data.training import TrainingData
from tscl.domains.events import EVENTS, embed_events_input, load_events
from tscl.encoders.event_rnn import EventSequenceEncoder
from tscl.errors import ConfigError
from tscl.methods.coles import CoLES

BPI2011 = "event_sequences/bpi2011_hospital_log"


@pytest.fixture(scope="module")
def bpi2012(
    data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TrainingData]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TSCL_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        patch.setenv("TSCL_DATA_MIRROR", str(data_dir))
        yield load_events(RunConfig(dataset="bpi2012_loan_applications"))


def test_bpi2012_fixed_split_sizes_and_classes(bpi2012: TrainingData) -> None:
    assert (len(bpi2012.train), len(bpi2012.val), len(bpi2012.test)) == (
        8881,
        1903,
        1904,
    )
    assert bpi2012.class_names == ["approved", "cancelled", "declined"]
    # the split JSON's class counts per part
    assert np.bincount(bpi2012.train.y).tolist() == [1572, 1965, 5344]
    assert np.bincount(bpi2012.test.y).tolist() == [337, 421, 1146]
    assert bpi2012.source["cases_outside_split"] == 399  # the 'unknown' cases
    assert {"173691", "173694"} <= set(bpi2012.train.sequence_ids)
    ids = [
        set(part.sequence_ids) for part in (bpi2012.train, bpi2012.val, bpi2012.test)
    ]
    assert not (ids[0] & ids[1] or ids[0] & ids[2] or ids[1] & ids[2])


def test_bpi2012_sequences_hold_no_outcome_event(bpi2012: TrainingData) -> None:
    tokens = bpi2012.preprocessing["vocab"]["token"]["tokens"]
    stop = ("A_APPROVED", "A_DECLINED", "A_CANCELLED", "A_REGISTERED", "A_ACTIVATED")
    stop += ("O_ACCEPTED", "O_DECLINED", "O_CANCELLED")
    assert not [t for t in tokens if t.split("|")[0] in stop]
    assert "A_SUBMITTED|COMPLETE" in tokens
    fields = bpi2012.preprocessing["fields"]
    assert fields == {
        "categorical": {"token": len(tokens) + 2},
        "numeric": ["amount", "delta"],
    }
    first = bpi2012.train.sequences[0]
    assert first["token"].dtype == np.int64 and first["delta"].dtype == np.float32
    assert bpi2012.train.lengths().min() >= 1


def test_bpi2011_csv_copy_at_a_path_uses_the_diagnosis_split(
    data_dir: Path, tmp_path: Path
) -> None:
    for table in ("events", "cases"):
        frame = pd.read_parquet(data_dir / BPI2011 / f"{table}.parquet")
        frame.to_csv(
            tmp_path / f"{table}.csv", index=False
        )  # case ids lose their zeros
    config = RunConfig(
        dataset=str(tmp_path / "events.csv"),
        data=DataConfig(options={"task": "diagnosis"}),
    )
    data = load_events(config)
    assert (len(data.train), len(data.val), len(data.test)) == (481, 103, 104)
    assert data.class_names == ["M13", "M16", "106", "M14", "M11", "other"]
    counts = Counter(data.class_names[c] for c in data.train.y)
    assert counts == {
        "106": 79,
        "M11": 42,
        "M13": 136,
        "M14": 66,
        "M16": 90,
        "other": 68,
    }
    assert set(data.source["files"]) == {
        str(tmp_path / "events.csv"),
        str(tmp_path / "cases.csv"),
    }
    assert data.preprocessing["fields"]["numeric"] == ["n_executions", "delta"]
    # for BPI 2011 the patient is the case
    assert len(data.train.id_names["subject"]) == len(data.train)


def test_embed_input_replays_the_training_coding(
    data_dir: Path, bpi2012: TrainingData
) -> None:
    path = data_dir / "event_sequences/bpi2012_loan_applications/events.parquet"
    data, frame = embed_events_input(bpi2012.preprocessing, RunConfig(), path)
    assert len(data) == len(frame) == 13087 and data.y is None
    row = frame["case_id"].tolist().index(bpi2012.train.sequence_ids[0])
    for name, values in bpi2012.train.sequences[0].items():
        np.testing.assert_array_equal(data.sequences[row][name], values)


def test_unknown_option_is_a_config_error() -> None:
    config = RunConfig(
        dataset="bpi2012_loan_applications", data=DataConfig(options={"tsk": 1})
    )
    with pytest.raises(ConfigError, match="tsk"):
        load_events(config)


def test_domain_defaults_name_the_recipe() -> None:
    assert EVENTS.defaults["method"] == "coles"
    assert EVENTS.defaults["encoder"]["name"] == "event_rnn"
    assert EVENTS.tasks == ("outcome", "diagnosis")


def test_a_few_coles_steps_on_bpi2012_lower_the_loss(bpi2012: TrainingData) -> None:
    torch.manual_seed(0)
    encoder = EventSequenceEncoder(bpi2012.preprocessing["fields"], hidden_dims=32)
    method = CoLES(encoder, temperature=0.1)
    optimizer = torch.optim.Adam(method.parameters(), lr=3e-3)
    source = EventSliceSource(
        bpi2012.train, batch_size=16, generator=torch.Generator().manual_seed(0)
    )
    fixed = source.next()
    with torch.no_grad():
        before = float(method(fixed)["loss"])
    for _ in range(25):
        loss = method(source.next())["loss"]
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        after = float(method(fixed)["loss"])
    assert after < 0.8 * before


def test_a_users_log_is_split_by_subject_with_its_label_column(
    data_dir: Path, tmp_path: Path
) -> None:
    events = pd.read_parquet(data_dir / BPI2011 / "events.parquet")
    cases = pd.read_parquet(data_dir / BPI2011 / "cases.parquet").dropna(
        subset=["diagnosis_code"]
    )
    log = events.merge(
        cases[["case_id", "specialism_code"]].rename(
            columns={"specialism_code": "team"}
        )
    )
    log.to_parquet(tmp_path / "log.parquet")
    options = {
        "activity_col": "activity_code",
        "label_col": "team",
        "subject_col": "team",
    }
    data = load_events(
        RunConfig(
            dataset=str(tmp_path / "log.parquet"),
            data=DataConfig(val_fraction=0.2, test_fraction=0.2, options=options),
        )
    )
    teams = [
        set(part.id_names["subject"]) for part in (data.train, data.val, data.test)
    ]
    assert not (teams[0] & teams[1] or teams[0] & teams[2] or teams[1] & teams[2])
    assert data.preprocessing["task"]["name"] == "generic"
    assert set(data.preprocessing["fields"]["categorical"]) == {"activity_code"}
    assert len(data.train) + len(data.val) + len(data.test) == len(cases)
