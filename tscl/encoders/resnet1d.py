"""A standard 1-D ResNet encoder that keeps the time axis.

The layout follows the time-series ResNet baseline of Wang et al., "Time Series
Classification from Scratch with Deep Neural Networks", IJCNN 2017
(https://arxiv.org/abs/1611.06455): a conv stem, then residual blocks of
conv-BN-ReLU with stride 1, so every input step keeps a representation.
"""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor, nn

from tscl.encoders.dilated_conv import SamePadConv
from tscl.encoders.masking import fill_missing
from tscl.errors import ConfigError


def conv_bn(
    in_channels: int, out_channels: int, kernel_size: int, causal: bool
) -> nn.Sequential:
    """Length-preserving conv then BatchNorm. (B, C_in, T) -> (B, C_out, T)."""
    return nn.Sequential(
        SamePadConv(in_channels, out_channels, kernel_size, causal=causal),
        nn.BatchNorm1d(out_channels),
    )


class ResidualBlock1d(nn.Module):
    """Conv-BN-ReLU layers with an identity (or 1x1 conv-BN) shortcut.

    (B, C_in, T) -> (B, C_out, T).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_sizes: Sequence[int],
        causal: bool,
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        width = in_channels
        for i, kernel in enumerate(kernel_sizes):
            layers.append(conv_bn(width, out_channels, kernel, causal))
            if i < len(kernel_sizes) - 1:
                layers.append(nn.ReLU())
            width = out_channels
        self.body = nn.Sequential(*layers)
        self.shortcut: nn.Module = (
            nn.Identity()
            if in_channels == out_channels
            else conv_bn(in_channels, out_channels, 1, causal)
        )
        self.activation = nn.ReLU()

    def forward(self, x: Tensor) -> Tensor:
        return self.activation(self.body(x) + self.shortcut(x))


class ResNet1D(nn.Module):
    """1-D ResNet. (B, C, T) -> (B, output_dims, T).

    NaNs are read as 0 (a step with all channels NaN is an all-zero input), so
    the output stays finite. With ``causal=True`` output t depends only on
    inputs <= t in eval mode; in training BatchNorm's batch statistics pool
    over all steps, as in any BatchNorm network.

    Args:
        in_channels: C.
        hidden_dims: width of the stem and of all blocks but the last.
        output_dims: D (``out_dim``), the width of the last block.
        num_blocks: number of residual blocks.
        kernel_sizes: kernels of the conv layers inside each block.
        stem_kernel: kernel of the stem conv.
        causal: pad on the left only, so output t sees inputs <= t.
    """

    def __init__(
        self,
        in_channels: int,
        hidden_dims: int = 64,
        output_dims: int = 128,
        num_blocks: int = 3,
        kernel_sizes: Sequence[int] = (7, 5, 3),
        stem_kernel: int = 7,
        causal: bool = False,
    ) -> None:
        super().__init__()
        if num_blocks < 1 or not kernel_sizes:
            raise ConfigError(
                f"ResNet1D: expected num_blocks >= 1 and kernel_sizes non-empty, "
                f"got {num_blocks} and {tuple(kernel_sizes)}"
            )
        self.out_dim = output_dims
        self.stem = nn.Sequential(
            conv_bn(in_channels, hidden_dims, stem_kernel, causal), nn.ReLU()
        )
        widths = [hidden_dims] * (num_blocks - 1) + [output_dims]
        self.blocks = nn.Sequential(
            *(
                ResidualBlock1d(
                    in_channels=widths[i - 1] if i > 0 else hidden_dims,
                    out_channels=widths[i],
                    kernel_sizes=kernel_sizes,
                    causal=causal,
                )
                for i in range(num_blocks)
            )
        )

    def forward(self, x: Tensor) -> Tensor:
        """Encodes every timestamp: (B, C, T) -> (B, output_dims, T)."""
        x, _ = fill_missing(x)  # (B, C, T); all-NaN steps become all 0
        return self.blocks(self.stem(x))
