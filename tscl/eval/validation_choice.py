"""The candidate probe a hold-out protocol keeps: the highest validation macro-F1 so far."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.metrics import f1_score


@dataclass
class ValidationChoice:
    """Offered fitted candidates one by one, keeps the best by validation macro-F1 (the first of ties).

    Args:
        val_x: the validation features (N, D) every candidate predicts.
        val_y: their labels (N,).
    """

    val_x: np.ndarray
    val_y: np.ndarray
    score: float = -1.0
    model: Any = None
    setting: dict[str, float] = field(default_factory=dict)

    def offer(
        self,
        model: Any,
        setting: dict[str, float],
        keep: Callable[[Any], Any] = lambda model: model,
    ) -> bool:
        """Scores ``model`` on validation; keeps ``keep(model)`` and ``setting`` if it is the best so far.

        ``keep``: e.g. ``copy.deepcopy`` for a model that is refitted in place
        (warm starts) after the offer.
        """
        score = float(f1_score(self.val_y, model.predict(self.val_x), average="macro"))
        if score <= self.score:
            return False
        self.score, self.model, self.setting = score, keep(model), dict(setting)
        return True
