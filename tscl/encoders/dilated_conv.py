"""The TS2Vec encoder: a stack of dilated residual convolutions.

Yue et al., "TS2Vec: Towards Universal Representation of Time Series", AAAI 2022,
https://arxiv.org/abs/2106.10466.
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from tscl.encoders.masking import MASK_MODES, fill_missing, timestamp_mask
from tscl.errors import ConfigError


class SamePadConv(nn.Module):
    """Conv1d whose output has the input's length. (B, C_in, T) -> (B, C_out, T).

    Non-causal: the receptive field is centred (an odd field is padded by
    ``Conv1d`` itself, with no extra copy). Causal: all padding is on the left,
    so output t depends only on inputs <= t.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        dilation: int = 1,
        causal: bool = False,
    ) -> None:
        super().__init__()
        total = (kernel_size - 1) * dilation
        if causal:
            self.pad = (total, 0)
        else:
            self.pad = (total - total // 2, total // 2)
        symmetric = self.pad[0] == self.pad[1]
        self.conv = nn.Conv1d(
            in_channels,
            out_channels,
            kernel_size,
            dilation=dilation,
            padding=self.pad[0] if symmetric else 0,
        )
        self.explicit_pad = not symmetric

    def forward(self, x: Tensor) -> Tensor:
        if self.explicit_pad:
            x = F.pad(x, self.pad)  # (B, C, T) -> (B, C, T + total)
        return self.conv(x)


class DilatedConvBlock(nn.Module):
    """GELU -> dilated conv -> GELU -> dilated conv, plus a residual.

    The residual goes through a 1x1 conv when the width changes, and always in
    the final block (as in TS2Vec). (B, C_in, T) -> (B, C_out, T).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        dilation: int,
        causal: bool,
        final: bool = False,
    ) -> None:
        super().__init__()
        self.conv1 = SamePadConv(
            in_channels, out_channels, kernel_size, dilation, causal
        )
        self.conv2 = SamePadConv(
            out_channels, out_channels, kernel_size, dilation, causal
        )
        needs_projector = in_channels != out_channels or final
        self.projector = (
            nn.Conv1d(in_channels, out_channels, 1) if needs_projector else None
        )

    def forward(self, x: Tensor) -> Tensor:
        residual = x if self.projector is None else self.projector(x)
        x = self.conv1(F.gelu(x))
        x = self.conv2(F.gelu(x))
        return x + residual


class DilatedConvEncoder(nn.Module):
    """TS2Vec encoder. (B, C, T) -> (B, output_dims, T).

    Input projection C -> hidden_dims per timestep (a 1x1 conv, the same map
    and parameter count as TS2Vec's ``Linear``), a timestamp mask on the
    projection, ``depth`` dilated residual blocks of width ``hidden_dims``
    (dilation 2**i) and a final block to ``output_dims`` (dilation 2**depth),
    then dropout 0.1 on the representation while training.

    Timestamps whose channels are all NaN are zeroed after the projection, as
    if masked; a NaN in only some channels is read as 0.

    Args:
        in_channels: C.
        hidden_dims: width of the hidden blocks.
        output_dims: D, the representation size (``out_dim``).
        depth: number of hidden blocks.
        kernel_size: conv kernel.
        causal: pad on the left only, so output t sees inputs <= t.
        mask_mode: training mask, one of "binomial", "continuous", "all_true",
            "mask_last".
    """

    def __init__(
        self,
        in_channels: int,
        hidden_dims: int = 64,
        output_dims: int = 320,
        depth: int = 10,
        kernel_size: int = 3,
        causal: bool = False,
        mask_mode: str = "binomial",
    ) -> None:
        super().__init__()
        if mask_mode not in MASK_MODES:
            raise ConfigError(
                f"mask_mode: expected one of {MASK_MODES}, got {mask_mode!r}"
            )
        self.out_dim = output_dims
        self.mask_mode = mask_mode
        self.input_fc = nn.Conv1d(in_channels, hidden_dims, 1)
        widths = [hidden_dims] * depth + [output_dims]
        self.blocks = nn.Sequential(
            *(
                DilatedConvBlock(
                    in_channels=widths[i - 1] if i > 0 else hidden_dims,
                    out_channels=widths[i],
                    kernel_size=kernel_size,
                    dilation=2**i,
                    causal=causal,
                    final=i == len(widths) - 1,
                )
                for i in range(len(widths))
            )
        )
        self.repr_dropout = nn.Dropout(p=0.1)

    def forward(self, x: Tensor, mask: str | Tensor | None = None) -> Tensor:
        """Encodes every timestamp.

        Args:
            x: signals, (B, C, T); may hold NaN.
            mask: keep-mask mode or bool tensor (B, T); None means
                ``mask_mode`` in training and "all_true" in eval.

        Returns:
            Representations, (B, output_dims, T).
        """
        x, observed = fill_missing(x)  # (B, C, T), (B, T)
        if mask is None:
            mask = self.mask_mode if self.training else "all_true"
        keep = (
            timestamp_mask(mask, x.shape[0], x.shape[-1], x.device) & observed
        )  # (B, T)
        h = self.input_fc(x) * keep.unsqueeze(1)  # (B, hidden, T)
        return self.repr_dropout(self.blocks(h))  # (B, D, T)
