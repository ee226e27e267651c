"""tscl: contrastive representation learning for time series and medical signals."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["ContrastiveEncoder", "__version__"]


def __getattr__(name: str) -> Any:
    # Imported lazily so `tscl data ...` does not pay for importing torch.
    if name == "ContrastiveEncoder":
        from tscl.estimator import ContrastiveEncoder

        return ContrastiveEncoder
    raise AttributeError(f"module 'tscl' has no attribute {name!r}")
