"""Training progress on a terminal and off it.

On a terminal a progress bar (kept on screen at the end); elsewhere (nohup, CI,
a cluster job's log) one plain line at most every ``interval_s`` seconds, so a
log never stays silent for long. Both start with a line naming the device, the
batch and the steps.
"""

from __future__ import annotations

import sys
import time
from typing import IO, Any

from tqdm.auto import tqdm

PLAIN_INTERVAL_S = 15.0  # off a terminal: a line at least this often while steps run


def _format_seconds(seconds: float) -> str:
    seconds = max(0, int(seconds))
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{seconds:02d}s"


class Progress:
    """Reports steps ``initial..total``; silent when ``enabled`` is False.

    Args:
        total: the last step.
        initial: the step training starts from (a resumed run's checkpoint).
        enabled: report at all (rank 0 with ``train.progress``).
        stream: where to write (default stderr); a bar when it is a terminal.
        interval_s: off a terminal, the longest silence between lines.
    """

    def __init__(
        self,
        total: int,
        initial: int = 0,
        *,
        enabled: bool = True,
        stream: IO[str] | None = None,
        interval_s: float = PLAIN_INTERVAL_S,
    ) -> None:
        self.total, self.step, self.enabled = total, initial, enabled
        self.stream = stream if stream is not None else sys.stderr
        self.interval_s = interval_s
        self.postfix: dict[str, str] = {}
        self.started = self.last_line = time.perf_counter()
        self.first = initial
        is_terminal = bool(getattr(self.stream, "isatty", lambda: False)())
        self.bar: Any = None
        if enabled and is_terminal:
            self.bar = tqdm(
                total=total,
                initial=initial,
                desc="pretrain",
                leave=True,
                file=self.stream,
                dynamic_ncols=True,
            )

    def start(self, description: str) -> None:
        """One line before the first step: device, data, batch, steps."""
        if self.enabled:
            self._write(description)

    def update(self, step: int, postfix: dict[str, str] | None = None) -> None:
        """Step ``step`` is done; ``postfix`` (loss, samples/s) is shown from now on."""
        if postfix:
            self.postfix = dict(postfix)
        advanced, self.step = step - self.step, step
        if not self.enabled:
            return
        if self.bar is not None:
            if postfix:
                self.bar.set_postfix(self.postfix, refresh=False)
            self.bar.update(advanced)
            return
        now = time.perf_counter()
        if now - self.last_line >= self.interval_s or step == self.total:
            self.last_line = now
            self._write(self.line(now))

    def line(self, now: float | None = None) -> str:
        """The plain progress line: step, share done, figures, elapsed and remaining time."""
        now = time.perf_counter() if now is None else now
        elapsed = now - self.started
        done = self.step - self.first
        rate = done / elapsed if elapsed > 0 else 0.0
        remaining = (self.total - self.step) / rate if rate > 0 else float("nan")
        figures = "".join(f" {k} {v}" for k, v in self.postfix.items())
        eta = _format_seconds(remaining) if remaining == remaining else "?"
        share = 100.0 * self.step / max(1, self.total)
        return (
            f"pretrain step {self.step}/{self.total} ({share:.0f}%){figures}  "
            f"elapsed {_format_seconds(elapsed)}, remaining ~{eta}"
        )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

    def _write(self, text: str) -> None:
        if self.bar is not None:
            self.bar.write(text, file=self.stream)
        else:
            print(text, file=self.stream, flush=True)


def describe_source(source: Any) -> str:
    """What a batch source draws from, in words: "1,530 windows of 5 x 252" or "8,881 sequences"."""
    data = getattr(source, "data", None)
    if data is None:
        return "the given batches"
    shape = getattr(getattr(data, "x", None), "shape", None)
    if shape is not None and len(shape) == 3:
        return f"{shape[0]:,} windows of {shape[1]} x {shape[2]}"
    return f"{len(data):,} sequences"
