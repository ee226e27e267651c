from __future__ import annotations

from pathlib import Path

import pytest
import torch

from tscl.config import TrainConfig
from tscl.encoders.dilated_conv import DilatedConvEncoder
from tscl.methods.ts2vec import TS2Vec
from tscl.train.checkpoint import load_checkpoint
from tscl.train.loop import fit


def small_method(seed: int = 0) -> TS2Vec:
    torch.manual_seed(seed)
    return TS2Vec(DilatedConvEncoder(2, hidden_dims=8, output_dims=16, depth=2))


def sine_data(n: int = 24, length: int = 40) -> torch.Tensor:
    generator = torch.Generator().manual_seed(1)
    t = torch.linspace(0, 6.28, length)
    phase = torch.rand(n, 1, 1, generator=generator) * 6.28
    x = torch.cat([torch.sin(t + phase), torch.cos(2 * t + phase)], dim=1)  # (N, 2, T)
    return x + 0.1 * torch.randn(x.shape, generator=generator)


def settings(**overrides: object) -> TrainConfig:
    base = {"batch_size": 8, "seed": 7, "progress": False, "log_every": 1}
    return TrainConfig(**{**base, **overrides})  # type: ignore[arg-type]


class Interrupt(Exception):
    pass


def test_resume_matches_uninterrupted_run(tmp_path: Path) -> None:
    data = sine_data()
    straight = fit(small_method(), data, settings(), max_steps=12)

    def stop_at_7(step: int, _: dict[str, float]) -> None:
        if step == 7:
            raise Interrupt  # a killed run: the last checkpoint is from step 4

    checkpoint = tmp_path / "ckpt.pt"
    with pytest.raises(Interrupt):
        fit(
            small_method(),
            data,
            settings(checkpoint_every=4),
            max_steps=12,
            checkpoint_path=checkpoint,
            callbacks=[stop_at_7],
        )
    assert load_checkpoint(checkpoint)["step"] == 4
    resumed = fit(
        small_method(seed=99),
        data,
        settings(checkpoint_every=4),
        max_steps=12,
        checkpoint_path=checkpoint,
        resume=checkpoint,
    )
    assert resumed.steps == 12
    for name, value in straight.method.state_dict().items():
        assert torch.equal(value, resumed.method.state_dict()[name]), name
    for name, value in straight.averaged.state_dict().items():
        assert torch.equal(value, resumed.averaged.state_dict()[name]), name
    assert [row["loss"] for row in straight.history] == [
        row["loss"] for row in resumed.history
    ]


def test_loss_falls_and_history_has_terms() -> None:
    result = fit(small_method(), sine_data(), settings(lr=1e-2), max_steps=120)
    losses = [row["loss"] for row in result.history]
    assert sum(losses[-10:]) < 0.8 * sum(losses[:10])
    assert {"loss", "lr", "samples_per_s", "step"} <= set(result.history[0])


def test_cosine_schedule_and_validation_loss() -> None:
    data = sine_data()
    result = fit(
        small_method(),
        data[:16],
        settings(schedule="cosine", warmup_steps=2, val_every=5),
        max_steps=10,
        val_data=data[16:],
    )
    lrs = [row["lr"] for row in result.history]
    assert lrs[0] == pytest.approx(
        1e-3
    )  # after step 1 of a 2-step warm-up the factor is 2/2
    assert lrs[-1] == pytest.approx(0.0, abs=1e-12)
    assert all(lrs[i] >= lrs[i + 1] for i in range(1, len(lrs) - 1))
    assert [row["step"] for row in result.history if "val_loss" in row] == [5, 10]


def test_checkpoint_is_atomic_and_complete(tmp_path: Path) -> None:
    checkpoint = tmp_path / "ckpt.pt"
    fit(
        small_method(), sine_data(), settings(), max_steps=3, checkpoint_path=checkpoint
    )
    state = load_checkpoint(checkpoint)
    assert {
        "method",
        "averaged",
        "optimizers",
        "schedulers",
        "scaler",
        "rng",
        "source",
        "step",
        "config",
    } <= set(state)
    assert not list(tmp_path.glob("*.tmp"))
