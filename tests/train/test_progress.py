"""Progress off a terminal: a start line, then plain lines no further apart than the interval."""

from __future__ import annotations

import io

import numpy as np
import torch

from tscl.config import TrainConfig
from tscl.data.sources import UniformSource
from tscl.data.training import SignalSet
from tscl.train.progress import Progress, describe_source


def test_plain_lines_off_a_terminal() -> None:
    stream = io.StringIO()  # not a terminal: no bar, plain lines
    progress = Progress(4, 0, stream=stream, interval_s=0.0)
    progress.start("pretraining on cpu: 10 windows of 1 x 8, batch 2, steps 1..4")
    progress.update(1, {"loss": "2.0000"})
    progress.update(2)
    progress.close()
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("pretraining on cpu: 10 windows")
    assert lines[1].startswith("pretrain step 1/4 (25%) loss 2.0000")
    assert lines[2].startswith(
        "pretrain step 2/4 (50%) loss 2.0000"
    )  # the last figures stay shown
    assert "remaining ~" in lines[2]


def test_quiet_between_intervals_and_always_at_the_end() -> None:
    stream = io.StringIO()
    progress = Progress(3, 0, stream=stream, interval_s=3600.0)
    for step in (1, 2, 3):
        progress.update(step)
    assert [line.split(" (")[0] for line in stream.getvalue().splitlines()] == [
        "pretrain step 3/3"
    ]


def test_disabled_writes_nothing() -> None:
    stream = io.StringIO()
    progress = Progress(2, 0, enabled=False, stream=stream, interval_s=0.0)
    progress.start("x")
    progress.update(1)
    assert stream.getvalue() == ""


def test_describe_source_counts_windows() -> None:
    data = SignalSet(x=np.zeros((1530, 5, 252), np.float32))
    source = UniformSource(
        data, batch_size=8, generator=torch.Generator().manual_seed(0)
    )
    assert describe_source(source) == "1,530 windows of 5 x 252"
    assert TrainConfig().progress  # the command line reports progress by default
