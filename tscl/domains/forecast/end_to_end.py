"""A forecasting head trained end to end with MSE, jointly with a contrastive term on the encoder.

After "What constitutes good contrastive learning in time-series
forecasting?" (Zhang et al., IJCAI 2023 AI4TS workshop,
https://arxiv.org/abs/2306.12086): the encoder and a linear head are trained
on the forecasting loss, with any tscl recipe's contrastive loss on the same
encoder as an auxiliary term of weight ``weight`` (0 = MSE only).

Each training row (a section of the training split, (C, T) with the 7
calendar covariates first and the targets last) yields random windows of
``lookback + horizon`` steps; the encoder reads the first ``lookback`` steps
and the head maps the embedding of the last one (plus a linear map of the
targets' lags) to the next ``horizon`` target values, as the change from the
last observed value. Windows never reach past the training rows they come from.
"""

from __future__ import annotations

import inspect

import torch
from torch import Tensor, nn

from tscl.errors import ConfigError
from tscl.types import SignalBatch

MAIN_GROUP = "main"


class EndToEndForecaster(nn.Module):
    """Encoder + linear head forecasting ``horizon`` steps of the last ``num_targets`` channels.

    Args:
        encoder: (B, C, T) -> (B, D, T), with ``out_dim``.
        num_targets: C_t, the last C_t input channels are the targets.
        horizon: H, the longest horizon (shorter ones read the first steps).
        lookback: L, input steps per window (TS2Vec's padding + 1).
        contrastive: a tscl method sharing ``encoder`` (e.g. ``TS2Vec(encoder)``);
            its "loss" on the input windows is added with ``weight``.
        weight: the contrastive term's weight (0: MSE only).
        windows_per_row: windows drawn from each batch row per step.
        lag_head: also a linear map of the targets' L lags (change from the last value).
        channel_independent: encode each target alone beside the covariates
            (the encoder then takes K + 1 channels), one head for all.
    """

    def __init__(
        self,
        encoder: nn.Module,
        *,
        num_targets: int,
        horizon: int,
        lookback: int = 201,
        contrastive: nn.Module | None = None,
        weight: float = 0.0,
        windows_per_row: int = 16,
        lag_head: bool = True,
        channel_independent: bool = False,
    ) -> None:
        super().__init__()
        if num_targets < 1 or horizon < 1 or lookback < 2:
            raise ConfigError(
                f"end-to-end forecaster: num_targets, horizon >= 1 and lookback >= 2 "
                f"expected, got {num_targets}, {horizon}, {lookback}"
            )
        if weight < 0 or (weight > 0 and contrastive is None):
            raise ConfigError(
                f"weight {weight}: expected >= 0, > 0 only with a contrastive term"
            )
        self.encoder = encoder
        self.contrastive = contrastive
        self.num_targets, self.horizon, self.lookback = num_targets, horizon, lookback
        self.weight, self.windows_per_row = float(weight), windows_per_row
        self.channel_independent = channel_independent
        outputs = horizon * (1 if channel_independent else num_targets)
        self.head = nn.Linear(int(encoder.out_dim), outputs)
        self.lags = nn.Linear(lookback, horizon) if lag_head else None
        parameters = inspect.signature(encoder.forward).parameters
        self.plain_mask, self.last_only = "mask" in parameters, "window" in parameters

    def parameter_groups(self) -> dict[str, list[nn.Parameter]]:
        """The contrastive method's groups, the head joining the encoder's; else one group."""
        own = [
            p for n, p in self.named_parameters() if not n.startswith("contrastive.")
        ]
        if self.contrastive is None or not hasattr(
            self.contrastive, "parameter_groups"
        ):
            return {MAIN_GROUP: list(self.parameters())}
        groups = {k: list(v) for k, v in self.contrastive.parameter_groups().items()}
        encoder_ids = {id(p) for p in self.encoder.parameters()}
        home = next(
            k for k, v in groups.items() if any(id(p) in encoder_ids for p in v)
        )
        present = {id(p) for v in groups.values() for p in v}
        groups[home] += [p for p in own if id(p) not in present]
        return groups

    def step_groups(self, step: int) -> list[str]:
        if self.contrastive is not None and hasattr(self.contrastive, "step_groups"):
            return list(self.contrastive.step_groups(step))
        return [MAIN_GROUP]

    def optimizer_options(self, group: str) -> dict[str, float]:
        options = getattr(self.contrastive, "optimizer_options", None)
        return dict(options(group)) if options is not None else {}

    def per_channel(self, inputs: Tensor) -> Tensor:
        """(B, K + C_t, L) -> (B * C_t, K + 1, L): the K covariates beside each target alone."""
        covariates = inputs[:, : -self.num_targets]  # (B, K, L)
        targets = inputs[:, -self.num_targets :]  # (B, C_t, L)
        shared = covariates[:, None].expand(-1, self.num_targets, -1, -1)
        rows = torch.cat([shared, targets[:, :, None]], dim=2)  # (B, C_t, K + 1, L)
        return rows.reshape(-1, rows.shape[2], rows.shape[3])

    def forecast(self, inputs: Tensor) -> Tensor:
        """Forecasts (B, H, C_t) from input windows (B, C, L) (NaN before a series starts).

        Channel-independent: each target is encoded alone (with the
        covariates) and forecast by the same head.
        """
        if not self.channel_independent:
            return self._forecast(inputs, self.num_targets)
        out = self._forecast(self.per_channel(inputs), 1)  # (B * C_t, H, 1)
        # (B * C_t, H, 1) -> (B, C_t, H) -> (B, H, C_t)
        return out.reshape(len(inputs), self.num_targets, self.horizon).transpose(1, 2)

    def _forecast(self, inputs: Tensor, num_targets: int) -> Tensor:
        kwargs: dict[str, object] = {"mask": "all_true"} if self.plain_mask else {}
        if self.last_only:  # only the last step's embedding is computed
            kwargs["window"] = (torch.full((len(inputs),), inputs.shape[-1] - 1), 1)
        z = self.encoder(inputs, **kwargs)[..., -1]  # (B, D, L or 1) -> (B, D)
        history = inputs[:, -num_targets:].nan_to_num(0.0)  # (B, C_t, L)
        last = history[..., -1:]  # (B, C_t, 1)
        change = self.head(z).view(-1, self.horizon, num_targets)  # (B, H, C_t)
        if self.lags is not None:
            # (B, C_t, L) -> (B, C_t, H) -> (B, H, C_t), shared across channels
            change = change + self.lags(history - last).transpose(1, 2)
        return last.transpose(1, 2) + change

    def windows(self, x: Tensor, generator: torch.Generator) -> Tensor:
        """Random fully observed windows (n, C, L + H) of the rows of x (B, C, T)."""
        span = self.lookback + self.horizon
        observed = ~torch.isnan(x).any(dim=1)  # (B, T)
        out = []
        for row in range(x.size(0)):
            steps = torch.nonzero(observed[row]).flatten()
            if len(steps) < span:
                continue
            first, last = int(steps[0]), int(steps[-1])
            high = last - span + 2
            if high <= first:
                continue
            starts = torch.randint(
                first, high, (self.windows_per_row,), generator=generator
            )
            index = starts[:, None] + torch.arange(span)  # (n, L + H)
            out.append(
                x[row][:, index.to(x.device)].transpose(0, 1)
            )  # (C, n, S) -> (n, C, S)
        if not out:
            raise ConfigError(
                f"end-to-end forecaster: no training row holds {span} observed steps "
                f"(lookback {self.lookback} + horizon {self.horizon})"
            )
        return torch.cat(out)

    def forward(
        self,
        batch: SignalBatch | Tensor,
        generator: torch.Generator,
        group: str | None = None,
    ) -> dict[str, Tensor]:
        """{"loss": MSE + weight * contrastive, "mse", "contrastive"} on windows of the batch."""
        x = batch.x if isinstance(batch, SignalBatch) else batch
        windows = self.windows(x, generator)  # (n, C, L + H)
        inputs = windows[..., : self.lookback]
        views = self.per_channel(inputs) if self.channel_independent else inputs
        if self.contrastive is not None and group not in (None, MAIN_GROUP):
            terms = self.contrastive(SignalBatch(x=views), generator, group=group)
            if group != "encoder":  # e.g. a learned augmentation's own step
                return terms
        elif self.contrastive is not None and self.weight > 0:
            terms = self.contrastive(SignalBatch(x=views), generator)
        else:
            terms = {}
        truth = windows[:, -self.num_targets :, self.lookback :].transpose(
            1, 2
        )  # (n, H, C_t)
        mse = torch.mean((self.forecast(inputs) - truth) ** 2)
        result = {"loss": mse, "mse": mse.detach()}
        if "loss" in terms:
            result["loss"] = mse + self.weight * terms["loss"]
            result["contrastive"] = terms["loss"].detach()
        return result
