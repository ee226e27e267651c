"""Every METHODS recipe: builds from a config with its recipe defaults and trains two steps."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from tscl.config import load_config
from tscl.data.training import EventSet, SignalSet
from tscl.domains import recipe_defaults
from tscl.errors import ConfigError
from tscl.methods import EVENT_METHODS, METHODS
from tscl.train.build import build_method, build_source, check_config
from tscl.train.loop import fit

SMALL = [
    "encoder.params={hidden_dims: 8, output_dims: 16, depth: 2}",
    "train.batch_size=8",
    "train.progress=false",
    "train.averaging=none",
    "train.num_threads=1",
]
EXTRA = {
    "rebar": [
        "method_params={stage1_steps: 3, num_candidates: 4, within_negatives: 1}"
    ],
    "coles": ["data.source.params={num_slices: 3, min_len: 8}"],
}


def windows() -> SignalSet:
    """24 windows of 2 channels: 4 subjects x 2 recordings x 3 windows, 3 classes."""
    generator = np.random.default_rng(0)
    x = generator.normal(size=(24, 2, 32)).cumsum(-1).astype(np.float32)
    rows = np.arange(24)
    return SignalSet(
        x=x,
        y=rows % 3,
        ids={"subject": rows // 6, "recording": rows // 3},
    )


def train_two_steps(method, config, rows, tmp_path: Path) -> None:
    """Two steps of ``fit``: finite losses."""
    result = fit(
        method,
        build_source(config, rows),
        config.train,
        max_steps=2,
        context={"run_dir": tmp_path},
    )
    losses = [row["loss"] for row in result.history]
    assert len(losses) >= 1 and all(np.isfinite(losses))


@pytest.mark.parametrize("name", sorted(set(METHODS) - EVENT_METHODS))
def test_recipe_trains_two_steps_on_signal_windows(name: str, tmp_path: Path) -> None:
    torch.manual_seed(0)
    overrides = [f"method={name}", *SMALL, *EXTRA.get(name, [])]
    config = load_config(overrides=overrides, defaults=recipe_defaults(name))
    check_config(config)
    method = build_method(config, in_channels=2)
    train_two_steps(method, config, windows(), tmp_path)
    for path in getattr(method, "artifacts", {}).values():
        assert Path(path).is_file()


def test_pairs_are_chosen_piece_by_piece() -> None:
    config = load_config(
        overrides=["method=ts2vec", "pairs=hierarchical", "augment=[learned]", *SMALL]
    )
    check_config(config)
    method = build_method(config, in_channels=2)
    assert type(method.pairs).__name__ == "HierarchicalPositives"
    assert set(method.parameter_groups()) == {"augment", "encoder"}
    bad = load_config(overrides=["method=ts2vec", "pairs=hierarchicl"])
    with pytest.raises(ConfigError, match="Did you mean 'hierarchical'"):
        check_config(bad)
    with pytest.raises(ConfigError, match="brings its own views"):
        build_method(load_config(overrides=["pairs=retrieval", *SMALL]), in_channels=2)


def event_log() -> EventSet:
    """12 hand-built sequences of 2-9 events: a token code and a time delta."""
    generator = np.random.default_rng(0)
    sequences = []
    for i in range(12):
        length = 2 + i % 8
        sequences.append(
            {
                "token": generator.integers(2, 6, size=length),
                "delta": generator.normal(size=length).astype(np.float32),
            }
        )
    return EventSet(sequences=sequences, y=np.arange(12) % 2)


@pytest.mark.parametrize("name", sorted(EVENT_METHODS | {"coles"}))
def test_event_recipe_trains_two_steps_on_an_event_log(
    name: str, tmp_path: Path
) -> None:
    torch.manual_seed(0)
    overrides = [
        f"method={name}",
        "encoder=event_rnn",
        "encoder.params={hidden_dims: 8, embedding_dim: 4}",
        "train.batch_size=4",
        "train.progress=false",
        "train.averaging=none",
        "train.num_threads=1",
    ]
    if name != "mem":
        overrides.append("data.source.params={num_slices: 2, min_len: 1, max_len: 4}")
    config = load_config(overrides=overrides, defaults=recipe_defaults(name))
    check_config(config)
    fields = {"categorical": {"token": 6}, "numeric": ["delta"]}
    method = build_method(config, in_channels=0, fields=fields)
    train_two_steps(method, config, event_log(), tmp_path)
