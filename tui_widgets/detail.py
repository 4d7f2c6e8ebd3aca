"""The detail pane of one candidate: where it came from, its genome, metrics and errors.

Every evaluation of the candidate is listed with its split, fidelity and seed, so a figure
never appears without saying which split it was measured on.
"""

from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from evolver.types import Candidate, Evaluation
from tui_widgets.render import genome_text, number
from tui_widgets.watch import RunWatch


class CandidateDetail(VerticalScroll):
    """A scrolling pane; `show(watch, id)` fills it from the run store."""

    DEFAULT_CSS = """
    CandidateDetail {
        border: round $primary;
        border-title-color: $text-accent;
        padding: 0 1;
    }
    CandidateDetail > Static { width: 1fr; }
    """

    def compose(self):  # noqa: ANN201 - a Textual generator
        yield Static("Select a candidate (↑↓, Enter for its lineage).", id="detail-text")

    def show(self, watch: RunWatch, candidate_id: str) -> None:
        candidate = watch.reader.candidate(candidate_id)
        text = (Text(f"{candidate_id}: not in this run") if candidate is None
                else detail_text(watch, candidate, watch.reader.evaluations_of(candidate_id)))
        self.border_title = candidate_id
        self.query_one("#detail-text", Static).update(text)


def detail_text(watch: RunWatch, c: Candidate, evaluations: list[Evaluation]) -> Text:
    out = Text()
    out.append(c.id, style="bold")
    out.append(f"  island {c.island} · generation {c.generation} · {c.operator}")
    if c.parent_ids:
        out.append(f"\nparents {', '.join(c.parent_ids)}")
    if c.model:
        out.append(f"\nproposed by {c.model} (${c.proposal_cost_usd:.4f})")
    out.append("\n\ngenome\n", style="bold underline")
    out.append_text(genome_text(c.genome))
    objectives = {o.name: o for o in watch.objectives}
    for ev in evaluations:
        out.append(f"\n\n{ev.split} split · fidelity {ev.fidelity} · seed {ev.seed} · ",
                   style="bold underline")
        out.append(ev.status, style="bold green" if ev.ok else "bold red")
        out.append(f"  {ev.seconds:.2f}s ${ev.cost_usd:.4f}")
        width = max((len(k) for k in ev.metrics), default=0)
        for name, value in ev.metrics.items():
            out.append(f"\n{name:<{width}}  {number(value, 6)}")
            if name in objectives:
                arrow = "↓" if objectives[name].direction == "min" else "↑"
                out.append(f"  objective {arrow}", style="green")
        if ev.error:
            out.append("\nerror\n", style="bold red")
            out.append(ev.error.rstrip(), style="red")
        for name, value in ev.artifacts.items():
            out.append(f"\nartifact {name}\n", style="bold")
            out.append(str(value).rstrip())
    if not evaluations:
        out.append("\n\nnot evaluated yet (in flight)", style="italic")
    return out
