"""``python -m tscl``: the same as the ``tscl`` command."""

from __future__ import annotations

from tscl.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
