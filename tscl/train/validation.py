"""The validation loss during pretraining: the training objective on held-out rows.

The pass runs with fixed randomness so values at different steps compare, and
forks every random state it touches (CPU and the training device) so training
draws exactly what it would have drawn without it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch
from torch import nn

from tscl.types import Batch


def forked_devices(device: torch.device) -> list[int]:
    """CUDA device indices whose RNG state the pass must fork (none on the CPU)."""
    if device.type != "cuda":
        return []
    return [device.index if device.index is not None else torch.cuda.current_device()]


@torch.no_grad()
def validation_loss(
    method: nn.Module,
    batches: Callable[[], Iterable[Batch]],
    device: torch.device,
    seed: int,
) -> float:
    """Mean of the method's ``"loss"`` over ``batches()`` (batches of fewer than 2 rows skipped)."""
    generator = torch.Generator().manual_seed(seed)
    was_training = method.training
    method.eval()
    losses = []
    with torch.random.fork_rng(devices=forked_devices(device)):
        torch.manual_seed(seed)  # seeds CUDA too: the fork restores both afterwards
        for batch in batches():
            if len(batch) < 2:
                continue
            losses.append(float(method(batch.to(device), generator)["loss"]))
    method.train(was_training)
    return sum(losses) / max(1, len(losses))
