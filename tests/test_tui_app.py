"""The TUI driven by Textual's Pilot over runs made by the real engine in the test.

Switch panes, select a candidate and read its detail and lineage, sort the table, follow a
failure from the Events pane, the Pareto view of a two-objective run, the picker, and bad
input shown as a message on the screen rather than a traceback.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static, TabbedContent

from evolver.store import RunReader
from evolver.store.schema import SCHEMA_VERSION
from tests.conftest import REPO
from tests.test_tui_runs import FAULTY, build_run
from tui import ArchipelagoApp
from tui_widgets.detail import CandidateDetail
from tui_widgets.run_screen import RunScreen
from tui_widgets.tables import CandidatesTable


def drive(app: ArchipelagoApp, script: Callable[[Pilot], Awaitable[None]],
          size: tuple[int, int] = (80, 24)) -> None:
    """Run the app headless at a terminal size and play a script against it."""

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await script(pilot)

    asyncio.run(main())


def text_of(widget: Static) -> str:
    return str(widget.render())


def table_column(table: DataTable, key: str) -> list[str]:
    return [str(v) for v in table.get_column(key)]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_run(tmp_path_factory.mktemp("app") / "run", budget=80)


@pytest.fixture(scope="module")
def faulty_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_run(tmp_path_factory.mktemp("faulty") / "run", budget=16, evaluator=FAULTY,
                     timeout=1.0)


def test_switch_panes_select_a_candidate_and_read_detail_and_lineage(run: Path) -> None:
    with RunReader(run) as reader:
        best, _ = reader.best()
        chain = [c.id for c in reader.lineage(best.id)]

    async def script(pilot: Pilot) -> None:
        screen = pilot.app.screen
        assert isinstance(screen, RunScreen)
        header = text_of(screen.query_one("#header", Static))
        assert "80/80 done" in header and "finished" in header and best.id in header
        tabs = screen.query_one(TabbedContent)
        for key, pane in (("c", "candidates"), ("l", "lineage"), ("e", "events"),
                          ("o", "overview"), ("2", "candidates")):
            await pilot.press(key)
            assert tabs.active == pane
        table = screen.query_one(CandidatesTable)
        assert table.has_focus and table.selected_id == best.id  # best first by default
        detail = text_of(screen.query_one("#detail-text", Static))
        assert best.id in detail and "genome" in detail and "search split" in detail
        assert re.search(r"code\s+█", detail)  # a mixture is shown as labelled bars
        await pilot.press("down")
        second = table.selected_id
        assert second != best.id and second in text_of(screen.query_one("#detail-text"))
        await pilot.press("up", "enter")  # Enter opens the lineage of the selected one
        assert tabs.active == "lineage"
        lineage = screen.query_one("#lineage-table", DataTable)
        assert table_column(lineage, lineage.ordered_columns[2].key) == chain
        summary = text_of(screen.query_one("#lineage-summary", Static))
        assert f"Lineage of {best.id}" in summary and "pivotal" in summary
        if len(chain) > 1:  # a step that changed fitness is marked pivotal
            assert {"★", "▼"} & set(table_column(lineage, lineage.ordered_columns[0].key))
        await pilot.press("ctrl+home", "enter")  # an ancestor opens in the candidates pane
        assert tabs.active == "candidates"
        assert screen.query_one(CandidateDetail).border_title == chain[0]

    drive(ArchipelagoApp(run), script)


def test_sort_the_candidates_by_any_column(run: Path) -> None:
    async def script(pilot: Pilot) -> None:
        screen = pilot.app.screen
        table = screen.query_one(CandidatesTable)
        await pilot.press("c")

        def values(column: str) -> list[float]:
            return [float(v) for v in table_column(table, column) if v != "-"]

        losses = values("loss")
        assert losses == sorted(losses) and len(losses) == 80
        await pilot.press("r")  # reverse
        assert values("loss") == sorted(losses, reverse=True)
        await pilot.press("s")  # the next column: the other metric, log_loss
        assert screen.sort_key == "log_loss"
        assert values("log_loss") == sorted(values("log_loss"))
        screen.sort_by("gen", descending=True)
        await pilot.pause()
        gens = values("gen")
        assert gens == sorted(gens, reverse=True) and gens[0] > gens[-1]
        assert "gen ▼" in [str(c.label) for c in table.ordered_columns]

    drive(ArchipelagoApp(run), script, size=(160, 48))


def test_clicking_a_header_sorts_and_a_second_click_reverses(run: Path) -> None:
    async def script(pilot: Pilot) -> None:
        screen = pilot.app.screen
        table = screen.query_one(CandidatesTable)
        await pilot.press("c")
        ids = table_column(table, "id")
        await pilot.click(CandidatesTable, offset=(2, 0))  # the `id` header
        assert table_column(table, "id") == sorted(ids)
        await pilot.click(CandidatesTable, offset=(2, 0))
        assert table_column(table, "id") == sorted(ids, reverse=True)

    drive(ArchipelagoApp(run), script, size=(160, 48))


def test_failures_show_their_error_and_the_events_pane_leads_to_them(faulty_run: Path) -> None:
    with RunReader(faulty_run) as reader:
        counts = reader.counts()
        failed = [ev for _, ev in reader.evaluations() if ev.status == "failed"]
    assert failed and counts["timeout"] and counts["invalid"]

    async def script(pilot: Pilot) -> None:
        screen = pilot.app.screen
        header = text_of(screen.query_one("#header", Static))
        bad = counts["failed"] + counts["timeout"] + counts["invalid"]
        assert f"{bad} failed" in header
        await pilot.press("c", "f")  # failed only
        table = screen.query_one(CandidatesTable)
        assert table.row_count == bad
        assert set(table_column(table, "status")) == {"failed", "timeout", "invalid"}
        await pilot.press("e")
        events = screen.query_one("#events-table", DataTable)
        kinds = table_column(events, events.ordered_columns[1].key)
        row = kinds.index("failed")
        events.move_cursor(row=row)
        await pilot.press("enter")  # a failure event opens its candidate
        detail = text_of(screen.query_one("#detail-text", Static))
        assert screen.query_one(TabbedContent).active == "candidates"
        assert "evaluator exploded on" in detail and "error" in detail

    drive(ArchipelagoApp(faulty_run), script, size=(160, 48))


def two_objectives(candidate):  # noqa: ANN001, ANN201 - module level: workers load it
    """A trade-off: concentrated mixtures are cheap but lossy; with a price and a note."""
    w = candidate.genome
    return {"loss": sum((v - 0.25) ** 2 for v in w.values()),
            "cost": 1.0 - max(w.values()), "cost_usd": 0.01,
            "note": f"dominant domain {max(w, key=w.get)}"}


def test_two_objectives_draw_the_pareto_front_and_show_cost_and_artifacts(
    tmp_path: Path,
) -> None:
    run = build_run(tmp_path / "run", budget=40, evaluator=two_objectives,
                    objectives=["loss:min", "cost:min"])
    with RunReader(run) as reader:
        front = {c.id for c, _ in reader.frontier()}
        usd = reader.costs()["usd"]
    assert usd >= 0.4  # 40 search evaluations and the report's at $0.01 each

    async def script(pilot: Pilot) -> None:
        screen = pilot.app.screen
        assert set(screen.watch.frontier_ids) == front and len(front) > 1
        rendered = screen.query_one("#frontier").plt.build()
        assert "Pareto front" in rendered and f"{len(front)} non-dominated" in rendered
        assert f"cost ${usd:.2f}" in text_of(screen.query_one("#header", Static))
        await pilot.press("c")
        detail = text_of(screen.query_one("#detail-text", Static))
        assert "artifact note" in detail and "dominant domain" in detail

    drive(ArchipelagoApp(run), script)


def test_the_picker_lists_runs_and_opens_one(tmp_path: Path, run: Path) -> None:
    root = tmp_path / "runs"
    root.mkdir()
    (root / "not-a-run").mkdir()
    build_run(root / "mine", budget=20)

    async def script(pilot: Pilot) -> None:
        table = pilot.app.screen.query_one(DataTable)
        names = table_column(table, table.ordered_columns[0].key)
        assert sorted(names) == ["mine", "not-a-run"]
        assert "no run.db" in " ".join(table_column(table, table.ordered_columns[-1].key))
        table.move_cursor(row=names.index("mine"))
        await pilot.press("enter")
        assert isinstance(pilot.app.screen, RunScreen)
        assert "20/20 done" in text_of(pilot.app.screen.query_one("#header", Static))
        await pilot.press("escape")  # back to the list
        assert not isinstance(pilot.app.screen, RunScreen)

    drive(ArchipelagoApp(runs_root=root), script)


def test_bad_input_is_a_message_on_the_screen(tmp_path: Path, run: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "garbage").mkdir()
    (tmp_path / "garbage" / "run.db").write_bytes(b"this is not sqlite" * 100)
    newer = tmp_path / "newer"
    subprocess.run(["cp", "-r", str(run), str(newer)], check=True)
    conn = sqlite3.connect(newer / "run.db")
    with conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                     (str(SCHEMA_VERSION + 1),))
    conn.close()
    cases = {
        tmp_path / "missing": "no such directory",
        tmp_path / "empty": "not a run directory (no run.db)",
        tmp_path / "garbage": "not a run database",
        newer: f"schema version {SCHEMA_VERSION + 1} is newer than this Archipelago reads",
    }
    for path, needle in cases.items():

        async def script(pilot: Pilot, path: Path = path, needle: str = needle) -> None:
            message = text_of(pilot.app.screen.query_one("#error", Static))
            assert needle in message and str(path) in message
            await pilot.press("q")

        drive(ArchipelagoApp(path), script)


def test_command_line_bad_input_exits_2_with_one_line() -> None:
    p = subprocess.run([sys.executable, "tui.py", "--poll", "0"], cwd=REPO,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "--poll 0" in p.stderr and "allowed" in p.stderr
    assert "Traceback" not in p.stderr
