"""Parse sktime/aeon ``.ts`` files (UCR/UEA archives) into per-series arrays.

Format: ``#`` comment lines, then ``@tag value`` header lines, then ``@data``
followed by one series per line. Dimensions of a multivariate series are
separated by ``:``, values by ``,``; with ``@classLabel true`` (or
``@targetLabel true``) the last ``:`` field is the label. ``?`` and ``NaN``
mark missing values. Every malformed input raises a ``DataError`` whose source
is ``file:line``.
"""

from __future__ import annotations

from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from tscl.errors import DataError

_BOOL_TAGS = frozenset(
    {"timestamps", "missing", "univariate", "equallength", "targetlabel"}
)
_INT_TAGS = frozenset({"dimensions", "serieslength"})
_FLOAT32_MAX = float(np.finfo(np.float32).max)


@dataclass
class TsData:
    """The series of one ``.ts`` file.

    Attributes:
        series: N arrays, each (C, T_i) float32, NaN where missing.
        labels: (N,) str class labels, (N,) float64 regression targets with
            ``@targetLabel true``, or None for unlabelled files.
        class_labels: labels declared by ``@classLabel true ...``, or None.
        header: the header tags, lower-cased (``problemname``, ``missing``,
            ``univariate``, ``dimensions``, ``equallength``, ``serieslength``,
            ``classlabel``, ``class_labels``, ``targetlabel``, plus any
            unknown tag as text).
        equal_length: whether every series has the same length.
    """

    series: list[np.ndarray]
    labels: np.ndarray | None
    class_labels: list[str] | None
    header: dict[str, Any]
    equal_length: bool

    @property
    def num_channels(self) -> int:
        """C, the number of dimensions of every series."""
        return int(self.series[0].shape[0])

    def __len__(self) -> int:
        return len(self.series)

    def to_array(self) -> np.ndarray:
        """All series in one (N, C, T_max) float32 array, NaN-padded at the end."""
        max_length = max(x.shape[1] for x in self.series)
        out = np.full(
            (len(self.series), self.num_channels, max_length), np.nan, dtype=np.float32
        )
        for i, x in enumerate(self.series):
            out[i, :, : x.shape[1]] = x
        return out


def _read_lines(path: Path) -> list[str]:
    """The file's lines (split on newline only, so numbers match editors)."""
    if not path.is_file():
        raise DataError(path, ".ts file not found")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DataError(path, f"not UTF-8 text (byte {error.start})") from error
    return text.split("\n")


def _parse_tag(source: str, tag: str, args: list[str], header: dict[str, Any]) -> None:
    """Store one header tag's value in ``header``."""
    if tag in _BOOL_TAGS or tag == "classlabel":
        if not args or args[0].lower() not in ("true", "false"):
            raise DataError(source, f"@{tag} must be followed by true or false")
        header[tag] = args[0].lower() == "true"
        if tag == "classlabel" and header[tag]:
            if len(args) < 2:
                raise DataError(source, "@classLabel true must list the class labels")
            if len(set(args[1:])) != len(args) - 1:
                raise DataError(source, "@classLabel lists a label twice")
            header["class_labels"] = args[1:]
        elif len(args) > 1 and tag != "classlabel":
            raise DataError(source, f"@{tag} takes one value, got {len(args)}")
    elif tag in _INT_TAGS:
        if len(args) != 1 or not args[0].isdecimal() or int(args[0]) < 1:
            raise DataError(source, f"@{tag} must be one positive integer, got {args}")
        header[tag] = int(args[0])
    else:
        header[tag] = " ".join(args)


def _parse_header(path: Path, lines: list[str]) -> tuple[dict[str, Any], int]:
    """Header tags and the index of the first line after ``@data``."""
    header: dict[str, Any] = {}
    for index, raw in enumerate(lines):
        source = f"{path}:{index + 1}"
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not line.startswith("@"):
            raise DataError(
                source, f"expected a @tag or comment before @data, got {line[:40]!r}"
            )
        tokens = line.split()
        tag = tokens[0][1:].lower()
        if tag == "data":
            if len(tokens) > 1:
                raise DataError(source, "@data must be alone on its line")
            _check_header(f"{path}:{index + 1}", header)
            return header, index + 1
        _parse_tag(source, tag, tokens[1:], header)
    raise DataError(path, "no @data line: the file has no data section")


def _check_header(source: str, header: dict[str, Any]) -> None:
    """Reject unsupported or contradictory header combinations."""
    if header.get("timestamps"):
        raise DataError(
            source, "@timeStamps true is not supported; use timestamp-free .ts"
        )
    if header.get("classlabel") and header.get("targetlabel"):
        raise DataError(source, "both @classLabel true and @targetLabel true")
    if header.get("univariate") and header.get("dimensions", 1) != 1:
        raise DataError(
            source, f"@univariate true but @dimensions {header['dimensions']}"
        )


def _parse_values(source: str, text: str, allow_missing: bool) -> np.ndarray:
    """One dimension's comma-separated values as (T,) float64."""
    tokens = text.split(",")
    try:
        values = np.array(tokens, dtype=np.float64)
    except ValueError:
        values = np.empty(len(tokens), dtype=np.float64)
        for i, token in enumerate(tokens):
            token = token.strip()
            if token == "?":
                values[i] = np.nan
                continue
            try:
                values[i] = float(token)
            except ValueError:
                what = (
                    "empty value"
                    if not token
                    else f"value {token[:30]!r} is not a number"
                )
                raise DataError(
                    source, f"{what} (item {i + 1} of a dimension)"
                ) from None
    if np.isnan(values).any() and not allow_missing:
        raise DataError(
            source, "missing value ('?' or NaN) but the header says @missing false"
        )
    if (np.abs(values[~np.isnan(values)]) > _FLOAT32_MAX).any():
        raise DataError(source, "infinite or out-of-float32-range value")
    return values


def _parse_label(source: str, text: str, header: dict[str, Any]) -> str | float:
    """The label field of one data line, checked against the header."""
    label = text.strip()
    if header.get("targetlabel"):
        try:
            return float(label)
        except ValueError:
            raise DataError(
                source, f"regression target {label[:30]!r} is not a number"
            ) from None
    if label not in header["class_labels"]:
        raise DataError(
            source,
            f"label {label[:30]!r} is not one of @classLabel {header['class_labels']}",
        )
    return label


def _parse_row(
    source: str, line: str, header: dict[str, Any], num_dims: int | None
) -> tuple[np.ndarray, str | float | None]:
    """One data line as (C, T) float32 and its label."""
    fields = line.split(":")
    label_text = None
    if header.get("classlabel") or header.get("targetlabel"):
        if len(fields) < 2:
            raise DataError(source, "missing ':label' at the end of the line")
        label_text = fields.pop()
    if num_dims is not None and len(fields) != num_dims:
        raise DataError(source, f"{len(fields)} dimensions, expected {num_dims}")
    label = None if label_text is None else _parse_label(source, label_text, header)
    allow_missing = header.get("missing") is not False
    dims = [_parse_values(source, text, allow_missing) for text in fields]
    lengths = sorted({len(d) for d in dims})
    if len(lengths) > 1:
        raise DataError(source, f"dimensions have different lengths {lengths}")
    return np.stack(dims).astype(np.float32), label  # C x (T,) -> (C, T)


def _check_length(
    source: str, length: int, header: dict[str, Any], first_length: int | None
) -> None:
    """Enforce @equalLength true / @seriesLength on one series."""
    if header.get("equallength") is False:
        return
    expected = header.get("serieslength")
    if expected is not None and length != expected:
        raise DataError(
            source, f"series has length {length}, @seriesLength is {expected}"
        )
    if header.get("equallength") and first_length not in (None, length):
        raise DataError(
            source,
            f"series has length {length} but @equalLength true and the first "
            f"series has {first_length}",
        )


def read_ts(path: str | PathLike[str]) -> TsData:
    """Read an sktime/aeon ``.ts`` classification or regression file.

    Args:
        path: the ``.ts`` file.

    Returns:
        TsData with N series of shape (C, T_i) float32.
    """
    path = Path(path)
    lines = _read_lines(path)
    header, start = _parse_header(path, lines)
    num_dims = header.get("dimensions", 1 if header.get("univariate") else None)
    series: list[np.ndarray] = []
    labels: list[Any] = []
    for index in range(start, len(lines)):
        line = lines[index].strip()
        if not line or line.startswith("#"):
            continue
        source = f"{path}:{index + 1}"
        x, label = _parse_row(source, line, header, num_dims)
        _check_length(
            source, x.shape[1], header, series[0].shape[1] if series else None
        )
        num_dims = x.shape[0]
        series.append(x)
        labels.append(label)
    if not series:
        raise DataError(path, "no series after @data")
    lengths = {x.shape[1] for x in series}
    label_array = None
    if header.get("targetlabel"):
        label_array = np.asarray(labels, dtype=np.float64)
    elif header.get("classlabel"):
        label_array = np.asarray(labels, dtype=str)
    return TsData(
        series=series,
        labels=label_array,
        class_labels=header.get("class_labels"),
        header=header,
        equal_length=len(lengths) == 1,
    )
