"""The screen of one run: header, then Overview / Candidates / Lineage / Events tabs.

It opens the run through RunReader (read-only) and polls it on a timer. A directory that is
not a readable run gives a message on the screen, not a traceback; so does a read that fails
later (a run directory removed, a shared filesystem that went away): the screen says so and
keeps polling, and recovers when the run is readable again.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane

from evolver.store import RunReader, RunStoreError
from tui_widgets.detail import CandidateDetail
from tui_widgets.frontier import FrontierPlot
from tui_widgets.header import RunHeader
from tui_widgets.lineage import LineageView
from tui_widgets.tables import CandidatesTable, EventsTable, IslandsTable
from tui_widgets.watch import RunWatch

#: below this width the candidates table sits above its detail pane, not beside it
NARROW = 120


class RunScreen(Screen):
    BINDINGS = [
        Binding("o,1", "tab('overview')", "Overview"),
        Binding("c,2", "tab('candidates')", "Candidates"),
        Binding("l,3", "tab('lineage')", "Lineage"),
        Binding("e,4", "tab('events')", "Events"),
        Binding("s", "sort_next", "Sort"),
        Binding("r", "reverse", "Reverse"),
        Binding("f", "failed_only", "Failed"),
        Binding("escape", "back", "Runs", show=False),
    ]

    DEFAULT_CSS = """
    RunScreen #error { padding: 1 2; color: $error; text-style: bold; }
    RunScreen #read-error { height: auto; padding: 0 1; color: $warning; display: none; }
    RunScreen #read-error.shown { display: block; }
    RunScreen TabbedContent, RunScreen ContentSwitcher, RunScreen TabPane { height: 1fr; }
    RunScreen TabPane { padding: 0; }
    RunScreen #cand-pane { layout: horizontal; }
    RunScreen #cand-pane CandidatesTable { width: 1fr; height: 1fr; }
    RunScreen #cand-pane CandidateDetail { width: 45%; height: 1fr; }
    RunScreen.narrow #cand-pane { layout: vertical; }
    RunScreen.narrow #cand-pane CandidateDetail { width: 1fr; height: 55%; }
    RunScreen.narrow #lineage-body { layout: vertical; }
    RunScreen.narrow #lineage-step { width: 1fr; height: auto; max-height: 50%;
                                     border-left: none; border-top: solid $primary; }
    """

    def __init__(
        self, run_dir: str | Path, *, poll_s: float = 1.0,
        clock: Callable[[], float] = time.time, from_picker: bool = False,
    ) -> None:
        super().__init__()
        self.run_dir = Path(run_dir)
        self.poll_s = poll_s
        self.from_picker = from_picker
        self.error: str | None = None
        self.watch: RunWatch | None = None
        try:
            self.watch = RunWatch(RunReader(self.run_dir), clock=clock)
        except RunStoreError as exc:
            self.error = str(exc)
        except sqlite3.Error as exc:
            self.error = f"{self.run_dir}: cannot read run.db ({exc})"
        self.sort_key, self.descending = self.watch.default_sort() if self.watch else ("id", False)
        self.failed_only = False

    def compose(self) -> ComposeResult:
        if self.watch is None:
            yield Static(f"Cannot open this run.\n\n{self.error}\n\nq quits.", id="error")
            yield Footer(compact=True, show_command_palette=False)
            return
        yield RunHeader(id="header")
        yield Static(id="read-error")
        with TabbedContent(initial="overview"):
            with TabPane("Overview", id="overview"):
                yield FrontierPlot(id="frontier")
                yield IslandsTable(id="islands")
            with TabPane("Candidates", id="candidates"), Container(id="cand-pane"):
                yield CandidatesTable(id="candidates-table")
                yield CandidateDetail(id="detail")
            with TabPane("Lineage", id="lineage"):
                yield LineageView(id="lineage-view")
            with TabPane("Events", id="events"):
                yield EventsTable(id="events-table")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        if self.watch is None:
            return
        self.poll()
        self.set_interval(self.poll_s, self.poll)

    def on_resize(self) -> None:
        self.set_class(self.size.width < NARROW, "narrow")

    # --- polling ------------------------------------------------------------------------
    def poll(self) -> None:
        """Read what is new and refresh the panes it touches."""
        watch = self.watch
        if watch is None:
            return
        notice = self.query_one("#read-error", Static)
        try:
            changes = watch.poll()
        except (sqlite3.Error, RunStoreError, OSError) as exc:
            notice.update(Text(f"reading the run failed, retrying: {exc}"))
            notice.add_class("shown")
            return
        notice.remove_class("shown")
        self.query_one(RunHeader).show(watch)
        if changes.evaluations or changes.events or changes.best:
            self.query_one(FrontierPlot).show(watch)
        if changes:
            self.query_one(IslandsTable).show(watch)
        if changes.evaluations:
            self._show_candidates()
        if changes.events:
            self.query_one(EventsTable).append(watch, changes.events)

    def _show_candidates(self) -> None:
        table = self.query_one(CandidatesTable)
        table.show(self.watch, self.sort_key, self.descending, self.failed_only)
        if table.selected_id is not None:
            self._select(table.selected_id)

    def _select(self, candidate_id: str) -> None:
        self.query_one(CandidateDetail).show(self.watch, candidate_id)
        self.query_one(LineageView).show(self.watch, candidate_id)

    # --- actions ------------------------------------------------------------------------
    def action_tab(self, tab: str) -> None:
        if self.watch is not None:
            self.query_one(TabbedContent).active = tab

    def action_sort_next(self) -> None:
        """Sort by the next column (the metrics first: they are what one sorts by)."""
        if self.watch is None:
            return
        columns = self.watch.metric_names + [c for c in self.watch.columns()
                                             if c not in self.watch.metric_names]
        i = columns.index(self.sort_key) if self.sort_key in columns else -1
        self.sort_by(columns[(i + 1) % len(columns)])

    def sort_by(self, column: str, descending: bool | None = None) -> None:
        """Sort by a column; a metric that is an objective starts at its best end."""
        objectives = {o.name: o for o in self.watch.objectives}
        if descending is None:
            descending = column in objectives and objectives[column].direction == "max"
        self.sort_key, self.descending = column, descending
        self._show_candidates()

    def action_reverse(self) -> None:
        if self.watch is not None:
            self.sort_by(self.sort_key, not self.descending)

    def action_failed_only(self) -> None:
        if self.watch is not None:
            self.failed_only = not self.failed_only
            self._show_candidates()
            self.notify("showing failed candidates only" if self.failed_only
                        else "showing all candidates", timeout=2)

    def action_back(self) -> None:
        if self.from_picker:
            self.dismiss()

    def show_candidate(self, candidate_id: str) -> None:
        """Select a candidate in the table (when shown) and open its detail."""
        self.query_one(CandidatesTable).select(candidate_id)
        self._select(candidate_id)
        self.query_one(TabbedContent).active = "candidates"

    # --- events from the widgets --------------------------------------------------------
    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """Focus the pane's table, so the keys (arrows, Enter) act on what is shown."""
        target = {"overview": IslandsTable, "candidates": CandidatesTable,
                  "lineage": "#lineage-table", "events": EventsTable}.get(event.pane.id or "")
        if target is not None:
            self.query_one(target).focus()

    @on(DataTable.RowHighlighted, "#candidates-table")
    def _candidate_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            self._select(event.row_key.value)

    @on(DataTable.RowSelected, "#candidates-table")
    def _candidate_selected(self, event: DataTable.RowSelected) -> None:
        self._select(event.row_key.value)
        self.query_one(TabbedContent).active = "lineage"

    @on(DataTable.HeaderSelected, "#candidates-table")
    def _header_selected(self, event: DataTable.HeaderSelected) -> None:
        column = event.column_key.value
        self.sort_by(column, not self.descending if column == self.sort_key else None)

    @on(DataTable.RowSelected, "#lineage-table")
    def _ancestor_selected(self, event: DataTable.RowSelected) -> None:
        self.show_candidate(event.row_key.value)

    @on(DataTable.RowSelected, "#events-table")
    def _event_selected(self, event: DataTable.RowSelected) -> None:
        cid = self.query_one(EventsTable).candidate_of(self.watch, event.row_key.value)
        if cid:
            self.show_candidate(cid)

    def on_unmount(self) -> None:
        if self.watch is not None:
            self.watch.reader.close()
