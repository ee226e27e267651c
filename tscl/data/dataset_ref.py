"""``dataset=`` is a catalog name or a path to the user's own files: tell which."""

from __future__ import annotations

from pathlib import Path

from tscl.data.catalog import card_names


def as_path(dataset: str) -> Path | None:
    """The path ``dataset`` names when it is not a catalog card, else None.

    A value with a path separator, a file suffix or an existing file/folder of
    that name is a path; a WFDB record may be given without its suffix.
    """
    if dataset in card_names():
        return None
    path = Path(dataset).expanduser()
    if path.exists() or path.with_suffix(".hea").is_file():
        return path
    if "/" in dataset or path.suffix:
        return path  # a path that does not exist: the loader reports it
    return None
