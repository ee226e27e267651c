"""The input contract: read from a saved encoder, stated first by its model card, enforced by embed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tscl.builders import build_encoder
from tscl.bundle import EncoderBundle
from tscl.config import load_config
from tscl.data.training import SignalSet
from tscl.domains.embed_file import embed_file
from tscl.input_contract import (
    contract_breaks,
    contract_warning,
    input_contract,
    observed_lengths,
)
from tscl.track.card import render_model_card
from tscl.track.provenance import DataFingerprint
from tscl.train.run import training_lengths


def tiny_bundle(inputs: int, length: int, **preprocessing: object) -> EncoderBundle:
    """A tiny encoder of ``inputs`` channels trained on series of ``length`` samples."""
    config = load_config("tiny")
    return EncoderBundle(
        encoder=build_encoder(config, inputs).eval(),
        config=config,
        in_channels=inputs,
        info={"input_lengths": [length, length]},
        preprocessing=dict(preprocessing),
    )


def beat_bundle() -> EncoderBundle:
    """An ECG-beat-like record: 360 Hz, MLII + 4 derived channels, 252 samples, scaled."""
    scaler = {"mean": [0.0] * 5, "std": [1.0] * 5}
    return tiny_bundle(
        5, 252, fs=360.0, channels=["MLII"], window=252, units="mV", scaler=scaler
    )


def test_observed_lengths_count_up_to_the_last_observed_step() -> None:
    x = np.ones((3, 2, 10), dtype=np.float32)
    x[0, :, 7:] = np.nan  # padded after 7 steps
    x[1, 0, 4:] = np.nan  # one channel still observed to the end
    x[2, :, 2:5] = np.nan  # a gap inside, observed to the end
    assert observed_lengths(x) == (7, 10)
    train = SignalSet(x=x, y=None, ids={}, id_names={})
    assert training_lengths(train) == (7, 10)


def test_contract_read_from_the_bundle() -> None:
    contract = input_contract(beat_bundle())
    assert contract.channels == 5 and contract.channel_names == ("MLII",)
    assert contract.fs == 360.0 and contract.lengths == (252, 252)
    assert contract.units == "mV" and contract.scaled
    assert "scaler" not in contract.preparation
    assert contract.preparation["window"] == 252


def test_breaks_name_rate_length_and_channels() -> None:
    contract = input_contract(beat_bundle())
    good = np.zeros((4, 252, 5), dtype=np.float32)
    assert contract_breaks(contract, good, fs=360) == []
    assert contract_breaks(contract, good) == []  # rate unknown: not checked
    assert contract_breaks(contract, good, fs=250) == ["sampled at 250 Hz, not 360 Hz"]
    short = np.zeros((4, 96, 5), dtype=np.float32)
    assert contract_breaks(contract, short) == ["series of 96 samples, not 252 samples"]
    assert contract_breaks(contract, np.zeros((1, 252, 1))) == ["1 channels, not 5"]
    line = contract_warning(contract, "x.npy", short, fs=250)
    assert line is not None and "\n" not in line
    assert line.startswith(
        "warning: x.npy: sampled at 250 Hz, not 360 Hz; series of 96"
    )
    assert contract_warning(contract, "x.npy", good, fs=360.0) is None


def test_model_card_opens_with_the_input_contract() -> None:
    fingerprint = DataFingerprint(
        dataset="mitdb",
        digest="d" * 64,
        files={f"record{i}.dat": "0" * 64 for i in range(66)},
    )
    card = render_model_card(
        beat_bundle(),
        out_dim=32,
        fingerprint=fingerprint,
        metrics={"test_accuracy": 0.91, "test_macro_f1": 0.55, "cv_score": 0.5},
    )
    headings = [line for line in card.splitlines() if line.startswith("## ")]
    assert headings[:2] == ["## Input contract", "## Headline scores (test split)"]
    assert headings[-1] == "## Training data and its files"  # the 66 hashes come last
    contract = card.split("## Input contract")[1].split("## ")[0]
    for expected in (
        "C = 5 (signal MLII, then 4 derived)",
        "Sampling rate: 360 Hz",
        "Window length: 252 samples",
        "Units: mV",
        "per-channel standardisation",
    ):
        assert expected in contract, expected
    assert "- accuracy 0.9100, macro_f1 0.5500" in card


def test_embed_warns_once_on_a_file_that_breaks_the_contract(
    tmp_path: Path, data_dir: Path
) -> None:
    bundle = tiny_bundle(1, 96, fs=250.0)
    lines: list[str] = []

    def encode(x: np.ndarray) -> np.ndarray:
        return np.zeros((len(x), 4), dtype=np.float32)

    right = tmp_path / "right.npy"
    np.save(right, np.zeros((3, 96), dtype=np.float32))
    assert len(embed_file(bundle, right, encode=encode, warn=lines.append)) == 3
    assert lines == []
    longer = tmp_path / "longer.npy"
    np.save(longer, np.zeros((3, 140), dtype=np.float32))
    embed_file(bundle, longer, encode=encode, warn=lines.append)
    assert lines == [
        f"warning: {longer}: series of 140 samples, not 96 samples as the encoder "
        "was trained on; its embeddings of this input were never validated"
    ]
    lines.clear()
    record = (
        data_dir / "ecg" / "wfdb" / "mitdb" / "100"
    )  # a smoke input, 360 Hz, 2 leads
    two_leads = tiny_bundle(2, 650000, fs=250.0)
    embed_file(two_leads, record, encode=encode, warn=lines.append)
    assert len(lines) == 1 and "sampled at 360 Hz, not 250 Hz" in lines[0]
    with pytest.warns(UserWarning, match="series of 140 samples"):
        embed_file(bundle, longer, encode=encode)  # Python callers get a warning
