"""Endless shuffled epochs over ``n`` items, drawn a span at a time and resumable.

Every batch source draws its rows (or its subjects) this way: a new random
permutation of ``range(n)`` from the source's generator whenever the current
one has fewer than ``span`` items left (drop-last), so an epoch never repeats
an item. ``state_dict`` holds the permutation, the position and the generator.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
from torch import Tensor


class ShuffledOrder:
    """Drop-last epochs of a permutation of ``range(n)`` from ``generator``."""

    def __init__(self, n: int, generator: torch.Generator) -> None:
        self.n, self.generator = n, generator
        self.order = torch.empty(0, dtype=torch.long)
        self.position = 0

    def take(self, span: int) -> Tensor:
        """The next ``span`` items (int64), reshuffling first when too few are left."""
        if self.position + span > len(self.order):
            self.order = torch.randperm(self.n, generator=self.generator)
            self.position = 0
        items = self.order[self.position : self.position + span]
        self.position += span
        return items

    def state_dict(self) -> dict[str, Any]:
        return {
            "order": self.order.clone(),
            "position": self.position,
            "generator": self.generator.get_state(),
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.order, self.position = state["order"].clone(), int(state["position"])
        self.generator.set_state(state["generator"])
