"""One process per run folder: a lock held for the whole pretraining.

The lock is an OS file lock, which the system drops when its process dies
(even by SIGKILL); so whoever takes a folder over knows any run it records as
still running belongs to a dead process.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from tscl.errors import TsclError

LOCK_NAME = ".tscl.lock"


@contextmanager
def hold_run_folder(run_dir: Path) -> Iterator[Path]:
    """Creates ``run_dir`` and holds its lock until the block ends.

    Raises:
        TsclError: another live process holds the folder.
    """
    run_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(run_dir / LOCK_NAME)
    try:
        lock.acquire(timeout=0)
    except Timeout as err:
        raise TsclError(
            f"{run_dir}: run folder in use by another tscl process; "
            "wait for it to end or pick another --run-dir"
        ) from err
    try:
        yield run_dir
    finally:
        lock.release()
