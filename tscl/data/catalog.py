"""Dataset cards: one YAML file per data set in ``datasets/``, checked on load.

A card says where a data set comes from (source, licence, citation), which
files make it up (path, sha256, size, download URL or null when the file was
converted for tscl), which loader reads it (``reader``, a key of
``tscl.data.loaders.LOADERS``, with ``reader_args``), how subject /
recording / window ids come from the files (``hierarchy``), which labels
exist (``labels``) and the default split (``split``). Every field is
validated here so that a bad card fails with a one-line ``DataError`` naming
the card file and the field.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

import tscl
from tscl.errors import DataError

# fmt: off
FORMATS = frozenset({"wfdb", "edf", "ts", "csv", "npz", "parquet"})
DOMAINS = frozenset({"ecg", "eeg", "eog", "motion", "events", "forecasting", "energy",
                     "speech", "spectra", "mixed"})
LEVEL_SOURCES = frozenset({"record", "path", "array", "index", "column", "constant",
                           "annotation", "window"})
LABEL_KINDS = frozenset({"series", "step", "annotation", "case"})
SPLIT_KINDS = frozenset({"official", "groupwise", "rows", "ratio", "none"})
LABEL_MAPPINGS = frozenset({"aami"})
_TEXT = ("name", "domain", "description", "licence", "citation", "format", "reader",
         "mirror_path")
REQUIRED = (*_TEXT, "source", "files", "hierarchy", "split")
OPTIONAL = ("labels", "reader_args")
_FILE_KEYS = frozenset({"path", "sha256", "size", "url"})
_LEVEL_KEYS = frozenset({"level", "from", "key", "value", "aliases", "note"})
_LABEL_KEYS = frozenset({"kind", "classes", "field", "mapping", "ignore", "allow_missing",
                         "names"})
_SPLIT_KEYS = frozenset({"kind", "note", "train", "val", "test", "group", "pool", "sets",
                         "smoke_only"})
# fmt: on
# The C loader when libyaml is present: the same safe subset, ~5x faster.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class CardFile:
    """One file of a data set: where it lies and how to check it."""

    path: str
    sha256: str
    size: int
    url: str | None


@dataclass(frozen=True)
class Level:
    """How one hierarchy level's ids come from the files.

    ``source`` is ``record`` (WFDB record name), ``path`` (first group of the
    regex ``key`` on the file path), ``array`` (per-recording npz array
    ``key``), ``column`` (table column ``key``), ``index`` (position in the
    file), ``constant`` (``value``), or ``annotation`` / ``window`` (made
    later, from annotations or by windowing). ``aliases`` renames raw ids,
    e.g. two records of one patient.
    """

    name: str
    source: str
    key: str | None = None
    value: str | None = None
    aliases: Mapping[str, str] = dataclasses.field(default_factory=dict)
    note: str = ""

    def resolve(self, raw: str) -> str:
        """The id of this level for a raw value (record name, path, cell)."""
        if self.source == "constant":
            return str(self.value)
        if self.source == "path":
            match = re.search(str(self.key), raw)
            if match is None:
                problem = f"does not match the {self.name} pattern {self.key!r}"
                raise DataError(raw, problem)
            raw = match.group(1)
        return self.aliases.get(str(raw), str(raw))


@dataclass(frozen=True)
class LabelSpec:
    """Where the labels are and which classes are allowed.

    ``kind`` is ``series`` (one per series), ``step`` (one per time step),
    ``annotation`` (one per annotation) or ``case`` (one per event sequence).
    ``mapping`` names a symbol-to-class map applied first (``aami``); values
    in ``ignore`` are neither classes nor errors (non-beat annotations).
    """

    kind: str
    classes: tuple[str, ...]
    field: str | None = None
    mapping: str | None = None
    ignore: tuple[str, ...] = ()
    allow_missing: bool = False
    names: Mapping[str, str] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class Card:
    """A validated dataset card (see the module docstring for the fields)."""

    name: str
    domain: str
    description: str
    source: Mapping[str, Any]
    licence: str
    citation: str
    format: str
    reader: str
    mirror_path: str
    files: tuple[CardFile, ...]
    hierarchy: tuple[Level, ...]
    split: Mapping[str, Any]
    labels: LabelSpec | None = None
    reader_args: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    path: Path | None = None

    def level(self, name: str) -> Level | None:
        """The hierarchy level called ``name``, or None."""
        return next((level for level in self.hierarchy if level.name == name), None)

    @property
    def size(self) -> int:
        """Total bytes of all files."""
        return sum(file.size for file in self.files)


def cards_dir() -> Path:
    """$TSCL_DATASETS_DIR, default the repository's ``datasets/`` folder."""
    default = Path(tscl.__file__).resolve().parents[1] / "datasets"
    return Path(os.environ.get("TSCL_DATASETS_DIR", default))


def _check(ok: bool, where: str, problem: str) -> None:
    """Raise ``DataError(where, problem)`` unless ``ok``."""
    if not ok:
        raise DataError(where, problem)


def _get(data: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    """``data[key]`` checked against ``kind``; ``where`` names the card file + field."""
    value = data.get(key)
    ok = isinstance(value, kind) and not (isinstance(value, bool) and kind is int)
    _check(ok, where, f"field '{key}' must be {kind.__name__}, got {value!r:.60}")
    return value


def _choice(
    data: Mapping[str, Any], key: str, allowed: frozenset[str], where: str
) -> str:
    """``data[key]``, which must be one of ``allowed``."""
    value = data.get(key)
    problem = f"'{key}' must be one of {sorted(allowed)}, got {value!r}"
    _check(value in allowed, where, problem)
    return str(value)


def _keys(entry: Any, allowed: frozenset[str], where: str) -> Mapping[str, Any]:
    """``entry`` as a mapping whose keys are all in ``allowed``."""
    _check(isinstance(entry, Mapping), where, f"must be a mapping, got {entry!r:.60}")
    unknown = sorted(set(entry) - allowed)
    _check(not unknown, where, f"unknown keys {unknown}; allowed: {sorted(allowed)}")
    return entry


def _relative(value: str, where: str) -> str:
    """A relative POSIX path without '..'."""
    path = PurePosixPath(value)
    bad = not value or path.is_absolute() or ".." in path.parts or "\\" in value
    _check(not bad, where, f"must be a relative path without '..', got {value!r}")
    return value


def _parse_file(entry: Any, where: str) -> CardFile:
    entry = _keys(entry, _FILE_KEYS, where)
    path = _relative(_get(entry, "path", str, where), f"{where}.path")
    sha256, size = _get(entry, "sha256", str, where), _get(entry, "size", int, where)
    problem = f"sha256 must be 64 lowercase hex characters, got {sha256!r}"
    _check(bool(_SHA256.match(sha256)), where, problem)
    _check(size >= 0, where, f"size must be >= 0, got {size}")
    url = entry.get("url")
    ok = url is None or isinstance(url, str) and url.startswith("https://")
    _check(ok, where, f"url must be an https:// URL or null, got {url!r}")
    return CardFile(path=path, sha256=sha256, size=size, url=url)


def _parse_level(entry: Any, where: str) -> Level:
    entry = _keys(entry, _LEVEL_KEYS, where)
    name = _get(entry, "level", str, where)
    source = _choice(entry, "from", LEVEL_SOURCES, where)
    key, value, aliases = entry.get("key"), entry.get("value"), entry.get("aliases")
    ok = source not in ("path", "array", "column") or isinstance(key, str)
    _check(ok, where, f"'from: {source}' needs a 'key'")
    ok = source != "path" or re.compile(str(key)).groups == 1
    _check(ok, where, f"path pattern {key!r} must have exactly one group")
    ok = source != "constant" or value is not None
    _check(ok, where, "'from: constant' needs a 'value'")
    aliases = {} if aliases is None else aliases
    _check(isinstance(aliases, Mapping), where, "'aliases' must map raw ids to ids")
    return Level(
        name, source, key=key, value=None if value is None else str(value),
        aliases={str(raw): str(new) for raw, new in aliases.items()},
        note=str(entry.get("note", "")),
    )  # fmt: skip


def _parse_labels(entry: Any, where: str) -> LabelSpec | None:
    if entry is None:
        return None
    entry = _keys(entry, _LABEL_KEYS, where)
    kind = _choice(entry, "kind", LABEL_KINDS, where)
    classes = tuple(str(c) for c in _get(entry, "classes", list, where))
    ok = bool(classes) and len(set(classes)) == len(classes)
    _check(ok, where, f"'classes' must be a non-empty list without repeats: {classes}")
    mapping = entry.get("mapping")
    ok = mapping is None or mapping in LABEL_MAPPINGS
    _check(ok, where, f"unknown label mapping {mapping!r}")
    names = {str(k): str(v) for k, v in (entry.get("names") or {}).items()}
    extra = sorted(set(names) - set(classes))
    _check(not extra, where, f"'names' describes classes not in 'classes': {extra}")
    return LabelSpec(
        kind=kind, classes=classes, field=entry.get("field"), mapping=mapping,
        ignore=tuple(str(v) for v in entry.get("ignore") or ()),
        allow_missing=bool(entry.get("allow_missing", False)), names=names,
    )  # fmt: skip


def _check_split(split: Mapping[str, Any], card: Card, where: str) -> None:
    """Kind-specific split checks: files exist, groups are levels, rows tile."""
    kind = _choice(_keys(split, _SPLIT_KEYS, where), "kind", SPLIT_KINDS, where)
    parts = [split.get(part) for part in ("train", "val", "test")]
    if kind == "official":
        paths = {file.path for file in card.files} | {None}
        ok = split.get("train") is not None and {parts[0], parts[2]} <= paths
        _check(ok, where, f"train/test must name files of the card, got {parts}")
    elif kind == "groupwise":
        group = split.get("group")
        ok = card.level(str(group)) is not None
        _check(ok, where, f"'group' {group!r} is not a hierarchy level")
    elif kind == "rows":
        ok = all(isinstance(p, list) and len(p) == 2 for p in parts)
        starts, ends = zip(*parts, strict=True) if ok else ((1,), (0,))
        ok = starts[0] == 0 and list(starts[1:]) == list(ends[:-1])
        ok = ok and all(start < end for start, end in zip(starts, ends, strict=True))
        _check(ok, where, f"train/val/test must be [start, end) from 0: {parts}")
    elif kind == "ratio":
        ok = all(isinstance(r, float | int) for r in parts)
        ok = ok and abs(sum(parts) - 1) < 1e-9
        _check(ok, where, f"train/val/test ratios must sum to 1, got {parts}")


def parse_card(data: Any, source: str | os.PathLike[str]) -> Card:
    """Validate the YAML mapping of one card.

    Args:
        data: the result of ``yaml.safe_load`` on the card.
        source: the card file, named in every error.
    """
    where = str(source)
    _check(isinstance(data, Mapping), where, "a dataset card must be a YAML mapping")
    missing = [key for key in REQUIRED if key not in data]
    _check(not missing, where, f"missing fields {missing}")
    data = _keys(data, frozenset(REQUIRED + OPTIONAL), where)
    text = {key: _get(data, key, str, where) for key in _TEXT}
    for key, allowed in (("domain", DOMAINS), ("format", FORMATS)):
        _choice(data, key, allowed, where)
    source_info = _get(data, "source", dict, where)
    ok = str(source_info.get("url", "")).startswith("https://")
    _check(ok, where, "field 'source.url' must be an https:// landing page")
    entries = enumerate(_get(data, "files", list, where))
    files = tuple(_parse_file(e, f"{where}: files[{i}]") for i, e in entries)
    ok = bool(files) and len({f.path for f in files}) == len(files)
    _check(ok, where, "field 'files' must be non-empty and list each path once")
    levels = enumerate(_get(data, "hierarchy", list, where))
    card = Card(
        **text, source=source_info, files=files, path=Path(source),
        hierarchy=tuple(_parse_level(e, f"{where}: hierarchy[{i}]") for i, e in levels),
        split=_get(data, "split", dict, where),
        labels=_parse_labels(data.get("labels"), f"{where}: labels"),
        reader_args=dict(data.get("reader_args") or {}),
    )  # fmt: skip
    _relative(card.mirror_path, f"{where}: mirror_path")
    stem = Path(source).stem
    problem = f"card name {card.name!r} must equal the file name {stem!r}"
    _check(card.name == stem, where, problem)
    _check_split(card.split, card, f"{where}: split")
    return card


def read_card(path: str | os.PathLike[str]) -> Card:
    """Read and validate one card file."""
    path = Path(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except yaml.YAMLError as error:
        raise DataError(path, f"invalid YAML: {error}") from error
    except OSError as error:
        raise DataError(path, f"unreadable card: {error.strerror}") from error
    return parse_card(data, path)


def card_names(directory: Path | None = None) -> list[str]:
    """Names of every card in the cards folder, sorted case-insensitively."""
    directory = cards_dir() if directory is None else Path(directory)
    problem = "dataset cards folder not found (set TSCL_DATASETS_DIR)"
    _check(directory.is_dir(), str(directory), problem)
    return sorted((p.stem for p in directory.glob("*.yaml")), key=str.lower)


def load_card(name: str, directory: Path | None = None) -> Card:
    """The card called ``name`` (case-insensitive when unambiguous)."""
    directory = cards_dir() if directory is None else Path(directory)
    names = card_names(directory)
    if name not in names:
        folded = [n for n in names if n.lower() == name.lower()]
        if len(folded) != 1:
            close = difflib.get_close_matches(name, names, n=3)
            hint = (
                f"did you mean {', '.join(close)}?" if close else "see tscl data list"
            )
            raise DataError(
                name, f"no dataset card of that name in {directory}; {hint}"
            )
        name = folded[0]
    return read_card(directory / f"{name}.yaml")


def list_cards(directory: Path | None = None) -> list[Card]:
    """Every card in the cards folder, validated, sorted by name."""
    directory = cards_dir() if directory is None else Path(directory)
    return [read_card(directory / f"{name}.yaml") for name in card_names(directory)]
