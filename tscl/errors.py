"""The library's own exception types.

Every error a user can cause (bad files, bad configs, leaking splits) is a
``TsclError`` whose message is one line naming the file or field and what was
expected. The CLI prints that line and exits non-zero.
"""

from __future__ import annotations

from os import PathLike


class TsclError(Exception):
    """Base class of every error tscl raises on purpose."""


class DataError(TsclError, ValueError):
    """A data file or data set is malformed, missing or inconsistent.

    Args:
        source: the file (or data set / field) the problem is in.
        problem: what is wrong and what was expected, in one line.
    """

    def __init__(self, source: str | PathLike[str], problem: str) -> None:
        self.source = str(source)
        self.problem = " ".join(str(problem).split())  # always one line
        super().__init__(f"{self.source}: {self.problem}")


class ChecksumError(DataError):
    """A file's sha256 does not match the one in its dataset card."""


class LeakError(TsclError):
    """A group (patient, subject, recording) falls in more than one split."""


class ConfigError(TsclError, ValueError):
    """A configuration key is unknown or has the wrong type."""
