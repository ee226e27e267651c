"""REBAR's retrieval model: reconstruct a masked anchor from a candidate by cross-attention.

Xu et al. 2024, "REBAR: Retrieval-Based Reconstruction for Time-series
Contrastive Learning", ICLR, https://arxiv.org/abs/2311.00519. Dilated
convolutions turn the masked anchor into queries and the candidate into keys
and values, one per timestep; each anchor step attends over the candidate's
steps and its value is decoded back to the anchor's channels. The REBAR error
of a (anchor, candidate) pair is the mean squared error on the masked steps:
the lower it is, the more the candidate holds what the anchor's missing part
looked like.

``score_candidates`` scores every candidate of every anchor in one batched
pass (the anchor queries encoded once, only at the masked steps, and the
value and decode maps folded into one), streaming the candidates to the
device in chunks so a pool larger than device memory still fits.
``score_candidates_by_slot`` (REBAR's own loop: one call per candidate slot,
batched over the anchors) and ``score_candidates_loop`` (one call per pair)
are the references it is checked and timed against.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor, nn

from tscl.errors import DataError


def _conv_stack(
    in_channels: int, hidden_dims: int, depth: int, kernel_size: int
) -> nn.Sequential:
    """Dilated 'same' convolutions (dilation 1, 2, 4, ...) with GELU: (N, C, T) -> (N, H, T)."""
    layers: list[nn.Module] = []
    for i in range(depth):
        dilation = 2**i
        layers += [
            nn.Conv1d(
                in_channels if i == 0 else hidden_dims,
                hidden_dims,
                kernel_size,
                padding=dilation * (kernel_size - 1) // 2,
                dilation=dilation,
            ),
            nn.GELU(),
        ]
    return nn.Sequential(*layers)


class CrossAttentionReconstructor(nn.Module):
    """Reconstructs the masked steps of an anchor (B, C, T) from a candidate (B, C, T).

    Args:
        in_channels: C.
        hidden_dims: width of queries, keys and values.
        depth: dilated layers per encoder (receptive field 1 + (k-1)(2^depth - 1)).
        kernel_size: odd kernel width.
    """

    def __init__(
        self,
        in_channels: int,
        *,
        hidden_dims: int = 32,
        depth: int = 3,
        kernel_size: int = 5,
    ) -> None:
        super().__init__()
        if kernel_size % 2 == 0:
            raise DataError(
                "REBAR kernel_size", f"expected an odd number, got {kernel_size}"
            )
        self.query = _conv_stack(in_channels + 1, hidden_dims, depth, kernel_size)
        self.key = _conv_stack(in_channels, hidden_dims, depth, kernel_size)
        self.value = nn.Conv1d(hidden_dims, hidden_dims, 1)
        self.decode = nn.Conv1d(hidden_dims, in_channels, 1)
        self.scale = 1.0 / math.sqrt(hidden_dims)

    def encode_query(self, anchor: Tensor, keep: Tensor) -> Tensor:
        """Masked anchor (B, C, T), keep (B, T) bool -> queries (B, T, H)."""
        shown = anchor.nan_to_num(0.0) * keep[:, None, :]
        h = self.query(torch.cat([shown, keep[:, None, :].to(anchor.dtype)], dim=1))
        return h.transpose(1, 2)  # (B, H, T) -> (B, T, H)

    def encode_key(self, candidate: Tensor) -> tuple[Tensor, Tensor]:
        """Candidate (N, C, T) -> keys (N, T, H), values (N, T, H)."""
        h = self.key(candidate.nan_to_num(0.0))  # (N, H, T)
        return h.transpose(1, 2), self.value(h).transpose(1, 2)

    def encode_key_decoded(self, candidate: Tensor) -> tuple[Tensor, Tensor]:
        """Candidate (N, C, T) -> keys (N, T, H), values already decoded (N, T, C).

        Value and decode are both 1x1 convolutions and the attention weights of
        a query sum to 1, so ``decode(weights @ values)`` equals ``weights @
        (W_d W_v h + W_d b_v) + b_d``: folding the two maps first shrinks the
        weighted sum from H to C columns (``attend_decoded``).
        """
        h = self.key(candidate.nan_to_num(0.0))  # (N, H, T)
        w_v, b_v = self.value.weight[:, :, 0], self.value.bias  # (H, H), (H,)
        w_d = self.decode.weight[:, :, 0]  # (C, H)
        folded = torch.einsum("ch,hk,nkt->ntc", w_d, w_v, h) + w_d @ b_v
        return h.transpose(1, 2), folded

    def weights(self, queries: Tensor, keys: Tensor) -> Tensor:
        """Attention of queries (N, S, H) over keys (N, T, H): (N, S, T), rows sum to 1."""
        return (queries @ keys.transpose(1, 2) * self.scale).softmax(dim=-1)

    def attend_decoded(self, queries: Tensor, keys: Tensor, decoded: Tensor) -> Tensor:
        """Queries (N, S, H), keys (N, T, H), decoded values (N, T, C) -> (N, C, S)."""
        out = self.weights(queries, keys) @ decoded + self.decode.bias  # (N, S, C)
        return out.transpose(1, 2)

    def attend(self, queries: Tensor, keys: Tensor, values: Tensor) -> Tensor:
        """Queries (N, S, H), keys and values (N, T, H) -> reconstruction (N, C, S)."""
        weights = self.weights(queries, keys)  # (N, S, T)
        return self.decode((weights @ values).transpose(1, 2))  # (N, T, H) -> (N, C, T)

    def forward(self, anchor: Tensor, candidate: Tensor, keep: Tensor) -> Tensor:
        """(B, C, T), (B, C, T), (B, T) bool -> reconstruction of the anchor (B, C, T)."""
        return self.attend(self.encode_query(anchor, keep), *self.encode_key(candidate))


def reconstruction_error(
    reconstruction: Tensor, anchor: Tensor, keep: Tensor
) -> Tensor:
    """Mean squared error on the masked, observed values: (B, C, T) x 2, (B, T) -> (B,)."""
    scored = (~keep)[:, None, :] & ~torch.isnan(anchor)  # (B, C, T)
    squared = (reconstruction - anchor.nan_to_num(0.0)).pow(2) * scored
    return squared.flatten(1).sum(1) / scored.flatten(1).sum(1).clamp(min=1)


def masked_steps(anchors: Tensor, keep: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """The hidden steps of each anchor, first: (B, C, T), (B, T) -> steps (B, M), values (B, C, M), scored (B, C, M).

    M is the largest number of hidden steps of any anchor; ``scored`` is False
    on the padding past a row's count and on unobserved values.
    """
    hidden = ~keep
    count = hidden.sum(dim=1)  # (B,)
    width = max(1, int(count.max()))
    steps = torch.argsort(keep.to(torch.int8), dim=1, stable=True)[:, :width]  # (B, M)
    index = steps[:, None, :].expand(-1, anchors.shape[1], -1)  # (B, C, M)
    values = anchors.gather(2, index)
    padded = (
        torch.arange(width, device=keep.device)[None, :] >= count[:, None]
    )  # (B, M)
    scored = ~torch.isnan(values) & ~padded[:, None, :]
    return steps, values.nan_to_num(0.0), scored


CPU_ATTENTION_BYTES = 4 << 20  # attention weights per chunk on a CPU: cache-sized
DEVICE_CHUNK = 512  # (anchor, candidate) pairs per chunk on an accelerator
DEDUP_KEY_BYTES = 1 << 30  # the most the distinct candidates' keys may hold at once


def auto_chunk_size(device: torch.device, queries: int, keys: int) -> int:
    """Pairs per scoring chunk: on a CPU, as many as keep the (n, queries, keys)
    float32 attention weights near ``CPU_ATTENTION_BYTES`` (the weights past the
    cache made 512-pair chunks 2-3x slower per pair than 32-pair ones at T=200);
    on an accelerator ``DEVICE_CHUNK``."""
    if device.type != "cpu":
        return DEVICE_CHUNK
    return max(1, min(DEVICE_CHUNK, CPU_ATTENTION_BYTES // (4 * queries * keys)))


def dedup_pays(distinct: int, pairs: int, steps: int, widths: int) -> bool:
    """Whether encoding ``distinct`` candidate rows once (keys and decoded
    values, ``widths`` float32 per step) beats encoding every one of ``pairs``:
    at most half the pairs distinct, and the held keys within ``DEDUP_KEY_BYTES``."""
    return 2 * distinct <= pairs and 4 * distinct * steps * widths <= DEDUP_KEY_BYTES


@torch.no_grad()
def score_candidates(
    model: CrossAttentionReconstructor,
    anchors: Tensor,
    candidates: Tensor,
    keep: Tensor,
    *,
    chunk_size: int = 0,
    candidate_ids: Tensor | None = None,
) -> Tensor:
    """REBAR errors of K candidates per anchor: (B, C, T), (B, K, C, T), (B, T) -> (B, K).

    Queries are encoded once per anchor, and only at the hidden steps (the
    only ones the error scores); candidates (on any device, e.g. the host)
    move to the anchors' device ``chunk_size`` (anchor, candidate) pairs at a
    time (0: ``auto_chunk_size``) and are scored as one batch each. Equal to
    ``reconstruction_error`` of the full reconstruction.

    ``candidate_ids`` (B, K): which pool row each candidate is; candidates with
    one id must be equal. Keys are then encoded once per distinct row (a small
    pool drawn 1,280 times holds few), the same errors. The distinct rows' keys
    are held at once, so this applies only where at most half the pairs hold
    distinct rows and those keys fit in ``DEDUP_KEY_BYTES``; otherwise keys are
    encoded chunk by chunk as without ids.
    """
    batch, count = candidates.shape[:2]
    if (
        candidates.shape[0] != anchors.shape[0]
        or candidates.shape[2:] != anchors.shape[1:]
    ):
        raise DataError(
            "REBAR candidates",
            f"expected (B, K, C, T) = ({anchors.shape[0]}, K, {anchors.shape[1]}, {anchors.shape[2]}), "
            f"got {tuple(candidates.shape)}",
        )
    queries = model.encode_query(anchors, keep)  # (B, T, H)
    steps, values, scored = masked_steps(anchors, keep)  # (B, M), (B, C, M) x 2
    index = steps[:, :, None].expand(-1, -1, queries.shape[-1])
    queries = queries.gather(1, index)  # (B, M, H): the hidden steps only
    flat = candidates.flatten(0, 1)  # (B * K, C, T), anchor-major
    if chunk_size <= 0:
        chunk_size = auto_chunk_size(
            anchors.device, queries.shape[1], anchors.shape[-1]
        )
    encoded = None
    distinct, which = (
        torch.unique(candidate_ids.flatten(), return_inverse=True)
        if candidate_ids is not None
        else (None, None)
    )
    if distinct is not None and dedup_pays(
        len(distinct),
        batch * count,
        anchors.shape[-1],
        queries.shape[-1] + anchors.shape[1],
    ):
        first = torch.empty(len(distinct), dtype=torch.long)
        first.scatter_(0, which.cpu(), torch.arange(len(which)))  # one row per id
        encoded = [
            model.encode_key_decoded(
                flat[first[i : i + chunk_size]].to(anchors.device, non_blocking=True)
            )
            for i in range(0, len(first), chunk_size)
        ]
        keys_all = torch.cat([k for k, _ in encoded])  # (U, T, H)
        decoded_all = torch.cat([d for _, d in encoded])  # (U, T, C)
        which = which.to(anchors.device)
    errors = []
    for start in range(0, batch * count, chunk_size):
        stop = min(start + chunk_size, batch * count)
        rows = torch.arange(start, stop, device=anchors.device) // count
        if encoded is None:
            part = flat[start:stop].to(anchors.device, non_blocking=True)
            keys, decoded = model.encode_key_decoded(part)
        else:
            keys, decoded = keys_all[which[start:stop]], decoded_all[which[start:stop]]
        reconstruction = model.attend_decoded(queries[rows], keys, decoded)  # (n, C, M)
        mask = scored[rows]
        squared = (reconstruction - values[rows]).pow(2) * mask
        errors.append(squared.flatten(1).sum(1) / mask.flatten(1).sum(1).clamp(min=1))
    return torch.cat(errors).view(batch, count)


@torch.no_grad()
def score_candidates_by_slot(
    model: CrossAttentionReconstructor,
    anchors: Tensor,
    candidates: Tensor,
    keep: Tensor,
) -> Tensor:
    """The same errors as REBAR's own code computes them: one forward pass per
    candidate slot k, batched over the anchors (queries re-encoded each time)."""
    errors = [
        reconstruction_error(
            model(anchors, candidates[:, k].to(anchors.device), keep), anchors, keep
        )
        for k in range(candidates.shape[1])
    ]
    return torch.stack(errors, dim=1)  # (B, K)


@torch.no_grad()
def score_candidates_loop(
    model: CrossAttentionReconstructor,
    anchors: Tensor,
    candidates: Tensor,
    keep: Tensor,
) -> Tensor:
    """The same errors, one forward pass per (anchor, candidate) pair (the reference's loop)."""
    batch, count = candidates.shape[:2]
    errors = torch.empty(batch, count, device=anchors.device)
    for i in range(batch):
        for k in range(count):
            anchor, mask = anchors[i : i + 1], keep[i : i + 1]
            candidate = candidates[i, k : k + 1].to(anchors.device)
            errors[i, k] = reconstruction_error(
                model(anchor, candidate, mask), anchor, mask
            )[0]
    return errors


def random_keep(
    shape: tuple[int, int],
    mask_p: float,
    generator: torch.Generator,
    device: torch.device,
) -> Tensor:
    """(B, T) bool keep-mask: each step hidden with probability ``mask_p`` (at least one hidden)."""
    keep = torch.rand(shape, generator=generator) >= mask_p
    keep[:, 0] &= keep[:, 1:].all(dim=1).logical_not()  # a fully kept row hides step 0
    return keep.to(device)


def train_reconstructor(
    model: CrossAttentionReconstructor,
    draw: Callable[[], Tensor],
    *,
    steps: int,
    lr: float,
    mask_p: float,
    generator: torch.Generator,
    device: torch.device,
) -> list[float]:
    """Stage 1: learn to reconstruct masked anchors with the anchor itself as the key.

    With the whole anchor as the key, a masked step can only be filled by
    finding, from its unmasked context, where the same motif sits in the key:
    the retrieval skill the scoring relies on.

    Args:
        draw: () -> a (B, C, T) float32 batch of training windows (host or device).

    Returns:
        The loss of every step.
    """
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    model.train()
    history = []
    for _ in range(steps):
        x = draw().to(device)
        keep = random_keep((x.shape[0], x.shape[-1]), mask_p, generator, device)
        loss = reconstruction_error(model(x, x, keep), x, keep).mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        history.append(float(loss.detach()))
    model.eval()
    return history
