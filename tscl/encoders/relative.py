"""An encoder of a signal relative to a reference signal of the same source, plus static features.

Across people, what marks a heartbeat (or a movement, or an EEG epoch) as
abnormal is often how it differs from that person's usual one, not its absolute
shape: amplitudes, axes and widths vary between patients far more than between
a patient's normal beats. ``ReferenceRelativeEncoder`` builds that prior into
the representation. Its input holds three groups of channels, in order:

- ``signal`` (S channels): the window itself;
- ``reference`` (S channels): the same source's typical window (for ECG, the
  record's median beat, aligned like the window);
- ``static`` (K channels, constant over time): features of the window's
  context (for ECG, the normalised RR intervals).

One inner encoder (shared weights) encodes the signal and the reference; the
representation per step is ``[z(signal) - z(reference), |z(signal) -
z(reference)| / sqrt(D), static]``, so the rhythm and the deviation from the
source's usual window are carried by the embedding itself. (B, 2S + K, T) ->
(B, D + 1 + K, T'); with ``difference=False`` only the deviation's size and the
static features, (B, 1 + K, T').
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from tscl.errors import ConfigError


def _inner(name: str, in_channels: int, params: dict[str, Any]) -> nn.Module:
    from tscl.encoders import ENCODERS

    if name not in ENCODERS or name == "relative":
        choices = sorted(set(ENCODERS) - {"relative", "event_rnn"})
        raise ConfigError(f"encoder.params.inner: one of {choices}, got {name!r}")
    return ENCODERS[name](in_channels, **params)


class ReferenceRelativeEncoder(nn.Module):
    """Signal minus reference in a shared encoder's space, with static features.

    Args:
        in_channels: 2S + K.
        static_channels: K, the trailing channels read as static features
            (their mean over time; NaN read as 0).
        inner: the ``ENCODERS`` name of the shared encoder.
        difference: keep the difference vector ``z(signal) - z(reference)`` in
            the representation (False: only its size and the static features,
            (B, 1 + K, T')).
        **inner_params: its keyword arguments (e.g. ``hidden_dims``,
            ``output_dims``, ``depth`` for ``dilated_conv``).
    """

    def __init__(
        self,
        in_channels: int,
        static_channels: int = 0,
        inner: str = "dilated_conv",
        difference: bool = True,
        **inner_params: Any,
    ) -> None:
        super().__init__()
        paired = in_channels - static_channels
        if static_channels < 0 or paired < 2 or paired % 2:
            raise ConfigError(
                f"encoder relative: in_channels {in_channels} must be 2 x signal "
                f"channels + static_channels ({static_channels})"
            )
        self.signal_channels = paired // 2
        self.static_channels = static_channels
        self.encoder = _inner(inner, self.signal_channels, dict(inner_params))
        self.inner_dim = int(self.encoder.out_dim)
        self.difference = bool(difference)
        self.out_dim = (self.inner_dim if self.difference else 0) + 1 + static_channels
        self.mask_mode = getattr(self.encoder, "mask_mode", None)

    def forward(self, x: Tensor, **options: Any) -> Tensor:
        """(B, 2S + K, T) -> (B, D + 1 + K, T'); ``options`` go to the inner encoder.

        ``lengths`` and the window starts are repeated for the reference rows.
        """
        s = self.signal_channels
        signal, reference = x[:, :s], x[:, s : 2 * s]
        if self.training or options:
            doubled = {key: _twice(value) for key, value in options.items()}
            z = self.encoder(torch.cat([signal, reference], dim=0), **doubled)
            z_signal, z_reference = z.chunk(2, dim=0)  # (B, D, T') each
        else:  # inference: rows of one record share a reference, encode it once
            unique, inverse = torch.unique(reference, dim=0, return_inverse=True)
            z_signal = self.encoder(signal)
            z_reference = self.encoder(unique)[inverse]
        relative = z_signal - z_reference  # (B, D, T')
        squares = relative.square().sum(dim=1, keepdim=True)  # (B, 1, T')
        distance = torch.sqrt(squares / self.inner_dim + 1e-8)  # smooth at 0
        parts = [relative, distance] if self.difference else [distance]
        if self.static_channels:
            static = torch.nan_to_num(x[:, 2 * s :]).mean(dim=-1, keepdim=True)
            parts.append(static.expand(-1, -1, relative.shape[-1]))  # (B, K, T')
        return torch.cat(parts, dim=1)


def _twice(value: Any) -> Any:
    """An inner-encoder option for the stacked (signal, reference) batch."""
    if isinstance(value, Tensor) and value.dim() >= 1:
        return torch.cat([value, value], dim=0)
    if isinstance(value, tuple):  # window=(starts (B,), width)
        return tuple(_twice(part) for part in value)
    return value
