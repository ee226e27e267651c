"""A probe stored as plain data predicts exactly what the fitted sklearn pipeline predicts."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tscl.errors import DataError
from tscl.eval.patient_cv import fit_probe
from tscl.eval.probe_state import probe_predict, probe_probabilities, probe_to_state


@pytest.mark.parametrize("classes", [2, 4])
def test_state_reproduces_the_pipeline(classes: int) -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, classes, 300)
    z = rng.normal(size=(300, 6)) + y[:, None] * np.linspace(0.2, 1.0, 6)
    probe = fit_probe(z, y)
    state = json.loads(json.dumps(probe_to_state(probe, ["N", "S", "V", "F"])))
    np.testing.assert_allclose(
        probe_probabilities(state, z), probe.predict_proba(z), atol=1e-9
    )
    np.testing.assert_array_equal(probe_predict(state, z), probe.predict(z))
    assert state["class_names"] == ["N", "S", "V", "F"][:classes]


def test_wrong_width_is_one_clear_error() -> None:
    rng = np.random.default_rng(0)
    probe = fit_probe(rng.normal(size=(40, 3)), np.arange(40) % 2)
    state = probe_to_state(probe, ["a", "b"])
    with pytest.raises(DataError, match=r"\(N, 3\)"):
        probe_probabilities(state, np.zeros((2, 5)))
