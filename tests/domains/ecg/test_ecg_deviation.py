"""A beat's deviation from its record's usual beat: hand-computed values, invariances, channels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tscl.data.read_wfdb import read_wfdb
from tscl.domains.ecg.beats import BeatSettings, record_beats
from tscl.domains.ecg.deviation import FLOOR, span_slices, template_deviation
from tscl.errors import ConfigError


def test_span_slices_of_the_default_window() -> None:
    # 90 samples before the R peak at 360 Hz, every 2nd kept: the peak is sample 45
    spans = span_slices(360.0, 90, 126, downsample=2)
    # QRS -40..+80 ms: 45 - 7.2 -> 38, 45 + 14.4 -> 59
    assert spans == {"beat": slice(0, 126), "qrs": slice(38, 59), "t": slice(59, 126)}


def test_template_deviation_by_hand() -> None:
    template = np.array([[0.0, 1.0, 0.0, -1.0]])  # (C=1, L=4), peak to peak 2
    beats = np.stack([template, template + [[0.0, 0.2, 0.0, 0.0]]])  # (2, 1, 4)
    spans = {"all": slice(0, 4), "second": slice(1, 2), "rest": slice(2, 4)}
    out = template_deviation(beats, template, spans)
    assert out.shape == (2, 3) and out.dtype == np.float32
    np.testing.assert_allclose(out[0], np.log(FLOOR), rtol=1e-6)  # identical beat
    # RMS over 4 samples: sqrt(0.04 / 4) = 0.1; over the 2nd sample 0.2; the rest 0
    expected = np.log(np.array([0.1, 0.2, 0.0]) / 2.0 + FLOOR)
    np.testing.assert_allclose(out[1], expected, rtol=1e-6)


def test_template_deviation_ignores_a_record_offset_and_gain() -> None:
    rng = np.random.default_rng(0)
    beats = rng.normal(size=(5, 2, 216))
    template = np.median(beats, axis=0)
    spans = span_slices(360.0, 36, 216)  # 100 ms before the peak, 500 from it
    plain = template_deviation(beats, template, spans)
    moved = template_deviation(3.0 * beats + 7.0, 3.0 * template + 7.0, spans)
    np.testing.assert_allclose(moved, plain, rtol=1e-5, atol=1e-6)
    assert plain.shape == (5, 2 * 3)  # lead-major: lead 0's three spans first


def test_record_beats_append_log_rhythm_and_deviation(mitdb: Path) -> None:
    series = read_wfdb(mitdb / "101", sampto=2 * 60 * 360)
    settings = BeatSettings(rhythm="log", template=True, deviation=True, downsample=2)
    beats = record_beats(series, settings)
    extended = record_beats(
        series, BeatSettings(rhythm="extended", template=True, downsample=2)
    )
    assert settings.channels == (
        "MLII",
        "template_MLII",
        *(f"log_{n}" for n in ("pre_rr", "post_rr", "local_rr", "average_rr")),
        "log_rr_irregularity",
        "deviation_beat_MLII",
        "deviation_qrs_MLII",
        "deviation_t_MLII",
    )
    assert beats.x.shape == (len(extended), 10, 126)
    np.testing.assert_array_equal(beats.x[:, :2], extended.x[:, :2])
    rhythm = extended.x[:, 2:7, 0]
    np.testing.assert_allclose(
        beats.x[:, 2:7, 0], np.log(np.maximum(rhythm, 1e-3)), rtol=1e-6
    )
    spans = span_slices(360.0, 90, 126, downsample=2)
    expected = template_deviation(beats.x[:, :1], beats.x[:, 1:2], spans)
    np.testing.assert_allclose(beats.x[:, 7:, 0], expected, rtol=1e-6)
    assert (beats.x[:, 7:] == beats.x[:, 7:, :1]).all()  # constant channels


def test_deviation_needs_the_template_and_a_window_holding_its_spans() -> None:
    with pytest.raises(ConfigError, match="deviation"):
        BeatSettings(deviation=True)
    with pytest.raises(ConfigError, match="the t span"):
        span_slices(360.0, 10, 30)  # ends 56 ms after the peak: no T wave
