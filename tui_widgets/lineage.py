"""The Lineage pane: which mutations made the selected candidate good.

RunReader.lineage follows first parents back to the root. Each step shows the first
objective it reached and the change from its parent, signed so that + is better whatever the
direction. The steps that moved fitness most are marked, like the pivotal tokens of the PTS
Visualizer: ★ for the largest gains, ▼ for the largest losses (at most three, each at least
half the largest move), so a long chain reads at a glance.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.containers import Container, Vertical
from textual.widgets import DataTable, Static

from evolver.types import Candidate
from tui_widgets.render import genome_change, genome_text, number
from tui_widgets.watch import RunWatch

#: at most this many steps are marked pivotal
PIVOTAL_MAX = 3
#: a pivotal step moved fitness at least this share of the largest move in the chain
PIVOTAL_SHARE = 0.5


@dataclass(frozen=True)
class Step:
    candidate: Candidate
    value: float | None
    gain: float | None  # improvement over the parent step (+ is better); None if unknown
    change: str
    pivotal: bool = False


def lineage_steps(watch: RunWatch, candidate_id: str) -> list[Step]:
    """The chain oldest first, with gains and the pivotal steps marked."""
    chain = watch.reader.lineage(candidate_id)
    obj = watch.primary
    steps: list[Step] = []
    for i, c in enumerate(chain):
        value = watch.value_of(c.id)
        prev = steps[i - 1] if i else None
        gain = None
        if prev is not None and prev.value is not None and value is not None and obj:
            gain = prev.value - value if obj.direction == "min" else value - prev.value
        change = genome_change(prev.candidate.genome, c.genome) if prev else "root"
        steps.append(Step(c, value, gain, change))
    moves = sorted((abs(s.gain), i) for i, s in enumerate(steps) if s.gain)
    if moves:
        largest = moves[-1][0]
        marked = {i for m, i in moves[-PIVOTAL_MAX:] if m >= PIVOTAL_SHARE * largest}
        steps = [Step(s.candidate, s.value, s.gain, s.change, i in marked)
                 for i, s in enumerate(steps)]
    return steps


class LineageView(Vertical):
    """A summary over a table of steps and the highlighted step's genome, with what it
    changed from its parent; Enter on a step opens that ancestor."""

    DEFAULT_CSS = """
    LineageView #lineage-summary { height: auto; padding: 0 1; }
    LineageView #lineage-body { layout: horizontal; height: 1fr; }
    LineageView #lineage-body > DataTable { width: 1fr; height: 1fr; }
    LineageView #lineage-step { width: 45%; height: 1fr; padding: 0 1;
                                border-left: solid $primary; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.steps: list[Step] = []

    def compose(self):  # noqa: ANN201 - a Textual generator
        yield Static("Select a candidate to see its lineage.", id="lineage-summary")
        with Container(id="lineage-body"):
            yield DataTable(id="lineage-table", cursor_type="row", zebra_stripes=True)
            yield Static(id="lineage-step")

    @on(DataTable.RowHighlighted, "#lineage-table")
    def _step_highlighted(self, event: DataTable.RowHighlighted) -> None:
        i = event.cursor_row
        if 0 <= i < len(self.steps):
            self.query_one("#lineage-step", Static).update(step_text(self.steps, i))

    def show(self, watch: RunWatch, candidate_id: str) -> list[Step]:
        steps = self.steps = lineage_steps(watch, candidate_id)
        obj = watch.primary
        name = obj.name if obj else "fitness"
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_columns("", "gen", "id", "operator", "isl", name, f"Δ{name} (+ better)",
                          "change")
        for s in steps:
            mark = ""
            if s.pivotal:
                mark = Text("★", style="bold yellow") if s.gain > 0 else Text("▼", "bold red")
            gain = "-" if s.gain is None else Text(
                f"{s.gain:+.4f}", style="green" if s.gain > 0 else "red" if s.gain < 0 else "")
            c = s.candidate
            table.add_row(mark, str(c.generation), c.id, c.operator, str(c.island),
                          number(s.value), gain, s.change, key=c.id)
        if steps:
            table.move_cursor(row=len(steps) - 1, animate=False)
        pivotal = sum(s.pivotal for s in steps)
        summary = Text()
        summary.append(f"Lineage of {candidate_id}", style="bold")
        summary.append(f": {len(steps)} candidates, first parents, oldest first; "
                       f"{pivotal} pivotal (★ gain, ▼ loss)")
        if steps and steps[0].value is not None and steps[-1].value is not None and obj:
            summary.append(f" · {name} {number(steps[0].value)} → {number(steps[-1].value)}")
        self.query_one("#lineage-summary", Static).update(summary)
        return steps


def step_text(steps: list[Step], i: int) -> Text:
    """One step: its genome, with each part's change from the parent's."""
    step = steps[i]
    c = step.candidate
    out = Text()
    out.append(c.id, style="bold")
    out.append(f" {c.operator}" + (f" of {', '.join(c.parent_ids)}" if c.parent_ids else ""))
    if step.gain is not None:
        out.append(f" · {step.gain:+.4f}", style="green" if step.gain > 0 else "red")
    if step.pivotal:
        out.append(" · pivotal", style="bold yellow")
    out.append("\n")
    out.append_text(genome_text(c.genome, before=steps[i - 1].candidate.genome if i else None))
    return out
