"""The run's header: what runs, whether it still does, how far it got and what it cost."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.widgets import Static

from tui_widgets.render import duration, number
from tui_widgets.watch import RunWatch

#: the state shown, and its style; an interrupted run says how to continue it
STATES = {
    "running": ("● running", "bold green"),
    "finished": ("✔ finished", "bold blue"),
    "interrupted": ("⏸ interrupted — resumable", "bold yellow"),
}


class RunHeader(Static):
    """Three lines at the top of the run screen, refreshed on every poll."""

    DEFAULT_CSS = """
    RunHeader {
        height: auto;
        padding: 0 1;
        background: $boost;
        color: $text;
    }
    """

    def show(self, watch: RunWatch) -> None:
        self.update(header_text(watch))


def header_text(watch: RunWatch) -> Text:
    meta, counts = watch.meta, watch.counts
    budget = int(meta.get("budget", 0) or 0)
    done = counts.get("done", 0)
    failed = sum(counts.get(s, 0) for s in ("failed", "timeout", "invalid"))
    label, style = STATES.get(watch.state, (watch.state, "bold"))
    text = Text()
    text.append(f"{meta.get('target', '?')} ", style="bold")
    text.append(f"{Path(watch.run_dir).name}  ")
    text.append(label, style=style)
    text.append("\n")
    text.append(f"{done}/{budget} done", style="bold")
    text.append(f" {_bar(done, budget)} ")
    text.append(f"{failed} failed", style="red" if failed else "")
    text.append(f" · {counts.get('in_flight', 0)} in flight · elapsed {duration(watch.elapsed())}")
    text.append("\n")
    obj = watch.primary
    if watch.best and obj is not None:
        c, ev = watch.best
        text.append("best ")
        text.append(f"{obj.name} {number(ev.objectives.get(obj.name))}", style="bold green")
        text.append(f" {c.id} (island {c.island}) · ")
    costs = watch.costs
    text.append(f"cost ${costs.get('usd', 0.0):.2f} · eval time "
                f"{duration(costs.get('eval_seconds', 0.0))}")
    return text


def _bar(done: int, budget: int, width: int = 10) -> str:
    filled = round(width * min(1.0, done / budget)) if budget else 0
    return "▕" + "█" * filled + "░" * (width - filled) + "▏"
