"""A patch Transformer encoder: non-overlapping patches become tokens.

Patching as in PatchTST (Nie et al., ICLR 2023, https://arxiv.org/abs/2211.14730),
here with all channels of a patch embedded into one token.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from tscl.encoders.masking import fill_missing
from tscl.errors import ConfigError, DataError

POSITIONALS = ("sinusoidal", "learned")


def sinusoidal_positions(length: int, dim: int, device: torch.device) -> Tensor:
    """Fixed sine/cosine position codes (Vaswani et al. 2017). Returns (length, dim)."""
    position = torch.arange(length, device=device, dtype=torch.float32).unsqueeze(1)
    half = (dim + 1) // 2
    frequency = torch.exp(
        torch.arange(half, device=device, dtype=torch.float32)
        * (-math.log(10000.0) / half)
    )
    angles = position * frequency  # (length, 1) * (half,) -> (length, half)
    codes = torch.stack([angles.sin(), angles.cos()], dim=-1)  # (length, half, 2)
    return codes.reshape(length, 2 * half)[
        :, :dim
    ]  # (length, half, 2) -> (length, dim)


class PatchTransformer(nn.Module):
    """Transformer over patches. (B, C, T) -> (B, d_model, ceil(T / patch_len)).

    T is padded on the right to a multiple of ``patch_len`` with missing
    values. Patches with no observed value (all NaN, or only padding) are
    hidden from attention through the key-padding mask; a row with no observed
    patch at all attends to its zero tokens so its output stays finite.

    Args:
        in_channels: C.
        patch_len: steps per token.
        d_model: D (``out_dim``).
        num_heads: attention heads; must divide d_model.
        num_layers: Transformer layers.
        dim_feedforward: width of each layer's MLP.
        dropout: dropout inside the layers.
        positional: "sinusoidal" (any length) or "learned" (up to max_patches).
        max_patches: number of learned positions.
    """

    def __init__(
        self,
        in_channels: int,
        patch_len: int = 8,
        d_model: int = 128,
        num_heads: int = 4,
        num_layers: int = 3,
        dim_feedforward: int = 256,
        dropout: float = 0.1,
        positional: str = "sinusoidal",
        max_patches: int = 1024,
    ) -> None:
        super().__init__()
        if positional not in POSITIONALS:
            raise ConfigError(
                f"positional: expected one of {POSITIONALS}, got {positional!r}"
            )
        if patch_len < 1 or d_model % num_heads:
            raise ConfigError(
                f"PatchTransformer: expected patch_len >= 1 and num_heads dividing "
                f"d_model, got patch_len={patch_len}, d_model={d_model}, num_heads={num_heads}"
            )
        self.out_dim = d_model
        self.patch_len = patch_len
        self.max_patches = max_patches
        self.embed = nn.Linear(in_channels * patch_len, d_model)
        self.positions = (
            nn.Parameter(0.02 * torch.randn(max_patches, d_model))
            if positional == "learned"
            else None
        )
        layer = nn.TransformerEncoderLayer(
            d_model,
            num_heads,
            dim_feedforward=dim_feedforward,
            dropout=dropout,
            activation="gelu",
            batch_first=True,
            norm_first=True,
        )
        self.encoder = nn.TransformerEncoder(
            layer, num_layers, norm=nn.LayerNorm(d_model), enable_nested_tensor=False
        )

    def position_codes(self, num_patches: int, device: torch.device) -> Tensor:
        """Position codes for ``num_patches`` tokens. Returns (N, d_model)."""
        if self.positions is None:
            return sinusoidal_positions(num_patches, self.out_dim, device)
        if num_patches > self.max_patches:
            raise DataError(
                "x",
                f"{num_patches} patches of {self.patch_len} steps exceed the "
                f"{self.max_patches} learned positions (raise max_patches)",
            )
        return self.positions[:num_patches]

    def forward(self, x: Tensor) -> Tensor:
        """Encodes each patch: (B, C, T) -> (B, d_model, N), N = ceil(T / patch_len)."""
        batch, channels, length = x.shape
        num_patches = -(-length // self.patch_len)
        pad = num_patches * self.patch_len - length
        x = F.pad(x, (0, pad), value=float("nan"))  # (B, C, T) -> (B, C, N * P)
        x, observed = fill_missing(x)  # (B, C, N * P), (B, N * P)
        # (B, C, N * P) -> (B, C, N, P) -> (B, N, C, P) -> (B, N, C * P)
        patches = x.view(batch, channels, num_patches, self.patch_len)
        patches = patches.permute(0, 2, 1, 3).reshape(batch, num_patches, -1)
        # (B, N * P) -> (B, N, P) -> (B, N): True where the patch has any observation.
        hidden = ~observed.view(batch, num_patches, self.patch_len).any(dim=-1)
        hidden = hidden & ~hidden.all(dim=1, keepdim=True)  # never hide a whole row
        tokens = self.embed(patches) + self.position_codes(num_patches, x.device)
        out = self.encoder(tokens, src_key_padding_mask=hidden)  # (B, N, D)
        return out.transpose(1, 2)  # (B, N, D) -> (B, D, N)
