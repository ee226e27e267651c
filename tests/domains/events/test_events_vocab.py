"""Vocabulary, numeric scaler and time deltas of the events domain."""

from __future__ import annotations

import json

import numpy as np

from tscl.domains.events.vocab import (
    UNKNOWN_CODE,
    NumericScaler,
    Vocabulary,
    time_deltas,
)


def test_vocabulary_codes_known_tokens_from_two_and_unseen_as_reserved() -> None:
    vocab = Vocabulary.fit([np.array(["b", "a"]), np.array(["a", "c"])])
    assert vocab.tokens == ["a", "b", "c"]
    assert vocab.size == 5
    codes = vocab.encode(["a", "c", "never seen", "b"])
    assert codes.dtype == np.int64
    assert codes.tolist() == [2, 4, UNKNOWN_CODE, 3]


def test_vocabulary_round_trips_through_json() -> None:
    vocab = Vocabulary.fit([np.array(["x|START", "y|COMPLETE"])])
    again = Vocabulary.from_dict(json.loads(json.dumps(vocab.to_dict())))
    tokens = ["y|COMPLETE", "z", "x|START"]
    assert again.encode(tokens).tolist() == vocab.encode(tokens).tolist() == [3, 1, 2]


def test_scaler_log_standardises_on_training_values_and_round_trips() -> None:
    scaler = NumericScaler.fit([np.array([0.0, np.e - 1]), np.array([np.e**2 - 1])])
    # log1p gives 0, 1, 2: mean 1, population std sqrt(2/3)
    assert np.isclose(scaler.mean, 1.0) and np.isclose(scaler.std, np.sqrt(2 / 3))
    again = NumericScaler.from_dict(json.loads(json.dumps(scaler.to_dict())))
    out = again.transform(np.array([np.e - 1, np.nan, -(np.e - 1)]))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [0.0, 0.0, -2 / np.sqrt(2 / 3)], rtol=1e-6)


def test_time_deltas_are_seconds_since_previous_event_first_zero() -> None:
    times = np.array(
        ["2012-01-01T00:00:00", "2012-01-01T00:00:01.5", "2012-01-01T01:00:01.5"],
        dtype="datetime64[ms]",
    )
    np.testing.assert_allclose(time_deltas(times), [0.0, 1.5, 3600.0])
    assert time_deltas(np.array([3.0, 5.0])).tolist() == [0.0, 2.0]
