"""Reading JSON-lines files with errors that name the file and the line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def read_jsonl(path: Path, error: type[ValueError] = ValueError,
               prefix: str = "") -> Iterator[tuple[int, Any]]:
    """(line number, record) for each non-blank line. A line that is not JSON raises
    `error` (the caller's own error type) as `<prefix><path> line N: not JSON (why)`."""
    with path.open(encoding="utf-8") as f:
        for line_no, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise error(f"{prefix}{path} line {line_no}: not JSON ({exc.msg})") from None
            yield line_no, record
