"""The TUI over a live run: another process writes the run while the app reads it.

One test runs `evolve` in a subprocess while the app (in Pilot) polls the same run.db: the
count shown rises to the budget, and neither side sees a lock error. The others run
`evolve --target=mix --tui` in a pseudo-terminal, as a person would, and press q.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Static

from evolver.store import RunReader, RunStoreError
from tests.conftest import REPO
from tui import ArchipelagoApp
from tui_widgets.tables import CandidatesTable

SLOW = f"{REPO}/tests/evalfns.py:slow_quadratic"
#: a guard against a hung test, not a timing assertion
DEADLINE_S = 120


def evolve_argv(run_dir: Path, budget: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "evolver.cli", "--target=mix", "--backend", "local",
            "--evaluator", SLOW, "--budget", str(budget), "--workers", "2",
            "--run-dir", str(run_dir), *extra]


def slow_env(seconds: float) -> dict[str, str]:
    return {**os.environ, "ARCHIPELAGO_TEST_SLEEP": str(seconds)}


def wait_for(condition, what: str) -> None:  # noqa: ANN001
    end = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < end, f"gave up waiting for {what}"
        time.sleep(0.1)


def readable(run_dir: Path) -> bool:
    try:
        RunReader(run_dir).close()
    except RunStoreError:
        return False
    return True


def test_the_count_shown_rises_while_another_process_writes(tmp_path: Path) -> None:
    run_dir, budget = tmp_path / "live", 120
    engine = subprocess.Popen(evolve_argv(run_dir, budget, "--quiet"), cwd=REPO,
                              env=slow_env(0.05), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    wait_for(lambda: readable(run_dir) or engine.poll() is not None, "the run to start")
    seen: list[tuple[int, str, int]] = []

    async def script(pilot: Pilot) -> None:
        screen = pilot.app.screen
        end = time.monotonic() + DEADLINE_S
        while time.monotonic() < end:
            await pilot.pause(0.2)
            header = str(screen.query_one("#header", Static).render())
            assert not screen.query_one("#read-error").has_class("shown"), header
            done = int(re.search(rf"(\d+)/{budget} done", header).group(1))
            seen.append((done, screen.watch.state, screen.query_one(CandidatesTable).row_count))
            if screen.watch.state == "finished":
                return

    async def main() -> None:
        async with ArchipelagoApp(run_dir, poll_s=0.2).run_test(size=(80, 24)) as pilot:
            await script(pilot)

    asyncio.run(main())
    out, err = engine.communicate(timeout=DEADLINE_S)
    assert engine.returncode == 0, err
    assert "locked" not in (out + err).lower() and "Traceback" not in err
    shown = [done for done, _, _ in seen]
    assert shown == sorted(shown) and shown[-1] == budget
    assert len({done for done, state, _ in seen if state == "running"}) >= 2  # it rose live
    rows = [n for _, _, n in seen]
    assert rows == sorted(rows) and rows[-1] == budget


class Terminal:
    """A command in a pseudo-terminal of a given size, its output drained as it comes."""

    def __init__(self, argv: list[str], env: dict[str, str], size: tuple[int, int] = (80, 24)):
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, cwd=REPO,
                                     env={**env, "TERM": "xterm-256color"},
                                     start_new_session=True)
        os.close(slave)
        self.master = master
        self.output = b""
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        while True:
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # the other side closed
                    return
                if not chunk:
                    return
                self.output += chunk
            elif self.proc.poll() is not None:
                return

    def text(self) -> str:
        return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", self.output.decode("utf-8", "replace"))

    def press(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def wait(self) -> int:
        code = self.proc.wait(timeout=DEADLINE_S)
        self._reader.join(timeout=10)
        os.close(self.master)
        return code


def test_evolve_tui_watches_the_run_and_quitting_interrupts_it_resumably(tmp_path: Path) -> None:
    run_dir = tmp_path / "watched"
    term = Terminal(evolve_argv(run_dir, 400, "--tui"), slow_env(0.1))
    wait_for(lambda: "Overview" in term.text(), "the TUI to draw")
    wait_for(lambda: readable(run_dir) and RunReader(run_dir).counts()["done"] >= 4,
             "evaluations")
    term.press("q")
    code = term.wait()
    text = term.text()
    assert code == 130, text[-2000:]
    assert "evolve resume" in text and "Traceback" not in text
    with RunReader(run_dir) as reader:
        assert reader.state() == "interrupted" and reader.counts()["done"] < 400

    async def main() -> None:  # and the app says so
        async with ArchipelagoApp(run_dir).run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            header = str(pilot.app.screen.query_one("#header", Static).render())
            assert "interrupted — resumable" in header

    asyncio.run(main())


def test_evolve_tui_of_a_finished_run_exits_with_the_summary(tmp_path: Path) -> None:
    run_dir = tmp_path / "done"
    term = Terminal(evolve_argv(run_dir, 20, "--tui"), slow_env(0.0))
    wait_for(lambda: "Overview" in term.text(), "the TUI to draw")
    wait_for(lambda: readable(run_dir) and RunReader(run_dir).state() == "finished",
             "the run to finish")
    term.press("q")
    code = term.wait()
    text = term.text()
    assert code == 0, text[-2000:]
    assert "Traceback" not in text and "best" in text
