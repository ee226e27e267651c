"""The CUDA training path, per method: short pretraining runs on the GPU (skipped without one).

Run with ``pytest -m gpu`` (benchmarks/gpu_check.sh runs them with the speed
suites on a lent GPU). Each method trains through ``fit`` on the device with
bf16 autocast (``precision=auto``), and the tests check that the loss falls,
that the validation pass forks and restores the CUDA RNG, that two runs with
one seed agree, that batches reach the device from pinned memory, and that no
training step synchronises with the host (no tensor copied back: augmentations,
masks and pair construction stay on the device).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from tscl.config import TrainConfig
from tscl.data.event_batches import EventSliceSource
from tscl.data.read_ts import read_ts
from tscl.data.sources import UniformSource
from tscl.data.training import EventSet, SignalSet
from tscl.encoders.dilated_conv import DilatedConvEncoder
from tscl.encoders.event_rnn import EventSequenceEncoder
from tscl.methods.coles import CoLES
from tscl.methods.ts2vec import TS2Vec
from tscl.train import loop
from tscl.train.loop import fit
from tscl.train.validation import validation_loss
from tscl.types import BatchSource

pytestmark = pytest.mark.gpu
METHODS = ("ts2vec", "coles")
Setup = tuple[nn.Module, Callable[[], BatchSource]]


@pytest.fixture(scope="module")
def ecg200(data_dir: Path) -> np.ndarray:
    """UCR ECG200 training series, (100, 1, 96) float32."""
    return read_ts(data_dir / "ucr" / "ECG200" / "ECG200_TRAIN.ts").to_array()


def event_sequences(count: int = 64, seed: int = 0) -> EventSet:
    """Sequences whose tokens come from a per-sequence subset: slices of one sequence look alike."""
    rng = np.random.default_rng(seed)
    sequences = []
    for _ in range(count):
        tokens = rng.choice(np.arange(1, 21), size=3, replace=False)
        length = int(rng.integers(20, 60))
        sequences.append(
            {
                "token": rng.choice(tokens, size=length).astype(np.int64),
                "delta": rng.exponential(size=length).astype(np.float32),
            }
        )
    return EventSet(sequences=sequences)


def build(name: str, ecg200: np.ndarray, seed: int) -> Setup:
    """(method, a factory of its seeded batch source) on the CPU."""
    torch.manual_seed(seed)
    if name == "ts2vec":
        method: nn.Module = TS2Vec(
            DilatedConvEncoder(1, hidden_dims=32, output_dims=64, depth=4)
        )
        rows = SignalSet(x=ecg200)
        return method, lambda: UniformSource(
            rows, batch_size=16, generator=torch.Generator().manual_seed(seed)
        )
    fields = {"categorical": {"token": 21}, "numeric": ["delta"]}
    method = CoLES(EventSequenceEncoder(fields, embedding_dim=8, hidden_dims=32))
    events = event_sequences()
    return method, lambda: EventSliceSource(
        events,
        batch_size=16,
        generator=torch.Generator().manual_seed(seed),
        max_len=20,
    )


def settings(seed: int = 0, **overrides: object) -> TrainConfig:
    base = {"device": "cuda", "precision": "auto", "lr": 3e-3, "seed": seed}
    base |= {"batch_size": 16, "progress": False, "log_every": 1}
    return TrainConfig(**{**base, **overrides})  # type: ignore[arg-type]


def train(
    name: str, ecg200: np.ndarray, steps: int, seed: int = 0, **overrides: object
) -> loop.TrainResult:
    method, source = build(name, ecg200, seed)
    return fit(method, source(), settings(seed, **overrides), max_steps=steps)


@pytest.fixture(autouse=True)
def deterministic() -> Iterator[None]:
    torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = True, False
    yield
    torch.backends.cudnn.deterministic = False


@pytest.mark.parametrize("name", METHODS)
def test_loss_falls_on_the_gpu(name: str, ecg200: np.ndarray) -> None:
    result = train(name, ecg200, steps=60)
    losses = [row["loss"] for row in result.history]
    assert next(result.method.parameters()).device.type == "cuda"
    assert sum(losses[-10:]) < 0.9 * sum(losses[:10]), losses


@pytest.mark.parametrize("name", METHODS)
def test_two_runs_with_one_seed_agree(name: str, ecg200: np.ndarray) -> None:
    first, second = (train(name, ecg200, steps=10) for _ in range(2))
    assert [r["loss"] for r in first.history] == pytest.approx(
        [r["loss"] for r in second.history], rel=1e-3
    )


@pytest.mark.parametrize("name", METHODS)
def test_validation_forks_and_restores_the_cuda_rng(
    name: str, ecg200: np.ndarray
) -> None:
    method, source = build(name, ecg200, seed=0)
    method = method.cuda()
    batches = [source().next() for _ in range(2)]
    torch.cuda.manual_seed(11)
    before = torch.cuda.get_rng_state()
    first = validation_loss(method, lambda: batches, torch.device("cuda"), seed=3)
    assert torch.equal(torch.cuda.get_rng_state(), before)
    torch.rand(3, device="cuda")  # a different CUDA RNG state: the same value anyway
    assert validation_loss(
        method, lambda: batches, torch.device("cuda"), seed=3
    ) == pytest.approx(first, rel=1e-5)


@pytest.mark.parametrize("name", METHODS)
def test_validation_leaves_training_unchanged(name: str, ecg200: np.ndarray) -> None:
    method, source = build(name, ecg200, seed=0)
    held_out = [source().next() for _ in range(2)]
    plain = train(name, ecg200, steps=8)
    checked_method, checked_source = build(name, ecg200, seed=0)
    checked = fit(
        checked_method,
        checked_source(),
        settings(val_every=2),
        max_steps=8,
        val_data=lambda: held_out,
    )
    assert [r["loss"] for r in plain.history] == pytest.approx(
        [r["loss"] for r in checked.history], rel=1e-3
    )


@pytest.mark.parametrize("name", METHODS)
def test_batches_reach_the_device_from_pinned_memory(
    name: str, ecg200: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    pinned = []
    real = torch.Tensor.pin_memory

    def spy(tensor: torch.Tensor, *args: object, **kwargs: object) -> torch.Tensor:
        out = real(tensor, *args, **kwargs)
        pinned.append(out.is_pinned())
        return out

    monkeypatch.setattr(torch.Tensor, "pin_memory", spy)
    train(name, ecg200, steps=5)
    assert len(pinned) >= 5 and all(pinned)


@pytest.mark.parametrize("name", METHODS)
def test_no_training_step_synchronises_with_the_host(
    name: str, ecg200: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_step = loop._Trainer.train_step

    def strict_step(self: loop._Trainer) -> dict[str, torch.Tensor]:
        torch.cuda.set_sync_debug_mode("error")  # a device -> host copy raises
        try:
            return real_step(self)
        finally:
            torch.cuda.set_sync_debug_mode("default")

    monkeypatch.setattr(loop._Trainer, "train_step", strict_step)
    result = train(name, ecg200, steps=5, log_every=100)
    assert result.steps == 5
