"""A learned augmentation (AutoTCL): a per-timestep Gumbel-softmax mask and a learned transformation.

Zheng et al. 2024, "Parametric Augmentation for Time Series Contrastive
Learning", ICLR, https://arxiv.org/abs/2402.10434. A small convolutional
network reads each channel of the input and outputs, per timestep, keep /
drop logits (sampled with a hard, straight-through Gumbel-softmax and shared
by all channels: the "informative part") and an invertible affine
transformation (a positive scale and a shift, so the kept part loses nothing);
a little Gaussian noise is added to the kept part. It is channel-agnostic, so
one network serves any number of channels and any encoder.

Trained in alternation with the encoder on its own optimizer: methods that
hold one (``augment=[learned]``) expose an "augment" parameter group whose
objective (``tscl.methods.alternation``) makes the views harder to match while
keeping them informative about their input.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from tscl.augment.batch_checks import check_signal_batch
from tscl.augment.random_source import RandomSource


class LearnedAugmentation(nn.Module):
    """(B, C, T) -> (B, C, T): masked, rescaled, shifted and slightly noised views.

    Args:
        hidden_dims: width of the per-channel convolutional network.
        kernel_size: its (odd) kernel width.
        tau: Gumbel-softmax temperature.
        max_log_scale: bound of |log scale| of the transformation.
        max_shift: bound of the shift, in units of the channel's std.
        noise: std of the added noise, in units of the channel's std.
        seed: seeds the initial weights and a private generator for the draws.

    ``keep_rate`` holds the mean kept fraction of the last call (with its
    gradient), for the augmentation objective.
    """

    def __init__(
        self,
        hidden_dims: int = 16,
        kernel_size: int = 5,
        tau: float = 1.0,
        max_log_scale: float = 0.5,
        max_shift: float = 0.5,
        noise: float = 0.05,
        seed: int | None = None,
    ) -> None:
        super().__init__()
        with torch.random.fork_rng(devices=[]):
            if seed is not None:
                torch.manual_seed(seed)
            self.net = nn.Sequential(
                nn.Conv1d(1, hidden_dims, kernel_size, padding=kernel_size // 2),
                nn.GELU(),
                nn.Conv1d(
                    hidden_dims, hidden_dims, kernel_size, padding=kernel_size // 2
                ),
                nn.GELU(),
                nn.Conv1d(hidden_dims, 3, 1),  # keep-vs-drop logit, log scale, shift
            )
            with torch.no_grad():
                self.net[-1].bias.copy_(
                    torch.tensor([2.0, 0.0, 0.0])
                )  # keep most at first
        self.tau, self.max_log_scale, self.max_shift, self.noise = (
            tau,
            max_log_scale,
            max_shift,
            noise,
        )
        self.random = RandomSource(seed)
        self.keep_rate: Tensor | None = None

    def keep_mask(self, logits: Tensor) -> Tensor:
        """(B, 1, T) keep-vs-drop logits -> hard 0/1 keep (B, 1, T) with straight-through gradient."""
        uniform = self.random.uniform((2, *logits.shape), logits.device).clamp(
            1e-6, 1 - 1e-6
        )
        gumbel = -torch.log(-torch.log(uniform))  # (2, B, 1, T)
        # Two-class Gumbel-softmax (keep, drop) = sigmoid of the logit gap.
        soft = torch.sigmoid((logits + gumbel[0] - gumbel[1]) / self.tau)
        hard = (soft > 0.5).to(soft.dtype)
        return hard + soft - soft.detach()

    def forward(self, x: Tensor) -> Tensor:
        """(B, C, T) -> (B, C, T); NaN gaps stay NaN, masked steps become 0."""
        check_signal_batch(x, "LearnedAugmentation")
        batch, channels, length = x.shape
        weight = self.net[0].weight
        missing = torch.isnan(x)
        filled = x.nan_to_num(0.0).to(weight.dtype)
        std = filled.std(dim=-1, keepdim=True).clamp(min=1e-6)  # (B, C, 1)
        centred = (filled - filled.mean(dim=-1, keepdim=True)) / std
        out = self.net(centred.reshape(batch * channels, 1, length))  # (B*C, 3, T)
        out = out.view(batch, channels, 3, length)
        keep = self.keep_mask(out[:, :, 0].mean(dim=1, keepdim=True))  # (B, 1, T)
        scale = torch.exp(self.max_log_scale * torch.tanh(out[:, :, 1]))  # (B, C, T)
        shift = self.max_shift * torch.tanh(out[:, :, 2]) * std
        noise = self.noise * std * self.random.normal(filled.shape, filled.device)
        view = (filled * scale + shift + noise) * keep
        self.keep_rate = keep.mean()
        return view.to(x.dtype).masked_fill(missing, float("nan"))
