"""EEG preprocessing through MNE: read, pick channels, re-reference, filter, µV.

Every step is an MNE call on a ``mne.io.Raw``: ``read_raw_edf`` for EDF/EDF+,
``RawArray`` for tables, ``set_eeg_reference`` (average or named channels),
``pick``, ``filter`` (zero-phase FIR, firwin design) and ``notch_filter``.
Arrays leave MNE through ``get_data(units="uV")``. ``EegSettings`` holds what
must be replayed on new files and is stored in ``preprocessing``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from tscl.data.read_edf import clean_channel_name
from tscl.errors import ConfigError, DataError

if TYPE_CHECKING:
    import mne

REFERENCES = ("average", "none")
FILTER = {"method": "fir", "phase": "zero", "fir_design": "firwin"}


@dataclass(frozen=True)
class EegSettings:
    """How raw EEG becomes analysis-ready signals.

    Attributes:
        l_freq, h_freq: band-pass edges in Hz (None = that side open).
        notch_hz: line-noise frequencies removed by a notch filter (empty = none).
        channels: channel names to keep (cleaned of BCI2000 dots), None = all EEG.
        reference: "average", "none", or a list of reference channel names.
    """

    l_freq: float | None = 1.0
    h_freq: float | None = 40.0
    notch_hz: tuple[float, ...] = ()
    channels: tuple[str, ...] | None = None
    reference: str | tuple[str, ...] = "average"

    def __post_init__(self) -> None:
        if isinstance(self.reference, str) and self.reference not in REFERENCES:
            raise ConfigError(
                f"data.options.reference must be one of {REFERENCES} or a list of "
                f"channel names, got {self.reference!r}"
            )
        low, high = self.l_freq, self.h_freq
        if low is not None and high is not None and not 0 < low < high:
            raise ConfigError(
                f"data.options.l_freq/h_freq need 0 < l_freq < h_freq, got {low}, {high}"
            )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready settings (tuples become lists)."""
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, tuple):
                out[key] = list(value)
        return out

    @classmethod
    def from_dict(cls, state: dict[str, Any]) -> EegSettings:
        """Inverse of ``to_dict``."""
        reference = state.get("reference", "average")
        channels = state.get("channels")
        return cls(
            l_freq=state.get("l_freq"),
            h_freq=state.get("h_freq"),
            notch_hz=tuple(float(f) for f in state.get("notch_hz") or ()),
            channels=None if channels is None else tuple(channels),
            reference=reference if isinstance(reference, str) else tuple(reference),
        )


def read_raw(path: str | Path) -> mne.io.BaseRaw:
    """An EDF/EDF+ file as a preloaded MNE Raw with cleaned channel names.

    ``"Fc5."`` -> ``"Fc5"`` as in ``tscl.data.read_edf.clean_channel_name``; EDF+
    annotations are kept in ``raw.annotations``.

    Raises:
        DataError: the file is missing or MNE cannot read it.
    """
    import mne

    path = Path(path)
    if not path.is_file():
        raise DataError(path, "EDF file not found")
    try:
        raw = mne.io.read_raw_edf(path, preload=True, verbose="error")
    except Exception as error:  # MNE raises ValueError / OSError in its own words
        reason = " ".join(str(error).split())
        raise DataError(path, f"not a readable EDF/EDF+ file: {reason}") from error
    raw.rename_channels({name: clean_channel_name(name) for name in raw.ch_names})
    return raw


def raw_from_array(
    values: np.ndarray, fs: float, channels: list[str], *, units_per_uv: float = 1.0
) -> mne.io.BaseRaw:
    """(C, T) values in µV (times ``units_per_uv``) as an MNE RawArray of EEG channels."""
    import mne

    info = mne.create_info(ch_names=list(channels), sfreq=float(fs), ch_types="eeg")
    volts = np.asarray(values, dtype=np.float64) / units_per_uv * 1e-6
    return mne.io.RawArray(volts, info, verbose="error")


def apply_settings(
    raw: mne.io.BaseRaw, settings: EegSettings, *, source: str | Path = "raw"
) -> mne.io.BaseRaw:
    """Re-reference, pick, notch and band-pass ``raw`` in place and return it.

    The reference is computed over every EEG channel of the file before the
    channel selection (the montage average, not the subset's); re-referencing
    and filtering are both linear, so their order does not change the result.

    Raises:
        DataError: a requested channel is absent, or the band does not fit fs.
    """
    fs = float(raw.info["sfreq"])
    high = settings.h_freq
    if high is not None and high >= fs / 2:
        raise DataError(source, f"h_freq={high} Hz is not below Nyquist ({fs / 2} Hz)")
    raw.pick("eeg")
    if settings.reference != "none":
        reference = settings.reference
        ref = reference if isinstance(reference, str) else list(reference)
        _require_channels(raw, [] if ref == "average" else list(ref), source)
        raw.set_eeg_reference(ref_channels=ref, projection=False, verbose="error")
    if settings.channels is not None:
        _require_channels(raw, list(settings.channels), source)
        raw.pick(list(settings.channels))
    if settings.notch_hz:
        raw.notch_filter(list(settings.notch_hz), verbose="error", **FILTER)
    if settings.l_freq is not None or settings.h_freq is not None:
        raw.filter(settings.l_freq, settings.h_freq, verbose="error", **FILTER)
    return raw


def _require_channels(
    raw: mne.io.BaseRaw, names: list[str], source: str | Path
) -> None:
    missing = [name for name in names if name not in raw.ch_names]
    if missing:
        raise DataError(
            source, f"no channel named {missing[0]!r}; the file has {raw.ch_names}"
        )


def preprocess_edf(path: str | Path, settings: EegSettings) -> mne.io.BaseRaw:
    """``read_raw`` then ``apply_settings``: a filtered, re-referenced Raw."""
    return apply_settings(read_raw(path), settings, source=path)


def filter_record(settings: EegSettings) -> dict[str, Any]:
    """The settings plus the MNE filter design and version, for ``preprocessing``."""
    import mne

    return {**settings.to_dict(), "filter": dict(FILTER), "mne": mne.__version__}
