"""The validation pass forks every random state it touches: training draws what it would without it.

CPU-side tests of the fork / restore logic; tests/gpu/test_cuda_path.py checks
the CUDA RNG on a GPU.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
import torch
from torch import nn

from tscl.config import TrainConfig
from tscl.encoders.dilated_conv import DilatedConvEncoder
from tscl.methods.ts2vec import TS2Vec
from tscl.train import validation
from tscl.train.loop import fit
from tscl.train.validation import forked_devices, validation_loss
from tscl.types import SignalBatch


def small_method() -> TS2Vec:
    torch.manual_seed(0)
    return TS2Vec(DilatedConvEncoder(1, hidden_dims=8, output_dims=16, depth=2))


def noise(n: int = 24, length: int = 32) -> torch.Tensor:
    return torch.randn((n, 1, length), generator=torch.Generator().manual_seed(1))


def settings(**overrides: object) -> TrainConfig:
    base = {"batch_size": 8, "seed": 7, "progress": False, "log_every": 1}
    return TrainConfig(**{**base, **overrides})  # type: ignore[arg-type]


def test_training_with_validation_matches_training_without() -> None:
    data = noise()
    plain = fit(small_method(), data[:16], settings(), max_steps=8)
    checked = fit(
        small_method(),
        data[:16],
        settings(val_every=2),
        max_steps=8,
        val_data=data[16:],
    )
    assert [row["loss"] for row in plain.history] == [
        row["loss"] for row in checked.history
    ]
    assert sum("val_loss" in row for row in checked.history) == 4
    for name, value in plain.method.state_dict().items():
        assert torch.equal(value, checked.method.state_dict()[name]), name


def test_pass_restores_the_global_rng_and_repeats_its_value() -> None:
    method = small_method()
    batches = [SignalBatch(x=noise()[:8])]
    torch.manual_seed(123)
    before = torch.get_rng_state()
    first = validation_loss(method, lambda: batches, torch.device("cpu"), seed=7)
    assert torch.equal(torch.get_rng_state(), before)
    torch.rand(5)  # another RNG state before the next pass: same value regardless
    assert validation_loss(method, lambda: batches, torch.device("cpu"), seed=7) == (
        pytest.approx(first, rel=0, abs=0)
    )
    assert method.training  # the mode the method had before


def test_forked_devices_names_the_cuda_device_and_none_on_the_cpu() -> None:
    assert forked_devices(torch.device("cpu")) == []
    assert forked_devices(torch.device("cuda", 1)) == [1]


class _Batch:
    """Stands in for a batch on a CUDA device (no copy happens)."""

    def __len__(self) -> int:
        return 4

    def to(self, device: torch.device) -> _Batch:
        return self


class _RandomLoss(nn.Module):
    def forward(self, batch: _Batch, generator: torch.Generator) -> dict:
        return {"loss": torch.rand(())}


def test_pass_on_a_cuda_device_forks_that_device_and_seeds_inside_the_fork(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    forked: list[list[int]] = []
    real_fork = torch.random.fork_rng

    @contextlib.contextmanager
    def spy(devices: list[int]) -> Iterator[None]:
        forked.append(list(devices))
        with real_fork(devices=[]):  # no CUDA here: fork the CPU state for real
            yield

    monkeypatch.setattr(validation.torch.random, "fork_rng", spy)
    torch.manual_seed(5)
    before = torch.get_rng_state()
    validation_loss(_RandomLoss(), lambda: [_Batch()], torch.device("cuda", 0), seed=3)
    assert forked == [[0]]  # the CUDA RNG of the training device is forked too
    assert torch.equal(torch.get_rng_state(), before)
