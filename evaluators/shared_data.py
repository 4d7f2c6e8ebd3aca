"""Where the real shared data sets are: `$ARCHIPELAGO_DATA`, else `<repo>/../shared/data`.

Tests and benchmarks read RegMix runs, RouterArena results and BIG-bench tasks from there
(never copied into the repository) and skip with a reason when a folder is absent.
"""

from __future__ import annotations

import os
from pathlib import Path


def shared_data(name: str) -> Path:
    """The folder `name` of the shared data; it may not exist (callers check and say so)."""
    base = os.environ.get("ARCHIPELAGO_DATA")
    root = Path(base) if base else Path(__file__).resolve().parents[2] / "shared" / "data"
    return root / name
