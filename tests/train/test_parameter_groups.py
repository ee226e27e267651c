"""Methods with several parameter groups: one optimizer each, stepped in the method's order, resumed exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import Tensor, nn

from tscl.config import TrainConfig
from tscl.data.sources import UniformSource
from tscl.data.training import SignalSet
from tscl.errors import ConfigError
from tscl.train.checkpoint import load_checkpoint
from tscl.train.loop import fit
from tscl.types import SignalBatch


class TwoPartMethod(nn.Module):
    """An encoder and an adversarial 'augmenter' gain, trained in alternation (AutoTCL-like shape)."""

    def __init__(self, seed: int = 0) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.encoder = nn.Conv1d(2, 4, 3, padding=1)
        self.augmenter = nn.Conv1d(2, 2, 1)
        self.calls: list[str] = []

    def parameter_groups(self) -> dict[str, list[nn.Parameter]]:
        return {
            "encoder": list(self.encoder.parameters()),
            "augmenter": list(self.augmenter.parameters()),
        }

    def step_groups(self, step: int) -> list[str]:
        return ["augmenter", "encoder"] if step % 2 == 0 else ["encoder"]

    def optimizer_options(self, group: str) -> dict[str, float]:
        return {"lr": 0.005} if group == "augmenter" else {}

    def forward(
        self, batch: SignalBatch, generator: torch.Generator, group: str | None = None
    ) -> dict[str, Tensor]:
        self.calls.append(group or "")
        x = batch.x
        noise = torch.randn(x.shape, generator=generator) * 0.1
        view = x + self.augmenter(x) + noise
        z_a, z_b = self.encoder(x).mean(-1), self.encoder(view).mean(-1)
        agreement = (z_a - z_b).pow(2).mean()
        if group == "augmenter":
            return {"loss": -agreement + 0.1 * self.augmenter.weight.pow(2).sum()}
        return {"loss": agreement + (z_a.pow(2).mean() - 1).pow(2)}


def source(seed: int = 3) -> UniformSource:
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(20, 2, 16, generator=generator).numpy()
    return UniformSource(
        SignalSet(x=x), batch_size=4, generator=torch.Generator().manual_seed(seed)
    )


def settings(**extra: object) -> TrainConfig:
    return TrainConfig(seed=5, progress=False, log_every=1, averaging="none", **extra)  # type: ignore[arg-type]


def test_each_group_has_its_optimizer_and_order() -> None:
    method = TwoPartMethod()
    result = fit(method, source(), settings(), max_steps=4)
    assert method.calls == ["augmenter", "encoder", "encoder"] * 2
    row = result.history[0]
    assert {"augmenter.loss", "encoder.loss", "augmenter.lr", "encoder.lr"} <= set(row)
    assert row["augmenter.lr"] == 0.005 and row["encoder.lr"] == 0.001


def test_two_optimizer_method_resumes_bit_exactly(tmp_path: Path) -> None:
    straight = fit(TwoPartMethod(), source(), settings(), max_steps=9)

    class Stop(Exception):
        pass

    def stop_at_6(step: int, _: dict[str, float]) -> None:
        if step == 6:
            raise Stop

    checkpoint = tmp_path / "ckpt.pt"
    with pytest.raises(Stop):
        fit(
            TwoPartMethod(),
            source(),
            settings(checkpoint_every=3),
            max_steps=9,
            checkpoint_path=checkpoint,
            callbacks=[stop_at_6],
        )
    state = load_checkpoint(checkpoint)
    assert state["step"] == 3 and set(state["optimizers"]) == {"encoder", "augmenter"}
    resumed = fit(
        TwoPartMethod(seed=42),
        source(seed=99),  # the checkpoint's source state replaces this one's
        settings(checkpoint_every=3),
        max_steps=9,
        checkpoint_path=checkpoint,
        resume=checkpoint,
    )
    for key, value in straight.method.state_dict().items():
        assert torch.equal(value, resumed.method.state_dict()[key]), key
    assert [h["loss"] for h in straight.history] == [h["loss"] for h in resumed.history]


def test_after_checkpoint_hooks_run_once_the_file_exists(tmp_path: Path) -> None:
    seen: list[tuple[int, bool]] = []
    fit(
        TwoPartMethod(),
        source(),
        settings(checkpoint_every=2),
        max_steps=4,
        checkpoint_path=tmp_path / "c.pt",
        after_checkpoint=[lambda path, step: seen.append((step, path.is_file()))],
    )
    assert seen == [(2, True), (4, True)]


def test_groups_sharing_a_parameter_are_refused() -> None:
    method = TwoPartMethod()
    method.parameter_groups = lambda: {  # type: ignore[method-assign]
        "a": list(method.encoder.parameters()),
        "b": list(method.parameters()),
    }
    with pytest.raises(ConfigError, match="shares parameters"):
        fit(method, source(), settings(), max_steps=1)
