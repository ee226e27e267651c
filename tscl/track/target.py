"""Where runs are recorded: the tracking URI, the artifact folder, a server health check.

Order of precedence: ``tracking.uri`` from the config, then
``$MLFLOW_TRACKING_URI``, then a local SQLite store ``<cwd>/mlflow.db`` with
artifacts in ``<cwd>/mlartifacts``. A local SQLite store keeps its artifacts in
``mlartifacts`` next to the database file; a server decides for itself.
"""

from __future__ import annotations

import contextlib
import os
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tscl.errors import TsclError

LOCAL_DB_NAME = "mlflow.db"
LOCAL_ARTIFACTS_NAME = "mlartifacts"
HEALTH_TIMEOUT_S = 3.0
REMOTE_SCHEMES = ("http://", "https://")
SQLITE_PREFIX = "sqlite:///"


@dataclass(frozen=True)
class TrackingTarget:
    """A resolved tracking URI and where new experiments keep their artifacts.

    Attributes:
        uri: the MLflow tracking (and registry) URI.
        artifact_root: folder (file URI) under which a new experiment gets its
            artifact location, or None to let the tracking server decide.
    """

    uri: str
    artifact_root: str | None

    @property
    def is_remote(self) -> bool:
        """True for an http(s) tracking server."""
        return is_remote(self.uri)

    def artifact_location(self, experiment: str) -> str | None:
        """The artifact location for a new experiment of this name."""
        if self.artifact_root is None:
            return None
        folder = re.sub(r"[^A-Za-z0-9._-]+", "_", experiment).strip("_") or "default"
        return f"{self.artifact_root.rstrip('/')}/{folder}"


def is_remote(uri: str) -> bool:
    """True for an http(s) URI."""
    return uri.lower().startswith(REMOTE_SCHEMES)


def resolve_target(
    uri: str = "", *, project_dir: str | Path | None = None
) -> TrackingTarget:
    """Resolves the tracking URI (config, environment, local default) and its artifact root.

    Args:
        uri: ``tracking.uri`` from the config; "" falls back to
            ``$MLFLOW_TRACKING_URI``, then to ``sqlite:///<project_dir>/mlflow.db``.
        project_dir: folder of the local default store; the current directory if None.
    """
    base = Path(project_dir if project_dir is not None else Path.cwd()).resolve()
    uri = uri.strip() or os.environ.get("MLFLOW_TRACKING_URI", "").strip()
    if not uri:
        uri = SQLITE_PREFIX + (base / LOCAL_DB_NAME).as_posix()
    if is_remote(uri):
        return TrackingTarget(uri=uri.rstrip("/"), artifact_root=None)
    database = sqlite_path(uri)
    if database is not None:
        # A folder that cannot be made is reported in one line by tscl.track.store.
        with contextlib.suppress(OSError):
            database.parent.mkdir(parents=True, exist_ok=True)
        return TrackingTarget(
            uri=uri, artifact_root=(database.parent / LOCAL_ARTIFACTS_NAME).as_uri()
        )
    return TrackingTarget(uri=uri, artifact_root=(base / LOCAL_ARTIFACTS_NAME).as_uri())


def sqlite_path(uri: str) -> Path | None:
    """The database file of a ``sqlite:///`` URI (absolute), None for other URIs or in-memory."""
    if not uri.startswith(SQLITE_PREFIX):
        return None
    path = uri[len(SQLITE_PREFIX) :].split("?", 1)[0]
    if not path or path == ":memory:":
        return None
    return Path(path).resolve()


def check_reachable(uri: str, timeout: float = HEALTH_TIMEOUT_S) -> None:
    """Fails fast, before training, when an http(s) tracking server does not answer.

    Raises:
        TsclError: one line naming the server and the reason, when ``GET <uri>/health``
            fails or does not answer 200. Local stores are not checked.
    """
    if not is_remote(uri):
        return
    uri = uri.rstrip("/")
    try:
        with urllib.request.urlopen(f"{uri}/health", timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as err:
        reason = f"GET /health answered HTTP {err.code}"
    except (urllib.error.URLError, OSError, ValueError) as err:
        reason = describe_network_error(err)
    else:
        if status == 200:
            return
        reason = f"GET /health answered HTTP {status}"
    raise TsclError(
        f"tracking server {uri} is unreachable: {reason} (set tracking.uri or MLFLOW_TRACKING_URI)"
    )


def describe_network_error(err: BaseException) -> str:
    """A short one-line reason: 'connection refused', 'timed out', ..."""
    reason: object = getattr(err, "reason", err)
    if isinstance(reason, OSError) and reason.strerror:
        text = reason.strerror.lower()
    elif isinstance(reason, TimeoutError):
        text = "timed out"
    else:
        text = str(reason) or type(reason).__name__
    return " ".join(text.split())
