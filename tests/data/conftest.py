"""Fixtures for the catalog / fetch / loader tests: a fetched cache and an HTTP mirror."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tscl.data.catalog import card_names
from tscl.data.fetch import fetch


@pytest.fixture(scope="session")
def fetched_cache(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache root holding every catalogued data set, copied from the mirror once."""
    cache = tmp_path_factory.mktemp("tscl-cache")
    for name in card_names():
        fetch(name, cache_dir=cache, mirror=data_dir)
    return cache


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # keep the test output clean


@pytest.fixture
def serve() -> Iterator[Callable[[Path], str]]:
    """``serve(folder) -> base URL`` of a loopback HTTP server on a free port."""
    servers: list[ThreadingHTTPServer] = []

    def start(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
