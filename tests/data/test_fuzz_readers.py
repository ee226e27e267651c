"""Fuzzing the text readers: any input loads cleanly or raises a TsclError.

Inputs are mutations of small valid files (characters inserted, deleted or
replaced, biased towards each format's syntax) and arbitrary text or bytes.
A loaded result must also be well formed: float32, channels-first, no inf.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tscl.data.read_csv import read_csv_series
from tscl.data.read_ts import read_ts
from tscl.errors import TsclError

VALID_TS = """# fuzz base
@problemName Fuzz
@timeStamps false
@missing true
@univariate false
@dimensions 2
@equalLength false
@classLabel true up down
@data
1.0,2.5,-3e-2:4,?,6:up
0.5,NaN:7,8:down
1,2,3,4:5,6,7,8:up
"""
VALID_CSV = """date,a,b,label
2020-01-01 00:00,1.5,-2,x
2020-01-01 01:00,,3e2,y
2020-01-01 02:00,4,5,x
"""
TS_SYNTAX = "@#:,?.-+eE0123456789 \n\r\tNaninftrue false"
CSV_SYNTAX = ',"\n\r .-+eE0123456789:NAinf-xy'
FUZZ = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _mutations(base: str, syntax: str) -> st.SearchStrategy[str]:
    """``base`` with up to 6 random insertions, deletions or replacements."""
    edit = st.tuples(
        st.integers(0, len(base)),
        st.sampled_from(["insert", "delete", "replace"]),
        st.text(alphabet=st.sampled_from(syntax) | st.characters(), max_size=4),
    )

    def apply(edits: list[tuple[int, str, str]]) -> str:
        text = base
        for position, kind, chunk in edits:
            position = min(position, len(text))
            if kind == "insert":
                text = text[:position] + chunk + text[position:]
            elif kind == "delete":
                text = text[:position] + text[position + len(chunk) + 1 :]
            else:
                text = text[:position] + chunk + text[position + len(chunk) :]
        return text

    return st.lists(edit, min_size=1, max_size=6).map(apply)


def _check_ts(path: Path) -> None:
    try:
        data = read_ts(path)
    except TsclError:
        return
    for x in data.series:
        assert x.dtype == np.float32 and x.ndim == 2
        assert x.shape[0] == data.num_channels and x.shape[1] > 0
        assert not np.isinf(x).any()
    if data.labels is not None:
        assert len(data.labels) == len(data.series)
    assert data.to_array().shape[:2] == (len(data), data.num_channels)


def _check_csv(path: Path, **kwargs: object) -> None:
    try:
        series = read_csv_series(path, **kwargs)  # type: ignore[arg-type]
    except TsclError:
        return
    assert series.values.dtype == np.float32 and series.values.ndim == 2
    assert not np.isinf(series.values).any()
    if series.timestamps is not None:
        assert (np.diff(series.timestamps).astype(np.float64) > 0).all()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def test_valid_bases_load(folder: Path) -> None:
    (folder / "base.ts").write_text(VALID_TS)
    assert len(read_ts(folder / "base.ts")) == 3
    (folder / "base.csv").write_text(VALID_CSV)
    series = read_csv_series(
        folder / "base.csv", time_column="date", label_column="label"
    )
    assert series.values.shape == (2, 3)


@FUZZ
@given(text=_mutations(VALID_TS, TS_SYNTAX))
def test_mutated_ts(folder: Path, text: str) -> None:
    path = folder / "mutated.ts"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _check_ts(path)


@FUZZ
@given(content=st.text(alphabet=st.sampled_from(TS_SYNTAX), max_size=200) | st.binary())
def test_random_ts(folder: Path, content: str | bytes) -> None:
    path = folder / "random.ts"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    _check_ts(path)


@FUZZ
@given(text=_mutations(VALID_CSV, CSV_SYNTAX), use_time=st.booleans())
def test_mutated_csv(folder: Path, text: str, use_time: bool) -> None:
    path = folder / "mutated.csv"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _check_csv(path, time_column="date" if use_time else None, label_column="label")


@FUZZ
@given(
    content=st.text(alphabet=st.sampled_from(CSV_SYNTAX), max_size=200) | st.binary(),
    header=st.booleans(),
)
def test_random_csv(folder: Path, content: str | bytes, header: bool) -> None:
    path = folder / "random.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    _check_csv(path, header=header)
