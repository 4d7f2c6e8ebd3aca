"""The three tables: Islands, Candidates (sortable by any column) and Events.

Each is a DataTable filled from a RunWatch. The Candidates table is rebuilt when rows or the
sort change, keeping the cursor on the candidate it was on, so a live run does not yank the
selection away from the person reading it.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from tui_widgets.render import number, short
from tui_widgets.watch import RunWatch, cell

#: rows the Candidates table shows (the top ones by the current sort)
CANDIDATE_LIMIT = 200

#: short headers for the fixed columns, so more metrics fit at 80 columns
LABELS = {"island": "isl", "operator": "op", "fidelity": "fid"}

#: event kinds and their style in the Events table
EVENT_STYLES = {
    "failed": "red", "timeout": "red", "invalid": "yellow", "migration": "cyan",
    "report": "bold green", "run_started": "bold", "run_finished": "bold",
}


class IslandsTable(DataTable):
    """Strategy, population, best, evaluations and last migration of every island."""

    DEFAULT_CSS = """
    IslandsTable { height: auto; max-height: 12; }
    """

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True

    def show(self, watch: RunWatch) -> None:
        obj = watch.primary
        best = f"best {obj.name}" if obj else "best"
        self.clear(columns=True)
        self.add_columns("island", "strategy", "pop", best, "evals", "failed",
                         "last migration in")
        for i, row in sorted(watch.islands.items()):
            self.add_row(
                str(i), row.strategy, number(row.population), number(row.best),
                str(row.evaluations), str(row.failed), row.last_migration,
                key=str(i),
            )


class CandidatesTable(DataTable):
    """The candidates, best first by default; any column sorts (s / click its header)."""

    DEFAULT_CSS = """
    CandidatesTable { height: 1fr; }
    """

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True

    def show(self, watch: RunWatch, key: str, descending: bool, failed_only: bool) -> None:
        # on the top row, follow the top (a live run's new best); elsewhere, stay on the
        # candidate the person moved to
        selected = self.selected_id if self.cursor_row > 0 else None
        rows = watch.sorted_rows(key, descending, failed_only)[:CANDIDATE_LIMIT]
        self.clear(columns=True)
        for column in watch.columns():
            label = LABELS.get(column, column)
            label += (" ▼" if descending else " ▲") if column == key else ""
            self.add_column(label, key=column)
        for row in rows:
            self.add_row(*(_cell_text(row, c) for c in watch.columns()), key=row[0].id)
        if selected is not None and selected in {r[0].id for r in rows}:
            self.move_cursor(row=self.get_row_index(selected), animate=False)

    @property
    def selected_id(self) -> str | None:
        if not self.row_count:
            return None
        try:
            return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except Exception:  # noqa: BLE001 - a cursor left past a shrunk table
            return None

    def select(self, candidate_id: str) -> bool:
        """Put the cursor on a candidate; False when it is not among the rows shown."""
        try:
            self.move_cursor(row=self.get_row_index(candidate_id), animate=False)
        except Exception:  # noqa: BLE001 - RowDoesNotExist
            return False
        return True


class EventsTable(DataTable):
    """Migrations, failures, reports: appended as they come, following the newest."""

    DEFAULT_CSS = """
    EventsTable { height: 1fr; }
    """

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.add_columns("at", "kind", "island", "message")

    def append(self, watch: RunWatch, events: list[dict[str, Any]]) -> None:
        follow = self.row_count == 0 or self.cursor_row >= self.row_count - 1
        created = float(watch.meta.get("created", 0) or 0)
        for e in events:
            kind = e["kind"]
            at = f"+{e['time'] - created:.1f}s" if created else "-"
            self.add_row(
                at, Text(kind, style=EVENT_STYLES.get(kind, "")),
                "-" if e["island"] is None else str(e["island"]),
                short(e["message"], 200), key=str(e["seq"]),
            )
        if follow and self.row_count:
            self.move_cursor(row=self.row_count - 1, animate=False)

    def candidate_of(self, watch: RunWatch, row_key: str) -> str | None:
        """The candidate an event is about (a failure names one), if any."""
        for e in watch.events:
            if str(e["seq"]) == row_key:
                return e["data"].get("candidate_id")
        return None


def _cell_text(row: Any, column: str) -> Text | str:
    value = cell(row, column)
    if value is None:
        return "-"
    if column == "status":
        return Text(value, style="green" if value == "ok" else "red")
    return str(value) if column in ("id", "operator") else number(value)
