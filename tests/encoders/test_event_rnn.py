"""EventSequenceEncoder: shapes, and padding does not change a sequence's embedding."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tscl.data.event_batches import collate_events
from tscl.encoders.event_rnn import EventSequenceEncoder

FIELDS = {"categorical": {"token": 12, "unit": 5}, "numeric": ["amount", "delta"]}


def _sequence(length: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "token": rng.integers(1, 12, length),
        "unit": rng.integers(1, 5, length),
        "amount": rng.normal(size=length).astype(np.float32),
        "delta": rng.normal(size=length).astype(np.float32),
    }


@pytest.mark.parametrize("kind", ["gru", "transformer"])
def test_shapes_and_padding_invariance(kind: str) -> None:
    torch.manual_seed(0)
    encoder = EventSequenceEncoder(
        FIELDS, embedding_dim=8, hidden_dims=16, kind=kind, num_layers=2
    )
    encoder.eval()
    short, long = _sequence(4, 0), _sequence(11, 1)
    batch = collate_events([short, long])
    out = encoder(batch)
    assert encoder.out_dim == 16
    assert out.shape == (2, 16, 11)
    assert torch.all(out[0, :, 4:] == 0) and torch.isfinite(out).all()
    z = encoder.embed(batch)
    assert z.shape == (2, 16)
    alone = encoder.embed(collate_events([short]))  # no padding at all
    torch.testing.assert_close(z[0], alone[0], atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(
        out[0, :, :4], encoder(collate_events([short]))[0], atol=1e-5, rtol=1e-5
    )


def test_gru_embedding_is_the_output_at_the_last_real_event() -> None:
    torch.manual_seed(0)
    encoder = EventSequenceEncoder(FIELDS, embedding_dim=8, hidden_dims=16)
    batch = collate_events([_sequence(3, 2), _sequence(7, 3)])
    out, z = encoder(batch), encoder.embed(batch)
    torch.testing.assert_close(z[0], out[0, :, 2])
    torch.testing.assert_close(z[1], out[1, :, 6])


def test_padding_code_embeds_to_zero_and_gradients_flow() -> None:
    encoder = EventSequenceEncoder(FIELDS, embedding_dim=8, hidden_dims=16)
    assert torch.all(encoder.embeddings["token"].weight[0] == 0)
    encoder.embed(collate_events([_sequence(5, 4), _sequence(2, 5)])).sum().backward()
    assert encoder.embeddings["token"].weight.grad is not None


def test_bucketed_gru_equals_one_packed_run() -> None:
    torch.manual_seed(0)
    lengths = [1, 7, 3, 3, 12, 2, 5, 0]
    batch = collate_events(
        [
            {"token": np.arange(n) % 4 + 2, "delta": np.ones(n, np.float32)}
            for n in lengths
        ]
    )
    fields = {"categorical": {"token": 6}, "numeric": ["delta"]}
    packed = EventSequenceEncoder(fields, hidden_dims=8, length_buckets=0)
    bucketed = EventSequenceEncoder(fields, hidden_dims=8, length_buckets=3)
    bucketed.load_state_dict(packed.state_dict())
    assert torch.allclose(packed.embed(batch), bucketed.embed(batch), atol=1e-6)
    assert torch.allclose(packed(batch), bucketed(batch), atol=1e-6)
