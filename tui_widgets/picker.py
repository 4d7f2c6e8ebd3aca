"""The run picker: `evolve-tui` with no argument lists the runs under the runs folder.

Each directory is opened through RunReader and closed again; one that is not a readable run
is listed with the reason, so a person sees why it cannot be opened.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from evolver.store import RunReader, RunStoreError
from tui_widgets.header import STATES

#: how often the list is re-read, so a run started meanwhile appears (seconds)
RESCAN_SECONDS = 5.0


def scan(root: Path) -> list[tuple[Path, dict[str, str] | str]]:
    """(directory, summary) for each subdirectory, newest first; an error string for a
    directory that is not a readable run."""
    if not root.is_dir():
        return []
    out: list[tuple[Path, dict[str, str] | str]] = []
    for d in sorted((p for p in root.iterdir() if p.is_dir()),
                    key=lambda p: p.stat().st_mtime, reverse=True):
        try:
            with RunReader(d) as reader:
                meta, counts = reader.meta(), reader.counts()
                created = float(meta.get("created", 0) or 0)
                out.append((d, {
                    "target": meta.get("target", "?"), "state": reader.state(),
                    "done": f"{counts['done']}/{meta.get('budget', '?')}",
                    "created": datetime.fromtimestamp(created).strftime("%Y-%m-%d %H:%M")
                    if created else "-",
                }))
        except (RunStoreError, OSError) as exc:
            out.append((d, str(exc)))
        except Exception as exc:  # noqa: BLE001 - sqlite errors of a half-written run
            out.append((d, f"{d}: unreadable ({exc})"))
    return out


class PickerScreen(Screen):
    BINDINGS = [Binding("enter", "open", "Open", show=True), Binding("g", "rescan", "Rescan")]

    DEFAULT_CSS = """
    PickerScreen #picker-title { height: auto; padding: 0 1; background: $boost; }
    PickerScreen DataTable { height: 1fr; }
    """

    def __init__(self, root: Path, **run_options: object) -> None:
        super().__init__()
        self.root = root
        self.run_options = run_options
        self.runs: dict[str, Path] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="picker-title")
        yield DataTable(id="runs", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.action_rescan()
        self.set_interval(RESCAN_SECONDS, self.action_rescan)

    def action_rescan(self) -> None:
        table = self.query_one(DataTable)
        selected = None
        if table.row_count:
            selected = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        found = scan(self.root)
        table.clear(columns=True)
        table.add_columns("run", "target", "state", "done", "created", "note")
        self.runs = {}
        for d, info in found:
            if isinstance(info, str):  # the reason last, so it does not widen the columns
                table.add_row(d.name, "-", Text("not readable", style="red"), "-", "-",
                              Text(info, style="red"), key=str(d))
                continue
            self.runs[str(d)] = d
            label, style = STATES.get(info["state"], (info["state"], ""))
            table.add_row(d.name, info["target"], Text(label, style=style), info["done"],
                          info["created"], "", key=str(d))
        if selected in {str(d) for d, _ in found}:
            table.move_cursor(row=table.get_row_index(selected), animate=False)
        title = self.query_one("#picker-title", Static)
        if found:
            title.update(f"Runs under {self.root}/ — Enter opens one, q quits "
                         f"(rescanned {time.strftime('%H:%M:%S')})")
        else:
            title.update(f"No runs under {self.root}/. Start one with `evolve --target=mix`, "
                         f"or give a run directory: `evolve-tui RUN_DIR`.")

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            self._open(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        self._open(event.row_key.value)

    def _open(self, key: str) -> None:
        from tui_widgets.run_screen import RunScreen

        path = self.runs.get(key)
        if path is None:
            self.notify(f"{key}: not a readable run", severity="error")
            return
        self.app.push_screen(RunScreen(path, from_picker=True, **self.run_options))
