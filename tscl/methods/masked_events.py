"""Masked event modelling: hide events (or single fields) and predict them from per-event outputs.

The generative self-supervision of event sequences (as in BERT's masked
tokens; for event sequences Moskvoretskii et al. 2024, "MLEM",
https://arxiv.org/abs/2401.15935, compare it with CoLES). A masked event's
inputs (its field embeddings and numeric values) are replaced by a learned
mask vector before the sequence model; from the encoder's output at that event
a linear head per field predicts the hidden categorical code (cross-entropy)
and the hidden numeric value, e.g. the scaled time delta or amount (squared
error). ``mask_mode="fields"`` hides each field of each event on its own
instead of whole events. The recipe ``mem`` trains this objective alone, on
whole sequences or slices.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from tscl.errors import DataError
from tscl.types import EventBatch

MASK_MODES = ("events", "fields")


def draw_event_masks(
    batch: EventBatch,
    fields: list[str],
    *,
    rate: float,
    mode: str = "events",
    generator: torch.Generator | None = None,
) -> dict[str, Tensor]:
    """field -> (B, L) bool, True where that field of a real event is hidden.

    Each real event (``mode="events"``) or each field of each real event
    (``"fields"``) is hidden with probability ``rate``; when the draw hides
    nothing at all, the first real event is hidden so that every batch has a
    target. Padding is never hidden.
    """
    if not 0 < rate < 1:
        raise DataError("mask_rate", f"expected a number in (0, 1), got {rate}")
    if mode not in MASK_MODES:
        raise DataError("mask_mode", f"expected one of {MASK_MODES}, got {mode!r}")
    real = batch.mask  # (B, L)
    draws = 1 if mode == "events" else len(fields)
    uniform = torch.rand((draws, *real.shape), generator=generator)
    hidden = (uniform.to(real.device) < rate) & real  # (draws, B, L)
    if not bool(hidden.any()) and bool(real.any()):
        first = int(torch.nonzero(real)[0, 0])
        hidden[:, first, 0] = True
    return {name: hidden[0 if mode == "events" else k] for k, name in enumerate(fields)}


def mask_inputs(
    x: Tensor, masks: Mapping[str, Tensor], columns: Mapping[str, slice], token: Tensor
) -> Tensor:
    """Event inputs x (B, L, E) with each field's hidden columns set to ``token`` (E,)."""
    hide = torch.zeros_like(x, dtype=torch.bool)  # (B, L, E)
    for name, mask in masks.items():
        hide[..., columns[name]] = mask[..., None]
    return torch.where(hide, token.to(x.dtype).expand_as(x), x)


class EventHeads(nn.Module):
    """A linear head per field on per-event outputs (B, L, D): logits (B, L, V) or values (B, L)."""

    def __init__(self, dim: int, fields: Mapping[str, object]) -> None:
        super().__init__()
        categorical = dict(fields.get("categorical", {}))
        self.categorical = nn.ModuleDict(
            {name: nn.Linear(dim, int(size)) for name, size in categorical.items()}
        )
        self.numeric = nn.ModuleDict(
            {name: nn.Linear(dim, 1) for name in fields.get("numeric", [])}
        )

    def forward(self, outputs: Tensor) -> dict[str, Tensor]:
        predicted = {name: head(outputs) for name, head in self.categorical.items()}
        predicted.update(
            {name: head(outputs)[..., 0] for name, head in self.numeric.items()}
        )
        return predicted


def masked_event_loss(
    predicted: Mapping[str, Tensor],
    batch: EventBatch,
    masks: Mapping[str, Tensor],
    *,
    numeric_weight: float = 1.0,
) -> dict[str, Tensor]:
    """Per-field losses at hidden events and their sum ``loss``.

    Categorical field f: mean over its hidden events of the cross-entropy of
    the logits (B, L, V) against the true code; numeric field f: mean squared
    error of the predicted (B, L) against the true (scaled) value, times
    ``numeric_weight``. A field with no hidden event adds nothing.
    """
    terms: dict[str, Tensor] = {}
    for name, mask in masks.items():
        if not bool(mask.any()):
            continue
        target = batch.fields[name][mask]  # (M,)
        guess = predicted[name][mask]  # (M, V) or (M,)
        if guess.ndim == 2:
            terms[f"mem_{name}"] = F.cross_entropy(guess, target.long())
        else:
            terms[f"mem_{name}"] = numeric_weight * F.mse_loss(guess, target.float())
    if not terms:
        raise DataError("masked events", "no event of the batch is hidden")
    return {"loss": torch.stack(list(terms.values())).sum(), **terms}


class MaskedEventModel(nn.Module):
    """The masked-event objective around an ``EventSequenceEncoder``: mask, encode, predict.

    Args:
        encoder: an encoder with ``event_inputs``, ``field_columns`` and ``encode_inputs``.
        mask_rate: probability of hiding an event (or a field of one).
        mask_mode: "events" (whole events) or "fields" (each field on its own).
        numeric_weight: weight of the numeric fields' squared errors.
    """

    def __init__(
        self,
        encoder: nn.Module,
        *,
        mask_rate: float = 0.15,
        mask_mode: str = "events",
        numeric_weight: float = 1.0,
    ) -> None:
        super().__init__()
        if not hasattr(encoder, "encode_inputs"):
            raise DataError(
                "masked events", "needs an event encoder (encoder=event_rnn)"
            )
        if mask_mode not in MASK_MODES:
            raise DataError(
                "mask_mode", f"expected one of {MASK_MODES}, got {mask_mode!r}"
            )
        self.encoder = encoder
        self.mask_rate, self.mask_mode = mask_rate, mask_mode
        self.numeric_weight = numeric_weight
        self.columns = encoder.field_columns()
        width = max(c.stop for c in self.columns.values())
        self.mask_token = nn.Parameter(torch.zeros(width))
        self.heads = EventHeads(encoder.out_dim, self._fields(encoder))

    @staticmethod
    def _fields(encoder: nn.Module) -> dict[str, object]:
        return {
            "categorical": {
                name: e.num_embeddings for name, e in encoder.embeddings.items()
            },
            "numeric": list(encoder.numeric),
        }

    def encode_masked(
        self, batch: EventBatch, generator: torch.Generator | None = None
    ) -> tuple[dict[str, Tensor], Tensor, dict[str, Tensor]]:
        """(masks, sequence embeddings (B, D) of the masked batch, loss terms)."""
        masks = draw_event_masks(
            batch,
            list(self.columns),
            rate=self.mask_rate,
            mode=self.mask_mode,
            generator=generator,
        )
        x = mask_inputs(
            self.encoder.event_inputs(batch), masks, self.columns, self.mask_token
        )
        outputs, embedding = self.encoder.encode_inputs(batch, x)  # (B, L, D), (B, D)
        terms = masked_event_loss(
            self.heads(outputs), batch, masks, numeric_weight=self.numeric_weight
        )
        return masks, embedding, terms

    def forward(
        self, batch: EventBatch, generator: torch.Generator | None = None
    ) -> dict[str, Tensor]:
        """{"loss", "mem_<field>"...} of one batch of whole sequences or slices."""
        return self.encode_masked(batch, generator)[2]
