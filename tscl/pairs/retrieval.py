"""Retrieval-based positives (REBAR): the candidate that best reconstructs the anchor.

Xu et al. 2024, "REBAR", ICLR, https://arxiv.org/abs/2311.00519. Before
training (``prepare``), a ``CrossAttentionReconstructor`` learns to fill in
masked anchors; it is then frozen, checkpointed in the run folder and listed
in ``artifacts`` (the CLI logs them with the run). In each step, ``K``
candidates per anchor are drawn from the training split and scored in one
batched pass; the lowest REBAR error is the positive. The loss has two terms:

- instance: anchor vs its retrieved positive, the other anchors' rows in the
  batch as between-series negatives (InfoNCE over the 2B pooled rows);
- temporal: anchor vs its positive against ``within_negatives`` of its other
  candidates, the within-series negatives that carry how the dynamics change
  over time (one InfoNCE problem per anchor).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from tscl.errors import ConfigError, DataError
from tscl.losses.infonce import info_nce, view_positive_mask
from tscl.pairs.base import PairStrategy, pool
from tscl.pairs.reconstructor import (
    CrossAttentionReconstructor,
    random_keep,
    score_candidates,
    train_reconstructor,
)
from tscl.types import SignalBatch

STAGE1_NAME = "rebar_stage1.pt"


class RetrievalPositives(PairStrategy):
    """REBAR positives: retrieved by a frozen cross-attention reconstructor.

    Args:
        num_candidates: K candidates scored per anchor.
        within_negatives: of the other candidates, how many enter the temporal term.
        temperature: softmax temperature of both InfoNCE terms.
        temporal_weight: weight of the temporal term (instance term weight 1).
        stage1_steps, stage1_batch_size, stage1_lr: stage-1 training.
        mask_p: probability that an anchor step is masked (training and scoring).
        hidden_dims, depth, kernel_size: the reconstructor's size.
        chunk_size: (anchor, candidate) pairs scored per device batch (0: sized to
            the device, ``reconstructor.auto_chunk_size``).
        checkpoint: a saved stage-1 model to use instead of training one.
    """

    makes_partner = True

    def __init__(
        self,
        num_candidates: int = 20,
        within_negatives: int = 3,
        temperature: float = 0.1,
        temporal_weight: float = 1.0,
        stage1_steps: int = 300,
        stage1_batch_size: int = 32,
        stage1_lr: float = 1e-3,
        mask_p: float = 0.5,
        hidden_dims: int = 32,
        depth: int = 3,
        kernel_size: int = 5,
        chunk_size: int = 0,
        checkpoint: str = "",
    ) -> None:
        super().__init__()
        if num_candidates < 2 or not 0 <= within_negatives < num_candidates:
            raise ConfigError(
                "pairs: need num_candidates >= 2 and 0 <= within_negatives < num_candidates"
            )
        self.num_candidates, self.within_negatives = num_candidates, within_negatives
        self.temperature, self.temporal_weight = temperature, temporal_weight
        self.stage1 = {
            "steps": stage1_steps,
            "batch_size": stage1_batch_size,
            "lr": stage1_lr,
        }
        self.mask_p, self.chunk_size, self.checkpoint = mask_p, chunk_size, checkpoint
        self.shape = {
            "hidden_dims": hidden_dims,
            "depth": depth,
            "kernel_size": kernel_size,
        }
        self.reconstructor: CrossAttentionReconstructor | None = None
        self.pool_data: Any = None
        self.artifacts: dict[str, Path] = {}

    def prepare(self, context: Any) -> None:
        """Builds (or loads) and freezes the stage-1 model over the context's training rows."""
        data = getattr(context.source, "data", None)
        if data is None or not hasattr(data, "rows"):
            raise DataError(
                "retrieval pairs", "needs a signal batch source with .data rows"
            )
        self.pool_data = data
        model = CrossAttentionReconstructor(data.num_channels, **self.shape)
        run_dir = context.extra.get("run_dir")
        saved = Path(self.checkpoint) if self.checkpoint else None
        if (
            saved is None
            and run_dir is not None
            and (Path(run_dir) / STAGE1_NAME).is_file()
        ):
            saved = Path(run_dir) / STAGE1_NAME  # a resumed run keeps its stage-1 model
        generator = torch.Generator().manual_seed(context.settings.seed)
        if saved is not None:
            model.load_state_dict(
                torch.load(saved, map_location="cpu", weights_only=True)
            )
            model.to(context.device).eval()
            history: list[float] = []
        else:
            model.to(context.device)
            size = min(self.stage1["batch_size"], len(data))

            def draw() -> Tensor:
                rows = torch.randint(0, len(data), (size,), generator=generator)
                return torch.from_numpy(data.rows(rows.numpy()))

            history = train_reconstructor(
                model,
                draw,
                steps=self.stage1["steps"],
                lr=self.stage1["lr"],
                mask_p=self.mask_p,
                generator=generator,
                device=context.device,
            )
        model.requires_grad_(False)
        self.reconstructor = model
        if run_dir is not None and saved is None:
            self._save(Path(run_dir), model, history)

    def _save(
        self, run_dir: Path, model: CrossAttentionReconstructor, history: list[float]
    ) -> None:
        run_dir.mkdir(parents=True, exist_ok=True)
        weights, log = run_dir / STAGE1_NAME, run_dir / "rebar_stage1.json"
        torch.save({k: v.cpu() for k, v in model.state_dict().items()}, weights)
        log.write_text(
            json.dumps({"shape": self.shape, **self.stage1, "loss": history})
        )
        self.artifacts = {"stage1_model": weights, "stage1_log": log}

    def candidates(
        self, index: Tensor | None, batch_size: int, generator: torch.Generator
    ) -> Tensor:
        """(B, K) candidate rows of the training split, never the anchor's own row."""
        count = len(self.pool_data)
        rows = torch.randint(
            0, count - 1, (batch_size, self.num_candidates), generator=generator
        )
        if index is not None:
            own = index.cpu()[:, None]
            rows = rows + (rows >= own).long()  # skip the anchor's own row
        return rows

    def partner(
        self, x: Tensor, batch: SignalBatch, generator: torch.Generator
    ) -> tuple[Tensor, Tensor | None]:
        """The retrieved positive (B, C, T) and within-series negatives (B, m, C, T)."""
        if self.reconstructor is None:
            raise ConfigError(
                "retrieval pairs: prepare() has not built the stage-1 model"
            )
        rows = self.candidates(batch.index, x.shape[0], generator)  # (B, K)
        pool_rows = self.pool_data.rows(rows.flatten().numpy())  # (B * K, C, T_pool)
        candidates = torch.from_numpy(pool_rows).view(*rows.shape, *pool_rows.shape[1:])
        candidates = candidates[..., : x.shape[-1]]  # the anchors' (cropped) length
        keep = random_keep((x.shape[0], x.shape[-1]), self.mask_p, generator, x.device)
        errors = score_candidates(
            self.reconstructor,
            x,
            candidates,
            keep,
            chunk_size=self.chunk_size,
            candidate_ids=rows,
        )  # (B, K); a row drawn twice is encoded once
        order = errors.argsort(dim=1).cpu()  # best first
        take = order[:, : 1 + self.within_negatives]  # (B, 1 + m)
        picked = candidates.gather(
            1, take[:, :, None, None].expand(-1, -1, *candidates.shape[2:])
        ).to(x.device)  # (B, 1 + m, C, T)
        return picked[:, 0], picked[:, 1:] if self.within_negatives else None

    def forward(
        self,
        z_a: Tensor,
        z_b: Tensor | None,
        batch: SignalBatch,
        *,
        steps: Tensor | None = None,
        z_extra: Tensor | None = None,
    ) -> dict[str, Tensor]:
        """Anchor (B, D, T'), positive (B, D, T'), negatives pooled (B, m, D) -> terms."""
        assert z_b is not None
        anchor, positive = pool(z_a, steps), pool(z_b, None)  # (B, D) each
        rows = torch.arange(anchor.shape[0], device=anchor.device)
        z = torch.cat([anchor, positive])  # (2B, D)
        terms = {"instance": info_nce(z, view_positive_mask(rows, 2), self.temperature)}
        if z_extra is not None and z_extra.shape[1] > 0:
            # Per anchor: rows [anchor, positive, negatives...]; only the pair is positive.
            group = torch.cat([anchor[:, None], positive[:, None], z_extra], dim=1)
            mask = torch.zeros(
                group.shape[1], group.shape[1], dtype=torch.bool, device=z.device
            )
            mask[0, 1] = mask[1, 0] = True
            terms["temporal"] = info_nce(group, mask, self.temperature)
            total = terms["instance"] + self.temporal_weight * terms["temporal"]
        else:
            total = terms["instance"]
        return {"loss": total, **terms}
