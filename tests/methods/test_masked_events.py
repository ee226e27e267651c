"""Masked event modelling: which events are hidden, what is predicted, and the loss at hidden events."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from tscl.data.event_batches import collate_events
from tscl.domains.events.prepare import encode_log, fit_preprocessing
from tscl.domains.events.tasks import CaseLog
from tscl.encoders.event_rnn import EventSequenceEncoder
from tscl.errors import DataError
from tscl.methods.coles_mem import CoLESMaskedEvents
from tscl.methods.masked_events import (
    MaskedEventModel,
    draw_event_masks,
    mask_inputs,
    masked_event_loss,
)


def hand_log() -> CaseLog:
    """Three cases: tokens a/b/c and seconds between events (0 for the first)."""
    tokens = [["a", "b", "a", "c"], ["b", "b"], ["c", "a", "b", "b", "a"]]
    seconds = [[0, 10, 100, 1000], [0, 5], [0, 1, 2, 3, 4]]
    return CaseLog(
        case_ids=["1", "2", "3"],
        categorical={"token": [np.array(t) for t in tokens]},
        numeric={"delta": [np.array(s, dtype=float) for s in seconds]},
        labels=["x", "y", "x"],
        subjects=["1", "2", "3"],
    )


def hand_batch():
    log = hand_log()
    rows = np.arange(3)
    preprocessing = fit_preprocessing(log, rows)
    data = encode_log(log, rows, preprocessing, None)
    return collate_events(data.sequences), preprocessing


def test_masks_hide_only_real_events_and_events_mode_hides_all_fields() -> None:
    batch, _ = hand_batch()
    generator = torch.Generator().manual_seed(0)
    masks = draw_event_masks(
        batch, ["token", "delta"], rate=0.5, mode="events", generator=generator
    )
    assert torch.equal(masks["token"], masks["delta"])
    assert not (masks["token"] & ~batch.mask).any()  # padding never hidden
    assert masks["token"].any()
    fields = draw_event_masks(
        batch, ["token", "delta"], rate=0.5, mode="fields", generator=generator
    )
    assert not torch.equal(fields["token"], fields["delta"])


def test_mask_rate_is_the_share_of_hidden_events() -> None:
    lengths = [50] * 40
    batch = collate_events([{"token": np.full(n, 2)} for n in lengths])
    masks = draw_event_masks(
        batch, ["token"], rate=0.2, generator=torch.Generator().manual_seed(1)
    )
    assert abs(float(masks["token"].float().mean()) - 0.2) < 0.02


def test_a_draw_that_hides_nothing_hides_the_first_event() -> None:
    batch = collate_events([{"token": np.array([2])}])
    masks = draw_event_masks(
        batch, ["token"], rate=1e-9, generator=torch.Generator().manual_seed(0)
    )
    assert masks["token"].tolist() == [[True]]


def test_bad_rate_and_mode_are_one_line_errors() -> None:
    batch, _ = hand_batch()
    with pytest.raises(DataError, match="mask_rate"):
        draw_event_masks(batch, ["token"], rate=1.5)
    with pytest.raises(DataError, match="mask_mode"):
        draw_event_masks(batch, ["token"], rate=0.1, mode="tokens")


def test_mask_inputs_replace_only_the_hidden_fields_columns() -> None:
    x = torch.arange(2 * 3 * 4, dtype=torch.float32).reshape(2, 3, 4)
    masks = {
        "token": torch.tensor([[True, False, False], [False, False, False]]),
        "delta": torch.tensor([[False, False, False], [False, True, False]]),
    }
    columns = {"token": slice(0, 3), "delta": slice(3, 4)}
    token = torch.full((4,), -1.0)
    out = mask_inputs(x, masks, columns, token)
    assert out[0, 0, :3].tolist() == [-1.0] * 3 and out[0, 0, 3] == x[0, 0, 3]
    assert out[1, 1, 3] == -1.0 and torch.equal(out[1, 1, :3], x[1, 1, :3])
    changed = (out != x).sum()
    assert changed == 4


def test_targets_are_the_coded_tokens_and_scaled_deltas() -> None:
    batch, preprocessing = hand_batch()
    tokens = preprocessing["vocab"]["token"]["tokens"]
    assert tokens == ["a", "b", "c"]  # codes 2, 3, 4
    assert batch.fields["token"][0].tolist() == [2, 3, 2, 4, 0]
    scaler = preprocessing["numeric"]["delta"]
    want = (math.log1p(100) - scaler["mean"]) / scaler["std"]
    assert math.isclose(float(batch.fields["delta"][0, 2]), want, rel_tol=1e-5)


def test_loss_at_hidden_events_equals_hand_computation() -> None:
    batch, _ = hand_batch()
    masks = {"token": torch.zeros(3, 5, dtype=torch.bool)}
    masks["token"][0, 1] = masks["token"][2, 4] = True  # codes 3 ("b") and 2 ("a")
    masks["delta"] = masks["token"].clone()
    logits = torch.zeros(3, 5, 5)
    logits[0, 1, 3] = 2.0  # right code at 2.0, the other four at 0
    guess = torch.zeros(3, 5)
    guess[2, 4] = 1.0
    terms = masked_event_loss(
        {"token": logits, "delta": guess}, batch, masks, numeric_weight=0.5
    )
    right = -math.log(math.exp(2) / (math.exp(2) + 4))
    assert math.isclose(
        float(terms["mem_token"]), (right + math.log(5)) / 2, rel_tol=1e-6
    )
    deltas = batch.fields["delta"]
    mse = (float(deltas[0, 1]) ** 2 + (1.0 - float(deltas[2, 4])) ** 2) / 2
    assert math.isclose(float(terms["mem_delta"]), 0.5 * mse, rel_tol=1e-5)
    assert math.isclose(
        float(terms["loss"]),
        float(terms["mem_token"] + terms["mem_delta"]),
        rel_tol=1e-6,
    )


def test_model_learns_to_fill_in_a_periodic_log() -> None:
    """Tokens repeat a, b, c: masked tokens are predictable from the prefix."""
    torch.manual_seed(0)
    sequences = [
        {"token": np.array([2 + (i + s) % 3 for i in range(12)])} for s in range(3)
    ] * 4
    batch = collate_events(sequences)
    encoder = EventSequenceEncoder(
        {"categorical": {"token": 5}}, embedding_dim=8, hidden_dims=16
    )
    model = MaskedEventModel(encoder, mask_rate=0.3)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    generator = torch.Generator().manual_seed(0)
    first = None
    for _ in range(100):
        loss = model(batch, generator)["mem_token"]
        first = float(loss.detach()) if first is None else first
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert first > 1.0 and float(loss.detach()) < 0.4 * first


def test_hybrid_adds_the_alignment_term() -> None:
    torch.manual_seed(0)
    batch, preprocessing = hand_batch()
    batch.index = torch.tensor([0, 1, 0])  # rows 0 and 2 slices of one sequence
    encoder = EventSequenceEncoder(preprocessing["fields"], hidden_dims=8)
    joint = CoLESMaskedEvents(encoder)(batch, torch.Generator().manual_seed(0))
    hybrid = CoLESMaskedEvents(encoder, align=True)(
        batch, torch.Generator().manual_seed(0)
    )
    assert "align" not in joint and "align" in hybrid
    assert torch.isclose(joint["loss"], joint["contrastive"] + joint["generative"])
    assert torch.isclose(
        hybrid["loss"], hybrid["contrastive"] + hybrid["generative"] + hybrid["align"]
    )


def test_handcrafted_features_of_the_hand_log() -> None:
    from tscl.domains.events.features import feature_names, handcrafted_features

    log = hand_log()
    preprocessing = fit_preprocessing(log, np.arange(3))
    data = encode_log(log, np.arange(3), preprocessing, None)
    features = handcrafted_features(data, preprocessing)
    names = feature_names(preprocessing)
    assert features.shape == (3, len(names))
    row = dict(zip(names, features[0], strict=True))
    assert row["count:token:a"] == 2 and row["count:token:c"] == 1
    assert row["count:token:<unseen>"] == 0 and row["n_events"] == 4
    assert math.isclose(row["log_duration"], math.log1p(1110), rel_tol=1e-4)
    assert math.isclose(row["log_max_gap"], math.log1p(1000), rel_tol=1e-4)
