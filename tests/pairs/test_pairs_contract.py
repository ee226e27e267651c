"""Every PAIRS strategy: finite loss with gradients on time-resolved views of a small batch."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
import torch
from torch import nn

from tscl.config import TrainConfig
from tscl.data.training import SignalSet
from tscl.methods.alternation import AUGMENT_GROUP, ENCODER_GROUP
from tscl.methods.autotcl import AutoTCL
from tscl.methods.contrastive import Contrastive
from tscl.pairs import PAIRS
from tscl.types import SignalBatch

PARAMS: dict[str, dict[str, Any]] = {
    "retrieval": {"num_candidates": 3, "within_negatives": 1, "stage1_steps": 2},
}


def batch() -> SignalBatch:
    rows = torch.arange(8)
    generator = torch.Generator().manual_seed(0)
    return SignalBatch(
        x=torch.randn(8, 2, 16, generator=generator),
        y=rows % 2,
        ids={"subject": rows // 4, "recording": rows // 2},
        index=rows // 2,  # pairs of slices of one row
    )


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_strategy_gives_a_finite_loss_with_gradients(name: str, tmp_path: Path) -> None:
    torch.manual_seed(0)
    encoder = nn.Conv1d(2, 6, 3, padding=1)
    encoder.out_dim = 6  # type: ignore[assignment]
    method = Contrastive(encoder, pairs=PAIRS[name](**PARAMS.get(name, {})))
    data = SignalSet(
        x=np.random.default_rng(0).normal(size=(10, 2, 16)).astype(np.float32)
    )
    context = SimpleNamespace(
        source=SimpleNamespace(data=data),
        device=torch.device("cpu"),
        settings=TrainConfig(),
        extra={"run_dir": tmp_path},
    )
    method.prepare(context)
    terms = method(batch(), torch.Generator().manual_seed(1))
    assert terms["loss"].shape == () and torch.isfinite(terms["loss"])
    terms["loss"].backward()
    assert encoder.weight.grad is not None and encoder.weight.grad.abs().sum() > 0


def test_learned_augmentation_gets_its_own_group_and_alternates() -> None:
    encoder = nn.Conv1d(2, 6, 3, padding=1)
    encoder.out_dim = 6  # type: ignore[assignment]
    method = AutoTCL(encoder, augment_every=2)
    groups = method.parameter_groups()
    assert set(groups) == {AUGMENT_GROUP, ENCODER_GROUP}
    learned = {id(p) for p in method.augment.parameters()}
    assert {id(p) for p in groups[AUGMENT_GROUP]} == learned
    assert not learned & {id(p) for p in groups[ENCODER_GROUP]}
    assert method.step_groups(0) == [AUGMENT_GROUP, ENCODER_GROUP]
    assert method.step_groups(1) == [ENCODER_GROUP]
    generator = torch.Generator().manual_seed(0)
    x = batch()
    out = method(x, generator, group=AUGMENT_GROUP)
    out["loss"].backward()
    assert all(p.grad is not None for p in groups[AUGMENT_GROUP])
    method.zero_grad()
    method(x, generator, group=ENCODER_GROUP)["loss"].backward()
    assert all(p.grad is None for p in groups[AUGMENT_GROUP])
