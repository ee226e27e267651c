"""CoLES: the slice-contrastive loss against a direct per-pair computation."""

from __future__ import annotations

import math

import numpy as np
import torch

from tscl.data.event_batches import collate_events
from tscl.encoders.event_rnn import EventSequenceEncoder
from tscl.methods.coles import CoLES, coles_loss, slice_positive_mask


def _direct_loss(z: torch.Tensor, index: list[int], temperature: float) -> float:
    """Per anchor, per positive: -log(exp(s_ip/t) / sum_{k != i} exp(s_ik/t)), in plain loops."""
    unit = [row / math.sqrt(float(row @ row)) for row in z.double()]
    per_anchor = []
    for i in range(len(unit)):
        sims = {
            k: float(unit[i] @ unit[k]) / temperature
            for k in range(len(unit))
            if k != i
        }
        log_denominator = math.log(sum(math.exp(s) for s in sims.values()))
        positives = [k for k in sims if index[k] == index[i]]
        if positives:
            terms = [-(sims[p] - log_denominator) for p in positives]
            per_anchor.append(sum(terms) / len(terms))
    return sum(per_anchor) / len(per_anchor)


def test_loss_equals_direct_per_pair_computation() -> None:
    generator = torch.Generator().manual_seed(0)
    z = torch.randn(7, 5, generator=generator)
    index = [3, 3, 3, 8, 8, 1, 9]  # row 5 and row 6 have no positive: not anchors
    got = coles_loss(z, torch.tensor(index), temperature=0.3)
    assert math.isclose(float(got), _direct_loss(z, index, 0.3), rel_tol=1e-5)


def test_positive_mask_is_equal_index_off_the_diagonal() -> None:
    mask = slice_positive_mask(torch.tensor([0, 0, 1]))
    assert mask.tolist() == [
        [False, True, False],
        [True, False, False],
        [False, False, False],
    ]


def test_method_returns_a_finite_loss_with_gradients() -> None:
    torch.manual_seed(0)
    fields = {"categorical": {"token": 6}, "numeric": ["delta"]}
    encoder = EventSequenceEncoder(fields, embedding_dim=4, hidden_dims=8)
    method = CoLES(encoder, temperature=0.2, projection_dim=4)
    rng = np.random.default_rng(0)
    sequences = [
        {"token": rng.integers(2, 6, n), "delta": rng.normal(size=n).astype(np.float32)}
        for n in (3, 4, 5, 2)
    ]
    batch = collate_events(sequences, index=np.array([0, 0, 1, 1]))
    loss = method(batch, torch.Generator())["loss"]
    assert loss.ndim == 0 and torch.isfinite(loss)
    loss.backward()
    assert encoder.embeddings["token"].weight.grad is not None
