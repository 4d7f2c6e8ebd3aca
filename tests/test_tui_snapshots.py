"""Snapshots (pytest-textual-snapshot) of the main screens at 80x24 and 160x48.

The run is made by the real engine from a fixed seed (the local backend hands results to the
islands in issue order, so it is the same run every time) and its timestamps are frozen, so
the screens hold no wall-clock text. Update with `pytest tests/test_tui_snapshots.py
--snapshot-update` and look at the SVGs before committing them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.test_tui_runs import T0, build_run, freeze_clock
from tui import ArchipelagoApp

SIZES = [(80, 24), (160, 48)]


@pytest.fixture(scope="module")
def frozen_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 120-evaluation run in a directory named `demo` (its events name it relatively)."""
    home = tmp_path_factory.mktemp("snap")
    cwd = Path.cwd()
    os.chdir(home)
    try:
        build_run("demo", budget=120, seed=7)
    finally:
        os.chdir(cwd)
    freeze_clock(home / "demo")
    return home / "demo"


def app_for(run_dir: Path) -> ArchipelagoApp:
    return ArchipelagoApp(run_dir, clock=lambda: T0 + 1000.0)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("keys", [[], ["c"], ["c", "down", "enter"], ["e"]],
                         ids=["overview", "candidates", "lineage", "events"])
def test_screens(snap_compare, frozen_run: Path, size: tuple[int, int], keys: list[str]) -> None:  # noqa: ANN001
    assert snap_compare(app_for(frozen_run), terminal_size=size, press=keys)


def test_error_screen(snap_compare, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    monkeypatch.chdir(tmp_path)  # the message names the directory as given, relative here
    assert snap_compare(ArchipelagoApp(Path("not-a-run")), terminal_size=(80, 24))
