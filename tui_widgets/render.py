"""Text for the panes: numbers, durations, and a genome the way its target reads best.

A genome is shown by its shape, not by its target's name, so a third-party target gets a
sensible view without the TUI knowing it: weights over named parts (a mixture) as labelled
bars, a text (a prompt, a template) as text, anything else as indented JSON.
"""

from __future__ import annotations

import json
import math
from typing import Any

from rich.text import Text

#: cells of the widest bar in a mixture view
BAR_WIDTH = 24


def number(value: Any, digits: int = 4) -> str:
    """A metric value compact enough for a table cell."""
    if value is None:
        return "-"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return str(value)
    if value.is_integer() and abs(value) >= 1000:  # a count or an id stored as a float
        return str(int(value))
    if value != 0 and (abs(value) >= 1e5 or abs(value) < 1e-3):
        return f"{value:.{digits - 1}e}"
    return f"{value:.{digits}f}"


def duration(seconds: float) -> str:
    """`42s`, `3m 05s`, `2h 10m`: short enough for the header at 80 columns."""
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"


def is_mixture(genome: Any) -> bool:
    """Weights over named parts: a dict of non-negative numbers."""
    return (
        isinstance(genome, dict) and bool(genome)
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0
                for v in genome.values())
    )


def genome_text(genome: Any, width: int = BAR_WIDTH, before: Any = None) -> Text:
    """The genome as a person reads it best (see the module docstring); `before`, a parent's
    genome, adds each part's previous share to a mixture."""
    if is_mixture(genome):
        return mixture_bars(genome, width, before if is_mixture(before) else None)
    if isinstance(genome, str):
        return Text(genome)
    return Text(json.dumps(genome, indent=2, sort_keys=True, default=str))


def mixture_bars(
    weights: dict[str, float], width: int = BAR_WIDTH, before: dict[str, float] | None = None
) -> Text:
    """One labelled bar per part, scaled so that a share of 1 fills `width` cells."""
    label = max(len(str(k)) for k in weights)
    out = Text()
    for i, (name, w) in enumerate(weights.items()):
        cells = w * width
        full = int(cells)
        part = " ▏▎▍▌▋▊▉"[int((cells - full) * 8)] if full < width else ""
        bar = ("█" * full + part.strip()).ljust(width)
        if i:
            out.append("\n")
        out.append(f"{str(name):<{label}} ", style="bold")
        out.append(bar, style="cyan")
        out.append(f" {w:6.1%}")
        if before is not None:
            delta = w - before.get(name, 0.0)
            out.append(f" ({delta:+.1%})", style="green" if delta > 0 else "red" if delta else "")
    return out


def genome_change(parent: Any, child: Any, top: int = 2) -> str:
    """What a step changed, briefly: the parts of a mixture that moved most, or a size."""
    if is_mixture(parent) and is_mixture(child):
        keys = list(dict.fromkeys([*parent, *child]))
        moves = sorted(
            ((child.get(k, 0.0) - parent.get(k, 0.0), k) for k in keys),
            key=lambda m: -abs(m[0]),
        )
        return " ".join(f"{k} {d:+.2f}" for d, k in moves[:top] if abs(d) >= 0.005) or "="
    if isinstance(parent, str) and isinstance(child, str):
        return "=" if parent == child else f"{len(child) - len(parent):+d} chars"
    return "=" if parent == child else "changed"


def short(text: str, limit: int) -> str:
    """One line of at most `limit` characters."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
