"""Where Archipelago keeps what it builds once per machine (corpora, embeddings)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_root(override: str | Path | None = None) -> Path:
    """`override`, else `$ARCHIPELAGO_CACHE`, else ~/.cache/archipelago; read at call time,
    so worker processes and tests that set the variable see it."""
    root = override or os.environ.get("ARCHIPELAGO_CACHE") or "~/.cache/archipelago"
    return Path(root).expanduser()
