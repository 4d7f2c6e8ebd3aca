"""`evolve-tui [RUN_DIR]`: watch an Archipelago run live, or explore a finished one.

The app only reads: it opens `run.db` read-only through RunReader and polls it about once a
second, so it never blocks the engine writing the run, and works the same on a finished run,
on a run another process is writing, and on a killed one (shown as interrupted, resumable).
With no RUN_DIR it lists the runs under `./runs` (the default runs folder) to pick one.

Also `python tui.py RUN_DIR`, and `evolve --target=... --tui` to watch the run it starts.
The widgets live in `tui_widgets/`; this module is the entry point and the App.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from textual.app import App
from textual.binding import Binding

from tui_widgets.picker import PickerScreen
from tui_widgets.run_screen import RunScreen

#: where `evolve` puts runs when --run-dir is not given (see evolver.engine)
DEFAULT_RUNS = Path("runs")


class ArchipelagoApp(App):
    """One run (RUN_DIR given) or the picker of runs under `runs_root`.

    `clock` is the time source of the elapsed time of a running run; tests inject one so a
    snapshot holds no wall-clock text. `poll_s` is the polling interval in seconds.
    """

    TITLE = "Archipelago"
    BINDINGS = [Binding("q", "quit", "Quit"), Binding("ctrl+c", "quit", "Quit", show=False)]

    def __init__(
        self,
        run_dir: str | Path | None = None,
        *,
        runs_root: str | Path = DEFAULT_RUNS,
        poll_s: float = 1.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        self.run_dir = Path(run_dir) if run_dir is not None else None
        self.runs_root = Path(runs_root)
        self.run_options = {"poll_s": poll_s, "clock": clock}

    def on_mount(self) -> None:
        if self.run_dir is not None:
            self.push_screen(RunScreen(self.run_dir, **self.run_options))
        else:
            self.push_screen(PickerScreen(self.runs_root, **self.run_options))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evolve-tui",
        description="Watch an Archipelago run live (or explore a finished one): islands, "
        "the fitness frontier, candidates and their lineage, events. Read-only.",
    )
    parser.add_argument("run_dir", metavar="RUN_DIR", nargs="?",
                        help=f"a run directory; without it, pick one under ./{DEFAULT_RUNS}")
    parser.add_argument("--runs", default=str(DEFAULT_RUNS),
                        help="the folder the picker lists (default ./runs)")
    parser.add_argument("--poll", type=float, default=1.0,
                        help="seconds between reads of run.db (default 1)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not args.poll > 0:
        print(f"evolve-tui: error: --poll {args.poll}; allowed: a number of seconds > 0",
              file=sys.stderr)
        return 2
    ArchipelagoApp(args.run_dir, runs_root=args.runs, poll_s=args.poll).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
