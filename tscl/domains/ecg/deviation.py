"""How far each beat departs from its record's usual beat, span by span.

A ventricular or fusion beat differs from the patient's usual beat mostly in
its QRS complex and T wave; a supraventricular one is shaped like it. Absolute
shapes vary between patients far more than a patient's normal beats vary, so
the deviation is measured against the record's median beat (``record_template``)
and in units of that beat's own amplitude: for each span, the root mean square
of beat - template over the span divided by the template's peak-to-peak
amplitude, on a log scale. The figure is unchanged by an offset or a gain
applied to the whole record (a per-channel standardisation, another
amplifier), so it needs no normalisation across patients.
"""

from __future__ import annotations

import numpy as np

from tscl.errors import ConfigError

# Spans around the R peak, in ms (None: the window's edge): the whole window,
# the QRS complex and the ST segment / T wave.
SPANS_MS: dict[str, tuple[float | None, float | None]] = {
    "beat": (None, None),
    "qrs": (-40.0, 80.0),
    "t": (80.0, None),
}
FLOOR = 1e-4  # added before the log: a beat identical to its template


def span_slices(
    fs: float, before: int, length: int, downsample: int = 1
) -> dict[str, slice]:
    """Sample slices of ``SPANS_MS`` in windows of ``length`` samples whose R peak
    is ``before`` samples (at ``fs``) from the start, kept every ``downsample``-th.

    Raises:
        ConfigError: when a span falls outside the window.
    """
    peak = before / downsample

    def index(ms: float | None, edge: int) -> int:
        if ms is None:
            return edge
        return int(np.clip(round(peak + ms * fs / 1000.0 / downsample), 0, length))

    spans = {
        name: slice(index(a, 0), index(b, length)) for name, (a, b) in SPANS_MS.items()
    }
    empty = [name for name, part in spans.items() if part.stop <= part.start]
    if empty:
        raise ConfigError(
            f"ECG deviation: the {empty[0]} span {SPANS_MS[empty[0]]} ms around the R peak "
            f"lies outside a {length}-sample window with the peak at sample {peak:g}"
        )
    return spans


def template_deviation(
    beats: np.ndarray, template: np.ndarray, spans: dict[str, slice]
) -> np.ndarray:
    """Log relative RMS deviation of each beat from the template, per lead and span.

    Args:
        beats: (N, C, L) windows.
        template: (N, C, L) the record's median window for each row, or one
            (C, L) / (1, C, L) median for every row.
        spans: name -> slice of the L axis (``span_slices``).

    Returns:
        (N, C * len(spans)) float32, lead-major (lead 0's spans first).
    """
    beats = np.asarray(beats, dtype=np.float64)
    template = np.asarray(template, dtype=np.float64)
    scale = template.max(axis=-1) - template.min(axis=-1)  # peak to peak, (N or 1, C)
    scale = np.broadcast_to(np.where(scale > 0, scale, 1.0), beats.shape[:2])  # (N, C)
    template = np.broadcast_to(template, beats.shape)  # a view: one median, no copies
    parts = []
    for part in spans.values():
        diff = beats[:, :, part] - template[:, :, part]  # (N, C, l)
        rms = np.sqrt(np.mean(np.square(diff), axis=2))  # (N, C)
        parts.append(np.log(rms / scale + FLOOR))
    out = np.stack(parts, axis=2)  # (N, C, S)
    return out.reshape(len(beats), -1).astype(np.float32)
