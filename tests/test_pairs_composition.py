"""Acceptance: every pair strategy composes with a fixed and a learned augmentation and two
encoders, and its loss falls in a few steps on real smartwatch windows.

The loss is the method's objective on one fixed real batch with fixed
randomness (the mean over 3 draws, in training mode, so batch-norm encoders use batch statistics),
for the encoder before and after training, both with the final state of
everything else (learned augmentation, memory bank): a learned augmentation
is trained adversarially, so the views themselves get harder. It steps every
second step at a tenth of the encoder's learning rate.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import torch
from torch import nn

from tscl.augment import Jitter, LearnedAugmentation, Scaling
from tscl.config import TrainConfig
from tscl.data.signal_slices import SignalSliceSource
from tscl.data.sources import GroupedSource, UniformSource
from tscl.data.training import SignalSet, TrainingData
from tscl.encoders import DilatedConvEncoder, ResNet1D
from tscl.methods.contrastive import Contrastive
from tscl.pairs import PAIRS
from tscl.train.loop import fit
from tscl.types import SignalBatch

AUGMENTS: dict[str, Callable[[], nn.Module]] = {
    "fixed": lambda: nn.Sequential(Jitter(), Scaling()),
    "learned": lambda: nn.Sequential(LearnedAugmentation(seed=0)),
}
ENCODERS: dict[str, Callable[[int], nn.Module]] = {
    "dilated_conv": lambda c: DilatedConvEncoder(
        c, hidden_dims=16, output_dims=32, depth=3
    ),
    "resnet1d": lambda c: ResNet1D(c, hidden_dims=16, output_dims=32, num_blocks=2),
}
PAIR_PARAMS: dict[str, dict[str, Any]] = {
    "retrieval": {"num_candidates": 6, "within_negatives": 2, "stage1_steps": 15},
    "nearest": {"bank_size": 64},
}
STEPS = 12


@pytest.fixture(scope="module")
def watch(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> TrainingData:
    from tscl.domains import load_run_config
    from tscl.train.run import load_data

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TSCL_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        patch.setenv("TSCL_DATA_MIRROR", str(data_dir))
        return load_data(load_run_config(overrides=["dataset=seglearn_watch"]))


class FixedSource:
    """The same real batch at every step (so the losses before and after compare)."""

    def __init__(self, data: SignalSet, batch: SignalBatch) -> None:
        self.data, self.batch, self.batch_size = data, batch, len(batch)

    def next(self) -> SignalBatch:
        return self.batch

    def state_dict(self) -> dict[str, Any]:
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        pass


def first_batch(name: str, rows: SignalSet) -> SignalBatch:
    generator = torch.Generator().manual_seed(0)
    if name == "hierarchical":
        return GroupedSource(
            rows, batch_size=16, generator=generator, recordings_per_subject=2
        ).next()
    if name == "slices":
        return SignalSliceSource(
            rows, batch_size=8, generator=generator, num_slices=3, min_len=80
        ).next()
    return UniformSource(rows, batch_size=16, generator=generator).next()


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.mark.slow
@pytest.mark.parametrize("encoder", sorted(ENCODERS))
@pytest.mark.parametrize("augment", sorted(AUGMENTS))
@pytest.mark.parametrize("name", sorted(PAIRS))
def test_strategy_loss_falls(
    watch: TrainingData, name: str, augment: str, encoder: str, tmp_path: Path
) -> None:
    torch.manual_seed(0)
    rows = watch.train
    assert isinstance(rows, SignalSet)
    batch = first_batch(name, rows)
    method = Contrastive(
        ENCODERS[encoder](rows.num_channels),
        pairs=PAIRS[name](**PAIR_PARAMS.get(name, {})),
        augment=AUGMENTS[augment](),
        augment_every=2,
        augment_lr=3e-4,
    )
    source = FixedSource(rows, batch)
    settings = TrainConfig(progress=False, averaging="none", log_every=1, lr=3e-3)
    # fit() runs prepare (REBAR's stage 1) before its first step: train 0 steps first.
    fit(method, source, settings, max_steps=0, context={"run_dir": tmp_path})
    method.train()
    if name == "nearest":
        with torch.no_grad():
            method(batch, torch.Generator().manual_seed(1))  # fills the memory bank

    def loss() -> float:
        """Mean objective over 3 fixed draws, training mode (batch statistics), state kept."""
        kept = copy.deepcopy(method.pairs.state_dict())
        method.train()
        values = []
        with torch.no_grad(), torch.random.fork_rng(devices=[]):
            for seed in (3, 4, 5):
                torch.manual_seed(seed)
                generator = torch.Generator().manual_seed(seed)
                values.append(float(method(batch, generator)["loss"]))
        method.pairs.load_state_dict(kept)
        return sum(values) / len(values)

    initial = copy.deepcopy(method.encoder.state_dict())
    result = fit(method, source, settings, max_steps=STEPS)
    after = loss()
    method.encoder.load_state_dict(initial)
    before = loss()
    assert result.steps == STEPS
    if augment == "learned":
        groups = {k.split(".")[0] for k in result.history[-1] if "." in k}
        assert groups == {"augment", "encoder"}
    assert after < before, f"{name}/{augment}/{encoder}: {before:.4f} -> {after:.4f}"
