"""Reading back files tscl wrote (bundles, checkpoints): tensors and plain data only, never code.

``torch.load`` with ``weights_only=True`` unpickles nothing but tensors,
containers and primitive values; an object whose ``__reduce__`` would run a
command is refused before anything in it runs. Metadata that is not a tensor
(configs, preprocessing, info) is stored as JSON text beside the tensors.
"""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path
from typing import Any

import numpy as np
import torch

from tscl.errors import TsclError

_GLOBAL = re.compile(r"[Uu]nsupported (?:global: )?GLOBAL ([\w.]+)")


class UnsafeFileError(TsclError):
    """A saved file holds Python objects that loading could run: it is refused, not loaded."""


def load_tensors(path: str | Path, what: str) -> Any:
    """``torch.load(path, weights_only=True)`` onto the CPU, every failure as one line.

    Args:
        what: what the file should be ("tscl checkpoint", "tscl encoder bundle"),
            for the message.

    Raises:
        UnsafeFileError: the file holds objects other than tensors and plain data.
        TsclError: the file is missing, torn or not a torch file.
    """
    path = Path(path)
    if not path.is_file():
        raise TsclError(f"{path}: {what} not found")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as err:
        found = _GLOBAL.search(str(err))
        holds = f" ({found.group(1)})" if found else ""
        raise UnsafeFileError(
            f"{path}: refused: not a plain {what}, it holds Python objects{holds} "
            "that loading could run; tscl loads only tensors and plain data"
        ) from err
    except Exception as err:  # torn, truncated or foreign file
        raise TsclError(
            f"{path}: not a readable {what} ({type(err).__name__})"
        ) from err


def _plain(value: Any) -> Any:
    """NumPy values as Python ones, for ``json.dumps``."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not plain data")


def to_json(value: Any, what: str) -> str:
    """``value`` (dicts, lists, numbers, strings, NumPy arrays) as JSON text.

    Raises:
        TsclError: naming ``what`` when it holds any other object.
    """
    try:
        return json.dumps(value, default=_plain)
    except (TypeError, ValueError) as err:
        raise TsclError(f"{what}: cannot be saved as plain data ({err})") from err
