"""Data layer: record types, readers, windowing, splits, lazy windows, the dataset catalog.

``from tscl.data import load_dataset`` gives a data set as arrays in the layout
``ContrastiveEncoder`` takes (read through its domain; see ``tscl.domains.arrays``).
"""

from typing import Any


def __getattr__(name: str) -> Any:
    # Imported on use: the domains build on this package, not the other way round.
    if name == "load_dataset":
        from tscl.domains.arrays import load_dataset

        return load_dataset
    raise AttributeError(f"module 'tscl.data' has no attribute {name!r}")
