"""A saved encoder's input contract: the series it was trained on, and how new input breaks it.

The contract is read from the bundle: the channel count, the sampling rate and
units the domain recorded (``preprocessing``), the shortest and longest
training series (``info["input_lengths"]``, measured at pretraining) and the
normalisation the model applies itself. The model card states it first;
``tscl embed`` warns in one line when a file breaks it (another sampling rate,
another length), and refuses another channel count
(``EncoderBundle.check_input``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tscl.bundle import EncoderBundle

LENGTHS_KEY = (
    "input_lengths"  # bundle.info: [shortest, longest] training series, in samples
)
# Preprocessing entries that are fitted state or labels, not settings a user must match.
STATE_KEYS = ("scaler", "class_names", "vocab", "numeric", "fields")


@dataclass(frozen=True)
class InputContract:
    """What new input must look like to be embedded as the training data was.

    Attributes:
        channels: C, the channel count of every series.
        channel_names: the named signal channels the domain kept (may be fewer
            than C when derived channels follow, e.g. RR intervals of ECG beats).
        fs: sampling rate in Hz; None when the training data recorded none.
        lengths: (shortest, longest) training series in observed samples; None if not recorded.
        units: physical units the domain recorded, or None.
        scaled: True when the model standardises each channel itself (with the
            training split's mean and std), so input comes in the training data's units.
        preparation: the domain's settings ``tscl embed`` replays on a new file.
    """

    channels: int
    channel_names: tuple[str, ...] = ()
    fs: float | None = None
    lengths: tuple[int, int] | None = None
    units: str | None = None
    scaled: bool = False
    preparation: dict[str, Any] = field(default_factory=dict)


def observed_lengths(x: np.ndarray) -> tuple[int, int]:
    """(shortest, longest) series of (N, C, T) data, counting steps up to the last observed one."""
    observed = ~np.isnan(np.asarray(x, dtype=np.float32)).all(axis=1)  # (N, T)
    if observed.size == 0:
        return 0, 0
    last = observed.shape[1] - np.argmax(observed[:, ::-1], axis=1)
    last[~observed.any(axis=1)] = 0
    return int(last.min()), int(last.max())


def _float(value: Any) -> float | None:
    try:
        rate = float(value)
    except (TypeError, ValueError):
        return None
    return rate if np.isfinite(rate) and rate > 0 else None


def input_contract(bundle: EncoderBundle) -> InputContract:
    """The contract of a saved encoder, from what its bundle recorded."""
    prep: Mapping[str, Any] = bundle.preprocessing or {}
    names = prep.get("channels")
    lengths = bundle.info.get(LENGTHS_KEY)
    return InputContract(
        channels=int(bundle.in_channels),
        channel_names=tuple(str(n) for n in names) if isinstance(names, list) else (),
        fs=_float(prep.get("fs")),
        lengths=None if not lengths else (int(lengths[0]), int(lengths[1])),
        units=str(prep["units"]) if prep.get("units") else None,
        scaled=bundle.scaler is not None,
        preparation={k: v for k, v in prep.items() if k not in STATE_KEYS},
    )


def _samples(lengths: tuple[int, int]) -> str:
    low, high = lengths
    return f"{low} samples" if low == high else f"{low} to {high} samples"


def contract_breaks(
    contract: InputContract, x: np.ndarray, *, fs: float | None = None
) -> list[str]:
    """How (N, T, C) input sampled at ``fs`` (None: unknown) differs from the contract."""
    problems = []
    if x.ndim == 3 and x.shape[2] != contract.channels:
        problems.append(f"{x.shape[2]} channels, not {contract.channels}")
    rate = _float(fs)
    if (
        rate is not None
        and contract.fs is not None
        and not np.isclose(rate, contract.fs)
    ):
        problems.append(f"sampled at {rate:g} Hz, not {contract.fs:g} Hz")
    if contract.lengths is not None and x.ndim == 3 and x.shape[0] and x.shape[1]:
        low, high = observed_lengths(x.transpose(0, 2, 1))
        if low < contract.lengths[0] or high > contract.lengths[1]:
            shown = _samples((low, high))
            problems.append(f"series of {shown}, not {_samples(contract.lengths)}")
    return problems


def contract_warning(
    contract: InputContract, source: str, x: np.ndarray, *, fs: float | None = None
) -> str | None:
    """One warning line when (N, T, C) input breaks the contract, else None."""
    problems = contract_breaks(contract, x, fs=fs)
    if not problems:
        return None
    return (
        f"warning: {source}: {'; '.join(problems)} as the encoder was trained on; "
        "its embeddings of this input were never validated"
    )


def contract_lines(contract: InputContract, dataset: str) -> list[str]:
    """The contract as Markdown bullet lines (the model card's first section)."""
    names = ", ".join(contract.channel_names)
    if names and len(contract.channel_names) == contract.channels:
        channels = f"C = {contract.channels} ({names})"
    elif names:
        derived = contract.channels - len(contract.channel_names)
        channels = f"C = {contract.channels} (signal {names}, then {derived} derived)"
    else:
        channels = f"C = {contract.channels}"
    rate = (
        f"{contract.fs:g} Hz"
        if contract.fs is not None
        else f"not recorded ({dataset} states none); use the training data's rate"
    )
    length = (
        "not recorded"
        if contract.lengths is None
        else f"{_samples(contract.lengths)} (the training series); the encoder accepts "
        "any length, but other lengths were never validated"
    )
    units = contract.units or f"those of {dataset} (not recorded)"
    scaling = (
        "per-channel standardisation with the training split's mean and std, applied "
        "inside the model: give series in the training units, not normalised"
        if contract.scaled
        else "none inside the model: give series prepared as the training series "
        "were (e.g. already z-normalised, as UCR/UEA archives are)"
    )
    lines = [
        "- Layout: float32 (N, T, C), or (N, T) for one channel",
        f"- Channels: {channels}",
        f"- Sampling rate: {rate}",
        f"- Window length: {length}",
        f"- Units: {units}",
        f"- Normalisation: {scaling}",
    ]
    if contract.preparation:
        shown = json.dumps(contract.preparation, sort_keys=True, default=str)
        lines.append(f"- Preparation `tscl embed` replays on a new file: `{shown}`")
    lines.append(
        "- `tscl embed` warns (one line on stderr) on another sampling rate or length, "
        "and refuses another channel count"
    )
    return lines
