"""A local file of tracking records that could not be sent, so none is lost silently.

Each line is one JSON record with a ``kind`` (metric, param, tag, text,
artifact, model, status), the ``run_id`` and the record's fields.
``tscl.track.resend_unsent`` replays them once the server is back.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

SPOOL_NAME = "unsent_mlflow_records.jsonl"
SPOOLED_FILES_DIR = "unsent_files"


class TrackingWarning(UserWarning):
    """Tracking records were not sent (the run itself went on)."""


class Spool:
    """Appends unsent records to a JSON-lines file and counts them.

    Args:
        path: the spool file; its folder is created on the first record.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.count = 0

    def add(self, records: Iterable[dict[str, Any]]) -> int:
        """Appends records; returns how many were written."""
        lines = [json.dumps(record, default=str) for record in records]
        if not lines:
            return 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        self.count += len(lines)
        return len(lines)

    def keep_file(self, path: str | Path) -> Path:
        """A copy of ``path`` next to the spool (unless it is already inside that folder).

        Files referenced by spooled records must outlive temporary folders.
        """
        path = Path(path).resolve()
        folder = self.path.parent.resolve()
        if folder in path.parents:
            return path
        target = folder / SPOOLED_FILES_DIR / f"{self.count:05d}-{path.name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        return target


def read_spool(path: str | Path) -> list[dict[str, Any]]:
    """The records of a spool file, in the order they were written."""
    text = Path(path).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]
