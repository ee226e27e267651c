"""Learned augmentations trained in alternation with the encoder (AutoTCL's schedule).

A method mixing in ``AlternatingAugmentation`` and holding ``LearnedAugmentation``
modules in ``self.augment`` gets two parameter groups, "augment" and
"encoder", each with its own optimizer; the loop steps "augment" then
"encoder" every ``augment_every`` steps (else "encoder" alone). Without a
learned augmentation there is one group, "main", as for any method.

The augmentation network's objective (``augmenter_loss``), after AutoTCL's
"keep the information about the input, drop the shared nuisance":
``-contrastive + info_weight * InfoNCE(view, input) + keep_weight * (keep_rate - keep_target)^2``:
views that are hard to match with each other, that still identify the input
they came from, and that keep about ``keep_target`` of the steps.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch
from torch import Tensor, nn

from tscl.augment.learned import LearnedAugmentation
from tscl.losses.infonce import info_nce, view_positive_mask

AUGMENT_GROUP, ENCODER_GROUP, MAIN_GROUP = "augment", "encoder", "main"


class AlternatingAugmentation:
    """Parameter groups, step order and objective for methods with learned augmentations.

    Expects ``self.augment`` (nn.Module or None) and the attributes set by
    ``set_alternation``.
    """

    augment: nn.Module | None

    def set_alternation(
        self,
        *,
        augment_every: int = 1,
        augment_lr: float = 0.0,
        info_weight: float = 1.0,
        keep_target: float = 0.8,
        keep_weight: float = 1.0,
        temperature: float = 0.1,
    ) -> None:
        self.augment_every, self.augment_lr = max(1, augment_every), augment_lr
        self.info_weight, self.keep_target = info_weight, keep_target
        self.keep_weight, self.alternation_temperature = keep_weight, temperature

    def learned_augmentations(self) -> list[LearnedAugmentation]:
        if self.augment is None:
            return []
        return [m for m in self.augment.modules() if isinstance(m, LearnedAugmentation)]

    def parameter_groups(self) -> dict[str, list[nn.Parameter]]:
        everything = [p for p in self.parameters() if p.requires_grad]  # type: ignore[attr-defined]
        learned = [p for m in self.learned_augmentations() for p in m.parameters()]
        if not learned:
            return {MAIN_GROUP: everything}
        ids = {id(p) for p in learned}
        return {
            AUGMENT_GROUP: learned,
            ENCODER_GROUP: [p for p in everything if id(p) not in ids],
        }

    def step_groups(self, step: int) -> list[str]:
        if not self.learned_augmentations():
            return [MAIN_GROUP]
        if step % self.augment_every == 0:
            return [AUGMENT_GROUP, ENCODER_GROUP]
        return [ENCODER_GROUP]

    def optimizer_options(self, group: str) -> dict[str, float]:
        return (
            {"lr": self.augment_lr}
            if group == AUGMENT_GROUP and self.augment_lr > 0
            else {}
        )

    @contextlib.contextmanager
    def augmenting(self, group: str | None) -> Iterator[None]:
        """Gradients flow through the augmentations only in the "augment" group's pass."""
        if group == AUGMENT_GROUP or not self.learned_augmentations():
            yield
        else:
            with torch.no_grad():
                yield

    def augmenter_loss(
        self, contrastive: Tensor, z_view: Tensor, z_input: Tensor
    ) -> Tensor:
        """The augmentation network's objective from the pooled view (B, D) and input (B, D) embeddings."""
        rows = torch.arange(z_view.shape[0], device=z_view.device)
        info = info_nce(
            torch.cat([z_view, z_input]),
            view_positive_mask(rows, 2),
            self.alternation_temperature,
        )
        rates = [
            m.keep_rate for m in self.learned_augmentations() if m.keep_rate is not None
        ]
        keep = sum((rate - self.keep_target) ** 2 for rate in rates) if rates else 0.0
        return -contrastive + self.info_weight * info + self.keep_weight * keep
