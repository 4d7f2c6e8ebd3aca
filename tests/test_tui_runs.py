"""Runs for the TUI tests, made by the real engine, and tests of what RunWatch reads of them.

The other TUI test modules import `build_run` and `freeze_clock` from here. Runs use the
local backend and the example mixture law (a synthetic law, milliseconds per evaluation), so
a 40-evaluation run takes well under a second and is the same for a given seed.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from evolver import Engine, RunConfig
from evolver.store import RunReader
from tests.conftest import REPO
from tui_widgets.lineage import lineage_steps
from tui_widgets.watch import RunWatch

TOY = f"{REPO}/examples/toy_mix.py:evaluate"
FAULTY = f"{REPO}/tests/evalfns.py:faulty"
#: the time frozen runs claim to have started at (2023-11-14)
T0 = 1_700_000_000


def build_run(run_dir: Path | str, budget: int = 40, evaluator: Any = TOY, **options: Any) -> Path:
    """A finished run of the mix target; `evaluator` is a reference or a module-level
    function (worker processes must be able to load it)."""
    options = {"islands": 2, "population": 8, "report_seeds": 1, **options}
    reference = evaluator if isinstance(evaluator, str) else None
    config = RunConfig(target="mix", budget=budget, backend="local", run_dir=str(run_dir),
                       evaluator=reference, **options)
    Engine(config, evaluator=None if reference else evaluator).run()
    return Path(run_dir)


def freeze_clock(run_dir: Path) -> None:
    """Rewrite a finished run's timestamps and durations to fixed values, keeping their
    order, so a snapshot of the app holds no wall-clock text (the test's own copy: the app
    never writes)."""
    conn = sqlite3.connect(run_dir / "run.db")
    with conn:
        # an event keeps its place among the evaluations: T0 + evaluations before it + 0.5
        conn.execute("UPDATE events SET time = ? + 0.5 + (SELECT COUNT(*) FROM evaluations e"
                     " WHERE e.finished <= events.time)", (T0,))
        conn.execute("UPDATE evaluations SET finished = ? + seq, seconds = 0.25", (T0,))
        conn.execute("UPDATE meta SET value = ? WHERE key IN ('created', 'started')", (str(T0),))
        conn.execute("UPDATE meta SET value = ? WHERE key IN ('finished', 'heartbeat')",
                     (str(T0 + 754),))
    conn.close()


@pytest.fixture(scope="module")
def toy_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_run(tmp_path_factory.mktemp("toy") / "run", budget=120)


def test_watch_reads_a_run_incrementally_and_agrees_with_the_reader(toy_run: Path) -> None:
    with RunReader(toy_run) as reader:
        watch = RunWatch(reader)
        first = watch.poll()
        assert first.evaluations == 120 and watch.done == 120
        assert watch.state == "finished"
        assert not watch.poll()  # nothing new: a poll of a finished run changes nothing
        assert len(watch.rows) == 120
        assert watch.best is not None and watch.best[0].id == reader.best()[0].id
        # each island's best-so-far only improves, and ends at that island's best
        loss = watch.primary
        for island in watch.curves:
            values = [v for _, v in watch.curve(island)]
            assert all(not loss.better(b, a) for a, b in zip(values[1:], values, strict=False))
            own = [ev.objectives["loss"] for _, ev in reader.evaluations()
                   if ev.island == island and ev.ok]
            assert values[-1] == min(own)
        assert watch.migrations and all(0 < at <= 120 for at, *_ in watch.migrations)
        assert {i.island for i in watch.islands.values()} == {0, 1}
        assert sum(i.evaluations for i in watch.islands.values()) == 120
        ranked = watch.sorted_rows("loss")
        assert ranked[0][0].id == watch.best[0].id
        assert [r[1].objectives["loss"] for r in ranked] == sorted(
            r[1].objectives["loss"] for r in ranked)


def test_lineage_marks_the_steps_that_moved_fitness_most(toy_run: Path) -> None:
    with RunReader(toy_run) as reader:
        watch = RunWatch(reader)
        watch.poll()
        deep = max(watch.rows, key=lambda cid: len(reader.lineage(cid)))
        steps = lineage_steps(watch, deep)
        assert [s.candidate.id for s in steps] == [c.id for c in reader.lineage(deep)]
        assert len(steps) >= 3 and steps[0].gain is None and steps[-1].candidate.id == deep
        gains = [abs(s.gain) for s in steps if s.gain]
        pivotal = [abs(s.gain) for s in steps if s.pivotal]
        assert pivotal and max(gains) in pivotal
        assert all(g >= 0.5 * max(gains) for g in pivotal) and len(pivotal) <= 3
        for parent, child in zip(steps, steps[1:], strict=False):
            if parent.value is not None and child.value is not None:
                assert child.gain == pytest.approx(parent.value - child.value)


def test_freeze_clock_keeps_migrations_in_place(tmp_path: Path) -> None:
    run = build_run(tmp_path / "run")
    with RunReader(run) as reader:
        before = RunWatch(reader)
        before.poll()
    freeze_clock(run)
    with RunReader(run) as reader:
        after = RunWatch(reader)
        after.poll()
        assert after.elapsed() == 754
    assert [m[0] for m in after.migrations] == [m[0] for m in before.migrations]


def test_a_genome_is_shown_by_its_shape() -> None:
    from tui_widgets.render import genome_change, genome_text

    bars = genome_text({"code": 0.5, "docs": 0.25, "web": 0.25}, width=8).plain.splitlines()
    # a share of 1 fills the width: 8 cells, a space, the share in 6 characters
    assert bars == ["code ████" + " " * 4 + "  50.0%", "docs ██" + " " * 6 + "  25.0%",
                    "web  ██" + " " * 6 + "  25.0%"]
    changed = genome_text({"code": 0.6, "docs": 0.4}, width=8, before={"code": 0.5, "docs": 0.5})
    assert "(+10.0%)" in changed.plain and "(-10.0%)" in changed.plain
    prompt = "Answer step by step: {input}"
    assert genome_text(prompt).plain == prompt
    router = {"k": 5, "prototypes": {"a": 2, "b": 3}, "default": "auto"}
    assert '"prototypes": {' in genome_text(router).plain  # other shapes: JSON
    before, after = {"code": 0.5, "docs": 0.3, "web": 0.2}, {"code": 0.7, "docs": 0.25, "web": 0.05}
    assert genome_change(before, after) == "code +0.20 web -0.15"  # the two largest moves
    assert genome_change("ab", "abcd") == "+2 chars"
