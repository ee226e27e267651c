"""A local SQLite tracking store, checked and set up before a run starts.

MLflow retries a store it cannot open for about 100 s and then prints a long
traceback; two processes creating a new store at once race on its tables
(``duplicate column name``). ``prepare_store`` instead checks in a second that
the database can be written, and creates (or migrates) its schema under a file
lock beside the database, so concurrent runs on one new store both start.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from filelock import FileLock, Timeout
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from tscl.errors import TsclError
from tscl.track.target import sqlite_path

WRITE_TIMEOUT_S = 5.0  # a store locked by another writer for longer is reported
SCHEMA_LOCK_TIMEOUT_S = 120.0  # another process creating the schema


def _reason(err: BaseException) -> str:
    text = getattr(err, "strerror", None) or str(err) or type(err).__name__
    return " ".join(str(text).split())[:200]


def check_writable(database: Path, uri: str) -> None:
    """Opens ``database`` and takes its write lock for a moment (creating the file if new).

    Raises:
        TsclError: one line naming the store, when it cannot be written or stays locked.
    """
    try:
        connection = sqlite3.connect(database, timeout=WRITE_TIMEOUT_S)
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.rollback()
        finally:
            connection.close()
    except sqlite3.Error as err:
        raise TsclError(
            f"tracking store {uri} cannot be written ({_reason(err)}); "
            "check the folder's permissions or set tracking.uri"
        ) from err


def prepare_store(uri: str) -> None:
    """Checks a ``sqlite:///`` store and creates its schema once, under a lock; others untouched.

    Raises:
        TsclError: one line, within seconds, for a folder that cannot be
            created or written, a database that stays locked, or a schema
            MLflow cannot set up.
    """
    database = sqlite_path(uri)
    if database is None:
        return
    folder = database.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = FileLock(f"{database}.lock", timeout=SCHEMA_LOCK_TIMEOUT_S)
        lock.acquire()
    except (OSError, Timeout) as err:
        raise TsclError(
            f"tracking store {uri}: cannot write in {folder} ({_reason(err)}); "
            "check its permissions or set tracking.uri"
        ) from err
    try:
        check_writable(database, uri)
        try:  # the first client of a URI creates / migrates the tables (cached per process)
            MlflowClient(uri).search_experiments(max_results=1)
        except MlflowException as err:
            raise TsclError(
                f"tracking store {uri}: MLflow cannot open it ({_reason(err)})"
            ) from err
    finally:
        lock.release()
