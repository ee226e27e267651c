"""Fetch the files of a dataset card into the cache, verifying every sha256.

Each data set lives in ``<cache>/<name>/`` (cache: ``$TSCL_CACHE_DIR``,
default ``~/.cache/tscl/datasets``). A file is streamed into a temporary
file in its final folder while it is hashed, and renamed into place only
when its sha256 matches the card; a mismatch deletes the temporary file and
raises ``ChecksumError``. Verified files are recorded in
``<cache>/<name>/.tscl-manifest.json`` (path, sha256, size, mtime), so a
second fetch skips them, and loaders use nothing that is not recorded there
with an unchanged size and mtime.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from tqdm import tqdm

import tscl
from tscl.data.catalog import Card, CardFile, load_card
from tscl.errors import ChecksumError, DataError

MANIFEST = ".tscl-manifest.json"
CHUNK = 1 << 20  # bytes per read while streaming
TIMEOUT_S = 60.0  # per network operation
_UMASK = os.umask(0o022)
os.umask(_UMASK)  # read the process umask (os has no getter)
_FILE_MODE = 0o666 & ~_UMASK
USER_AGENT = f"tscl/{tscl.__version__} (dataset fetch)"


def cache_root(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """The cache root: ``cache_dir``, else $TSCL_CACHE_DIR, else ~/.cache/tscl/datasets."""
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    default = Path.home() / ".cache" / "tscl" / "datasets"
    return Path(os.environ.get("TSCL_CACHE_DIR", default)).expanduser()


def read_manifest(directory: Path) -> dict[str, dict[str, Any]]:
    """The manifest of one data set folder as ``{path: entry}``; empty when absent."""
    path = directory / MANIFEST
    if not path.is_file():
        return {}
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))["files"]
        return {str(entry["path"]): dict(entry) for entry in entries}
    except (ValueError, KeyError, TypeError) as error:
        raise DataError(
            path, f"corrupt manifest ({error}); delete it and fetch again"
        ) from error


def _write_manifest(
    directory: Path, name: str, entries: dict[str, dict[str, Any]]
) -> None:
    """Replace the manifest atomically (temp file + rename)."""
    payload = {"name": name, "files": [entries[key] for key in sorted(entries)]}
    with tempfile.NamedTemporaryFile(
        "w", dir=directory, prefix=".tmp-manifest-", delete=False
    ) as out:
        json.dump(payload, out, indent=1)
    os.chmod(out.name, _FILE_MODE)
    os.replace(out.name, directory / MANIFEST)


def _entry(path: Path, file: CardFile) -> dict[str, Any]:
    """The manifest entry of a verified file on disk."""
    stat = path.stat()
    return {
        "path": file.path,
        "sha256": file.sha256,
        "size": stat.st_size,
        "mtime": stat.st_mtime,
    }


def _unchanged(directory: Path, file: CardFile, entry: dict[str, Any] | None) -> bool:
    """Whether the manifest vouches for this file: same sha256, size and mtime."""
    target = directory / file.path
    if entry is None or entry.get("sha256") != file.sha256 or not target.is_file():
        return False
    stat = target.stat()
    return (
        entry.get("size") == stat.st_size == file.size
        and entry.get("mtime") == stat.st_mtime
    )


def _source(
    card: Card, file: CardFile, mirror: Path | None, base_url: str | None
) -> str | Path:
    """Where ``file`` comes from: a mirror path, a base-URL URL or the card's URL."""
    if mirror is not None:
        path = Path(mirror) / card.mirror_path / file.path
        if not path.is_file():
            raise DataError(
                path, f"not in the mirror (card {card.name} lists {file.path})"
            )
        return path
    if base_url is not None:
        relative = urllib.parse.quote(f"{card.mirror_path}/{file.path}")
        return f"{base_url.rstrip('/')}/{relative}"
    if file.url is None:
        raise DataError(
            f"{card.name}/{file.path}",
            "has no download source (it was converted for tscl); fetch it with --mirror DIR",
        )
    return file.url


@contextmanager
def _open_source(source: str | Path) -> Iterator[tuple[IO[bytes], int | None]]:
    """A binary stream of the source and its length when known."""
    if isinstance(source, Path):
        with source.open("rb") as stream:
            yield stream, source.stat().st_size
        return
    request = urllib.request.Request(source, headers={"User-Agent": USER_AGENT})
    try:
        response = urllib.request.urlopen(request, timeout=TIMEOUT_S)
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise DataError(source, f"download failed: {reason}") from error
    with response:
        length = response.headers.get("Content-Length")
        yield response, int(length) if length and length.isdecimal() else None


def _stream(source: str | Path, out: IO[bytes], label: str) -> str:
    """Copy ``source`` into ``out`` with a progress bar; returns the sha256 hex."""
    digest = hashlib.sha256()
    with (
        _open_source(source) as (stream, length),
        tqdm(
            total=length,
            unit="B",
            unit_scale=True,
            desc=label,
            leave=False,
            disable=None,
        ) as bar,
    ):
        while True:
            try:
                chunk = stream.read(CHUNK)
            except OSError as error:
                raise DataError(source, f"read failed: {error}") from error
            if not chunk:
                return digest.hexdigest()
            digest.update(chunk)
            out.write(chunk)
            bar.update(len(chunk))


def _fetch_file(
    card: Card, file: CardFile, source: str | Path, directory: Path
) -> Path:
    """Download / copy one file; rename into place only when its sha256 matches."""
    target = directory / file.path
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as out:
            actual = _stream(source, out, f"{card.name}/{file.path}")
        if actual != file.sha256:
            expected = f"expected {file.sha256}, got {actual}"
            raise ChecksumError(
                source, f"sha256 mismatch: {expected} (card {card.name})"
            )
        os.chmod(temp, _FILE_MODE)  # mkstemp makes 0600; data files are not secret
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return target


def fetch(
    name: str,
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    mirror: str | os.PathLike[str] | None = None,
    base_url: str | None = None,
    force: bool = False,
) -> Path:
    """Fetch and verify every file of the data set ``name``.

    Args:
        name: a dataset card name (``tscl data list``).
        cache_dir: cache root (default ``cache_root()``).
        mirror: a local copy of the data tree; files are copied from
            ``mirror/<mirror_path>/<path>``.
        base_url: a server holding the same tree; files are downloaded from
            ``base_url/<mirror_path>/<path>``. Without mirror and base URL,
            each file's own ``url`` is used.
        force: fetch again even files the manifest says are verified.

    Returns:
        The data set folder ``<cache>/<name>``.

    Raises:
        ChecksumError: a file's sha256 differs from the card (nothing is kept).
        DataError: a file has no source, or reading / downloading failed.
    """
    card = load_card(name)
    directory = cache_root(cache_dir) / card.name
    entries = {} if force else read_manifest(directory)
    todo = [
        f
        for f in card.files
        if force or not _unchanged(directory, f, entries.get(f.path))
    ]
    mirror_path = None if mirror is None else Path(mirror).expanduser()
    sources = [
        _source(card, file, mirror_path, base_url) for file in todo
    ]  # fail before copying
    directory.mkdir(parents=True, exist_ok=True)
    entries = {
        path: e for path, e in entries.items() if path in {f.path for f in card.files}
    }
    for file, source in zip(todo, sources, strict=True):
        entries.pop(file.path, None)
        target = _fetch_file(card, file, source, directory)
        entries[file.path] = _entry(target, file)
        _write_manifest(directory, card.name, entries)
    if not todo:
        _write_manifest(directory, card.name, entries)
    return directory


def unverified_files(
    card: Card, cache_dir: str | os.PathLike[str] | None = None
) -> list[str]:
    """Paths of the card's files that are missing, changed or not in the manifest."""
    directory = cache_root(cache_dir) / card.name
    entries = read_manifest(directory)
    return [
        f.path for f in card.files if not _unchanged(directory, f, entries.get(f.path))
    ]


def verified_path(name: str, cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """The folder of a fetched data set whose files are all verified and unchanged.

    Raises:
        DataError: with the ``tscl data fetch`` command to run, when a file is
            missing, not verified, or changed (size or mtime) since its fetch.
    """
    card = load_card(name)
    directory = cache_root(cache_dir) / card.name
    bad = unverified_files(card, cache_dir)
    if bad:
        what = (
            "is not fetched"
            if len(bad) == len(card.files)
            else f"has unverified or changed files ({bad[0]}, ...)"
        )
        raise DataError(
            directory,
            f"data set {card.name} {what} (run: tscl data fetch {card.name} --mirror DIR)",
        )
    return directory


def ensure_fetched(name: str) -> None:
    """Fetches a data set from the local mirror ($TSCL_DATA_MIRROR) when it is not in the cache yet."""
    mirror = os.environ.get("TSCL_DATA_MIRROR")
    if mirror and Path(mirror).is_dir() and unverified_files(load_card(name)):
        fetch(name, mirror=Path(mirror))
