"""Which ECG records a run reads: a catalog card's records, or the user's WFDB files.

A card name goes through the catalog (``ensure_fetched`` then
``load_dataset``) and loses its smoke-test-only records (MIT-BIH record 100);
a path names one WFDB record (with or without ``.hea``) or a folder of them,
read without a card: subject = recording = record name. Either way the sha256
of every file read is kept for ``TrainingData.source``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from tscl.data.digest import file_sha256 as sha256
from tscl.data.records import Series
from tscl.errors import DataError

WFDB_SUFFIXES = (".hea", ".dat", ".atr")


def record_path(path: Path) -> Path:
    """A WFDB record path without its suffix (``100.hea`` / ``100.dat`` -> ``100``)."""
    return path.with_suffix("") if path.suffix in WFDB_SUFFIXES else path


def record_files(record: Path) -> list[Path]:
    """The header, signal files and ``.atr`` of one record that exist on disk."""
    header = record.with_name(record.name + ".hea")
    names = [header.name, record.name + ".dat", record.name + ".atr"]
    return [record.parent / name for name in names if (record.parent / name).is_file()]


def _chosen(names: list[str], wanted: Sequence[str] | None, where: str) -> list[str]:
    if wanted is None:
        return names
    wanted = [str(name) for name in wanted]
    unknown = sorted(set(wanted) - set(names))
    if unknown:
        raise DataError(where, f"no records {unknown}; it has {names}")
    return [name for name in names if name in wanted]


def path_records(
    path: Path, wanted: Sequence[str] | None = None
) -> tuple[list[Series], dict[str, str]]:
    """WFDB records of a record path or a folder, and {file: sha256} of what was read."""
    from tscl.data.read_wfdb import read_wfdb

    if path.is_dir():
        records = sorted(header.with_suffix("") for header in path.glob("*.hea"))
        if not records:
            raise DataError(path, "folder holds no WFDB records (.hea files)")
    else:
        records = [record_path(path)]
        if not records[0].with_name(records[0].name + ".hea").is_file():
            raise DataError(path, "not a WFDB record (no .hea header) nor a folder")
    names = _chosen([record.name for record in records], wanted, str(path))
    series = [read_wfdb(record) for record in records if record.name in names]
    files = {
        str(file): sha256(file)
        for record in records
        if record.name in names
        for file in record_files(record)
    }
    return series, files


def card_records(
    name: str, wanted: Sequence[str] | None = None
) -> tuple[list[Series], dict[str, str]]:
    """A card's records minus smoke-only ones, and {card file path: sha256} of them."""
    from tscl.data.catalog import load_card
    from tscl.data.fetch import ensure_fetched
    from tscl.data.loaders import load_dataset

    ensure_fetched(name)
    options = {} if wanted is None else {"records": [str(r) for r in wanted]}
    records = [
        series
        for series in load_dataset(name, **options)
        if not series.meta.get("smoke_only")
    ]
    if not records:
        raise DataError(name, "no records left after removing smoke-test-only records")
    read = {series.recording for series in records}
    files = {
        file.path: file.sha256
        for file in load_card(name).files
        if str(PurePosixPath(file.path).with_suffix("")) in read
    }
    return records, files
