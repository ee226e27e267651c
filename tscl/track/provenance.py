"""Where a run came from: the git commit of the code and the files of the data set."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

UNKNOWN = "unknown"
GIT_TIMEOUT_S = 10.0


def git_state(directory: str | Path | None = None) -> dict[str, str]:
    """The commit and dirty flag of the git checkout around ``directory`` (default: cwd).

    Returns:
        ``{"commit": sha or "unknown", "dirty": "true" | "false" | "unknown"}``;
        "unknown" when the folder is not in a git repository or git is missing.
    """
    commit = _git(["rev-parse", "HEAD"], directory)
    if commit is None:
        return {"commit": UNKNOWN, "dirty": UNKNOWN}
    status = _git(["status", "--porcelain"], directory)
    dirty = UNKNOWN if status is None else str(bool(status)).lower()
    return {"commit": commit, "dirty": dirty}


def _git(arguments: list[str], directory: str | Path | None) -> str | None:
    try:
        done = subprocess.run(
            ["git", *arguments],
            cwd=directory,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


@dataclass(frozen=True)
class DataFingerprint:
    """The data set of a run: its card name, its files with their sha256, one digest.

    Attributes:
        dataset: the data card name.
        files: file path -> sha256 hex digest.
        digest: sha256 over the sorted ``"<sha256>  <file name>"`` lines, so it
            depends on the files' contents and names but not on where they lie.
    """

    dataset: str
    files: dict[str, str] = field(default_factory=dict)
    digest: str = UNKNOWN

    def as_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "digest": self.digest,
            "files": dict(self.files),
        }


def data_fingerprint(source: Mapping[str, Any]) -> DataFingerprint:
    """Fingerprint of an ``Arrays.source`` dict ``{"dataset": name, "files": {path: sha256}}``.

    The digest is "unknown" when no file hashes are given.
    """
    dataset = str(source.get("dataset", UNKNOWN))
    files = {
        str(path): str(sha) for path, sha in dict(source.get("files") or {}).items()
    }
    if not files:
        return DataFingerprint(dataset=dataset)
    lines = sorted(f"{sha}  {Path(path).name}" for path, sha in files.items())
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    return DataFingerprint(dataset=dataset, files=files, digest=digest)
