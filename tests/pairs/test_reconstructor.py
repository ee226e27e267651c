"""REBAR's reconstructor: batched scoring equals both loops; stage 1 learns."""

from __future__ import annotations

import torch

from tscl.pairs.reconstructor import (
    CrossAttentionReconstructor,
    auto_chunk_size,
    random_keep,
    score_candidates,
    score_candidates_by_slot,
    score_candidates_loop,
    train_reconstructor,
)


def _walks(n: int, generator: torch.Generator) -> torch.Tensor:
    return torch.randn(n, 2, 40, generator=generator).cumsum(-1) / 6


def _count_key_encodings(model: CrossAttentionReconstructor) -> list[int]:
    """The candidate rows of each later key-encoding call of ``model``."""
    calls: list[int] = []
    encode = model.encode_key_decoded
    model.encode_key_decoded = lambda x: calls.append(len(x)) or encode(x)  # type: ignore[method-assign]
    return calls


def test_batched_chunked_scoring_equals_the_loop() -> None:
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(0)
    model = CrossAttentionReconstructor(2, hidden_dims=8, depth=2).eval()
    anchors, candidates = (
        _walks(5, generator),
        _walks(5 * 7, generator).view(5, 7, 2, 40),
    )
    keep = random_keep((5, 40), 0.5, generator, torch.device("cpu"))
    looped = score_candidates_loop(model, anchors, candidates, keep)
    by_slot = score_candidates_by_slot(model, anchors, candidates, keep)
    assert torch.allclose(by_slot, looped, rtol=1e-5, atol=1e-6)
    for chunk in (0, 3, 35, 512):  # 0: sized to the device
        batched = score_candidates(model, anchors, candidates, keep, chunk_size=chunk)
        assert torch.allclose(batched, looped, rtol=1e-5, atol=1e-6)
        assert torch.equal(batched.argmin(1), looped.argmin(1))


def test_the_folded_decode_equals_value_then_decode() -> None:
    torch.manual_seed(0)
    model = CrossAttentionReconstructor(3, hidden_dims=8, depth=2).eval()
    queries, candidate = torch.randn(4, 6, 8), torch.randn(4, 3, 10)
    direct = model.attend(queries, *model.encode_key(candidate))
    folded = model.attend_decoded(queries, *model.encode_key_decoded(candidate))
    assert folded.shape == direct.shape == (4, 3, 6)
    assert torch.allclose(folded, direct, rtol=1e-5, atol=1e-6)


def test_cpu_chunks_keep_the_attention_weights_cache_sized() -> None:
    cpu = torch.device("cpu")
    # 100 masked queries x 200 keys: 80,000 bytes of float32 weights a pair.
    assert auto_chunk_size(cpu, 100, 200) == (4 << 20) // 80_000 == 52
    assert auto_chunk_size(cpu, 2000, 4000) == 1  # one pair is past the budget
    assert auto_chunk_size(cpu, 1, 2) == 512  # capped
    assert auto_chunk_size(torch.device("meta"), 100, 200) == 512


def test_stage_one_loss_falls_and_the_true_source_scores_best() -> None:
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(1)
    pool = _walks(64, generator)
    model = CrossAttentionReconstructor(2, hidden_dims=16, depth=2)

    def draw() -> torch.Tensor:
        return pool[torch.randint(0, 64, (16,), generator=generator)]

    history = train_reconstructor(
        model,
        draw,
        steps=60,
        lr=3e-3,
        mask_p=0.5,
        generator=generator,
        device=torch.device("cpu"),
    )
    assert sum(history[-10:]) < 0.5 * sum(history[:10])
    anchors = pool[:8]
    # Candidate 0 is the anchor itself, the others are other walks.
    candidates = torch.stack([pool[[i, *range(20, 26)]] for i in range(8)])
    keep = random_keep((8, 40), 0.5, generator, torch.device("cpu"))
    errors = score_candidates(model, anchors, candidates, keep)
    assert (errors.argmin(1) == 0).float().mean() >= 0.75


def test_candidates_drawn_twice_are_encoded_once_with_the_same_errors() -> None:
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(2)
    model = CrossAttentionReconstructor(2, hidden_dims=8, depth=2).eval()
    pool = _walks(6, generator)
    ids = torch.randint(0, 6, (5, 7), generator=generator)  # 35 draws of 6 rows
    anchors, candidates = _walks(5, generator), pool[ids]  # (5, 7, 2, 40)
    keep = random_keep((5, 40), 0.5, generator, torch.device("cpu"))
    plain = score_candidates(model, anchors, candidates, keep)
    calls = _count_key_encodings(model)
    for chunk in (0, 4):
        calls.clear()
        deduped = score_candidates(
            model, anchors, candidates, keep, chunk_size=chunk, candidate_ids=ids
        )
        torch.testing.assert_close(deduped, plain)
        assert sum(calls) == len(torch.unique(ids))  # each distinct row once


def test_mostly_distinct_candidates_are_encoded_chunk_by_chunk() -> None:
    """Ids that barely repeat would hold every distinct key at once: encoded per chunk instead."""
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(3)
    model = CrossAttentionReconstructor(2, hidden_dims=8, depth=2).eval()
    pool = _walks(30, generator)
    ids = torch.randperm(30, generator=generator)[:20].view(4, 5)  # 20 distinct rows
    anchors, candidates = _walks(4, generator), pool[ids]  # (4, 5, 2, 40)
    keep = random_keep((4, 40), 0.5, generator, torch.device("cpu"))
    plain = score_candidates(model, anchors, candidates, keep, chunk_size=6)
    calls = _count_key_encodings(model)
    chosen = score_candidates(
        model, anchors, candidates, keep, chunk_size=6, candidate_ids=ids
    )
    torch.testing.assert_close(chosen, plain)
    assert calls == [6, 6, 6, 2]  # the pairs' chunks, no pass over all distinct rows


def test_distinct_keys_past_the_byte_budget_are_encoded_chunk_by_chunk(
    monkeypatch,
) -> None:
    """Few distinct rows whose keys would still exceed DEDUP_KEY_BYTES: no pass over them all."""
    from tscl.pairs import reconstructor

    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(2)
    model = CrossAttentionReconstructor(2, hidden_dims=8, depth=2).eval()
    pool = _walks(6, generator)
    ids = torch.randint(0, 6, (5, 7), generator=generator)  # 35 draws of 6 rows
    anchors, candidates = _walks(5, generator), pool[ids]
    keep = random_keep((5, 40), 0.5, generator, torch.device("cpu"))
    plain = score_candidates(model, anchors, candidates, keep, chunk_size=10)
    distinct = len(torch.unique(ids))
    # keys + decoded values: (8 + 2) float32 per step, 40 steps, per distinct row
    assert reconstructor.dedup_pays(distinct, 35, 40, 10)
    monkeypatch.setattr(reconstructor, "DEDUP_KEY_BYTES", 4 * distinct * 40 * 10 - 1)
    assert not reconstructor.dedup_pays(distinct, 35, 40, 10)
    calls = _count_key_encodings(model)
    chosen = score_candidates(
        model, anchors, candidates, keep, chunk_size=10, candidate_ids=ids
    )
    torch.testing.assert_close(chosen, plain)
    assert calls == [10, 10, 10, 5]
