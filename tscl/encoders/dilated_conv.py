"""The TS2Vec encoder: a stack of dilated residual convolutions.

Yue et al., "TS2Vec: Towards Universal Representation of Time Series", AAAI 2022,
https://arxiv.org/abs/2106.10466.
"""

from __future__ import annotations

import torch
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

    def live_taps(self, length: int) -> tuple[list[int], list[int]]:
        """Each tap's offset, and the taps that can read the input of a series of ``length``.

        Tap j reads input t + offset_j for output t (offset_j = j * dilation -
        pad_left); a tap with |offset_j| >= length only ever reads the zero
        padding, so leaving it out changes neither output nor gradients.
        """
        dilation, kernel = self.conv.dilation[0], self.conv.kernel_size[0]
        offsets = [j * dilation - self.pad[0] for j in range(kernel)]
        if torch.compiler.is_compiling():
            # Every tap, under torch.compile: choosing taps by length would guard
            # the graph on it, one recompile per power of two of the crop length.
            return offsets, list(range(kernel))
        live = [j for j, offset in enumerate(offsets) if abs(offset) < length]
        return offsets, live

    def centre_tap(self, length: int) -> int | None:
        """The only live tap when the dilation spans the series, if it reads step t itself.

        The conv is then a 1x1 conv with that tap (TS2Vec's last blocks on
        short series). Returns None when several taps are live.
        """
        offsets, live = self.live_taps(length)
        return live[0] if len(live) == 1 and offsets[live[0]] == 0 else None

    def channels(self, x: Tensor) -> Tensor:
        """The conv, (B, C_in, T) -> (B, C_out, T); a conv whose dilation spans
        the series runs as its centre tap alone (a 1x1 conv: the other taps
        only read the padding)."""
        tap = self.centre_tap(x.shape[-1])
        if tap is not None:
            return F.conv1d(x, self.conv.weight[:, :, tap : tap + 1], self.conv.bias)
        return self(x)

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

    def is_pointwise(self, length: int) -> bool:
        """True when both convs reduce to their centre tap for series of ``length``."""
        return (
            self.conv1.centre_tap(length) is not None
            and self.conv2.centre_tap(length) is not None
        )

    def channels(self, x: Tensor, valid: Tensor | None = None) -> Tensor:
        """The block, (B, C_in, T) -> (B, C_out, T).

        ``valid`` (B, 1, T) zeroes steps past each row's length after each conv.
        """
        residual = x if self.projector is None else self.projector(x)
        h = self.conv1.channels(F.gelu(x))
        if valid is not None:
            h = h * valid  # steps past the end act as the conv's zero padding
        h = self.conv2.channels(F.gelu(h)) + residual
        return h if valid is None else h * valid

    def forward(self, x: Tensor) -> Tensor:
        """(B, C_in, T) -> (B, C_out, T)."""
        return self.channels(x)


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

    def forward(
        self,
        x: Tensor,
        mask: str | Tensor | None = None,
        lengths: Tensor | None = None,
        window: tuple[Tensor, int] | None = None,
    ) -> Tensor:
        """Encodes every timestamp (or only a window of them).

        Args:
            x: signals, (B, C, T); may hold NaN.
            mask: keep-mask mode or bool tensor (B, T); None means
                ``mask_mode`` in training and "all_true" in eval.
            lengths: (B,) true length of each row when rows of different
                lengths are right-padded into one batch; every step past a
                row's length is held at zero after each layer, so the valid
                steps get exactly what encoding the row alone would give.
            window: ``(starts (B,), width)``: return only steps
                ``starts[b] .. starts[b] + width`` of each row (inside its
                length). The same values as slicing the full output, but the
                last blocks, whose dilation spans the whole series and so act
                step by step, run on the window alone.

        Returns:
            Representations, (B, output_dims, T) or (B, output_dims, width).
        """
        x, observed = fill_missing(x)  # (B, C, T), (B, T)
        length = x.shape[-1]
        if mask is None:
            mask = self.mask_mode if self.training else "all_true"
        keep = timestamp_mask(mask, x.shape[0], length, x.device) & observed  # (B, T)
        h = self.input_fc(x) * keep.unsqueeze(1)  # (B, C, T) -> (B, hidden, T)
        valid = None
        if lengths is not None:
            steps = torch.arange(length, device=x.device)
            valid = steps < lengths.to(x.device)[:, None]  # (B, T)
            valid = valid.unsqueeze(1).to(h.dtype)  # (B, T) -> (B, 1, T)
            h = h * valid
        # The last blocks, whose dilation spans the series, act step by step:
        # with a window they run on the window alone.
        blocks = list(self.blocks)
        split = len(blocks)
        if window is not None:
            while split > 0 and blocks[split - 1].is_pointwise(length):
                split -= 1
        for block in blocks[:split]:
            h = block.channels(h, valid)
        if window is not None:
            starts, width = window
            index = starts.to(h.device)[:, None] + torch.arange(width, device=h.device)
            h = torch.gather(
                h, 2, index[:, None, :].expand(-1, h.shape[1], -1)
            )  # (B, C, width)
            # pointwise at this length: the window lies inside each row, no mask needed
            for block in blocks[split:]:
                h = block.channels(h)
        return self._dropout(h)  # (B, D, T or width)

    def _dropout(self, h: Tensor) -> Tensor:
        """Dropout on the representation while training.

        One uniform draw per element (cheaper than ``bernoulli_`` on CPU);
        kept elements are scaled by 1 / (1 - p), as ``nn.Dropout`` does.
        """
        p = self.repr_dropout.p
        if not self.training or p == 0:
            return h
        scale = torch.rand_like(h).ge_(p).mul_(1.0 / (1.0 - p))  # 0 or 1 / (1 - p)
        return h * scale
