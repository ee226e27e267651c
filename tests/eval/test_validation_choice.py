"""ValidationChoice: the hold-out probes' best-on-validation bookkeeping."""

from __future__ import annotations

import copy

import numpy as np

from tscl.eval.validation_choice import ValidationChoice


class Constant:
    """Predicts ``label`` for every row; ``label`` may change after an offer (as a refit would)."""

    def __init__(self, label: int) -> None:
        self.label = label

    def predict(self, x: np.ndarray) -> np.ndarray:
        return np.full(len(x), self.label)


def test_keeps_the_best_macro_f1_the_first_of_ties_and_a_copy_when_asked() -> None:
    val_x, val_y = np.zeros((4, 1)), np.array([1, 1, 1, 0])
    choice = ValidationChoice(val_x, val_y)
    assert choice.offer(Constant(0), {"C": 0.1})  # macro-F1 (0 + 2/5) / 2 = .2
    assert np.isclose(choice.score, 0.2)
    probe = Constant(1)  # (6/7 + 0) / 2 = 3/7
    assert choice.offer(probe, {"C": 1.0}, keep=copy.deepcopy)
    probe.label = 0  # refitted in place after the offer: the kept copy is unchanged
    assert not choice.offer(Constant(1), {"C": 10.0})  # a tie keeps the first
    assert np.isclose(choice.score, 3 / 7)
    assert choice.setting == {"C": 1.0} and choice.model.label == 1
