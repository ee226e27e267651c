"""Every benchmark module imports: `make bench` must not break silently when the package moves."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.mark.parametrize(
    "name", sorted(p.stem for p in BENCHMARKS.glob("*.py") if p.stem != "__init__")
)
def test_benchmark_module_imports(name: str) -> None:
    importlib.import_module(f"benchmarks.{name}")
