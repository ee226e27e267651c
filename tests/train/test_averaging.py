"""The averaged encoder: SWA includes the initial weights (as TS2Vec), EMA decays."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from tscl.errors import ConfigError
from tscl.train.averaging import build_averaged


def _set(module: nn.Linear, value: float) -> None:
    with torch.no_grad():
        module.weight.fill_(value)
        module.bias.fill_(-value)


def test_swa_averages_the_initial_weights_and_every_update() -> None:
    module = nn.Linear(3, 2)
    _set(module, 1.0)
    averaged = build_averaged(module, "swa")
    for value in (2.0, 6.0):
        _set(module, value)
        averaged.update_parameters(module)
    # (1 + 2 + 6) / 3: the initial weights count as the first sample.
    assert torch.allclose(averaged.module.weight, torch.full((2, 3), 3.0))
    assert torch.allclose(averaged.module.bias, torch.full((2,), -3.0))
    assert int(averaged.n_averaged) == 3


def test_ema_starts_from_the_first_update_and_decays() -> None:
    module = nn.Linear(3, 2)
    averaged = build_averaged(module, "ema", ema_decay=0.5)
    _set(module, 4.0)
    averaged.update_parameters(module)  # the first update copies
    _set(module, 0.0)
    averaged.update_parameters(module)  # 0.5 * 4 + 0.5 * 0
    assert torch.allclose(averaged.module.weight, torch.full((2, 3), 2.0))


def test_no_averaging_and_unknown_modes() -> None:
    assert build_averaged(nn.Linear(1, 1), "none") is None
    with pytest.raises(ConfigError, match="train.averaging: 'mean'"):
        build_averaged(nn.Linear(1, 1), "mean")
