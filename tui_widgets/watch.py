"""What the TUI shows of a run, read incrementally through RunReader.

The app polls about once a second. Re-reading every evaluation of a long run on each poll
would grow with the run, so RunWatch keeps what it has read and asks only for the rows after
the last seq it saw; the whole-run questions (best, frontier, costs) are asked only when new
evaluations arrived. It never writes: RunReader opens run.db read-only, and every query here
is drained at once (list(...)) so no read transaction stays open to hold back the writer's
WAL checkpoints.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from evolver.config import ConfigError, RunConfig
from evolver.store import RunReader
from evolver.types import Candidate, Evaluation, Objective

#: above this many unknown candidates in one poll, read them all in one query
_BULK_CANDIDATES = 64

#: the whole-run reads (best, frontier) wait this many times their own last duration before
#: they run again, so on a long run they take at most ~1/10 of the app's time
WHOLE_RUN_BACKOFF = 10.0

#: columns every candidate has, besides its metrics
FIXED_COLUMNS = ("id", "island", "gen", "operator", "status", "fidelity")


@dataclass
class IslandRow:
    """One line of the Islands table."""

    island: int
    strategy: str = "?"
    population: int | None = None
    best: float | None = None
    evaluations: int = 0
    failed: int = 0
    last_migration: str = "-"


@dataclass
class Changes:
    """What one poll found new, so the screen refreshes only the panes that changed."""

    evaluations: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)
    snapshots: bool = False
    best: bool = False  # best and frontier were re-read

    def __bool__(self) -> bool:
        return bool(self.evaluations or self.events or self.snapshots or self.best)


class RunWatch:
    """The state of one run as the TUI shows it, brought up to date by `poll()`."""

    def __init__(self, reader: RunReader, clock: Callable[[], float] = time.time) -> None:
        self.reader = reader
        self.clock = clock
        self.objectives: list[Objective] = reader.objectives()
        self.config = _config(reader)
        self.meta: dict[str, str] = {}
        self.state = "unknown"
        self.counts: dict[str, int] = {}
        self.costs: dict[str, float] = {}
        #: candidate id -> (candidate, the search evaluation shown: highest fidelity, latest)
        self.rows: dict[str, tuple[Candidate, Evaluation]] = {}
        self.metric_names: list[str] = [o.name for o in self.objectives]
        #: island -> [(evaluation number, best-so-far of the first objective)], as steps
        self.curves: dict[int, list[tuple[int, float]]] = {}
        #: (evaluation number, from island, to island, migrants admitted)
        self.migrations: list[tuple[int, int, int, int]] = []
        self.events: list[dict[str, Any]] = []
        self.islands: dict[int, IslandRow] = {}
        self.best: tuple[Candidate, Evaluation] | None = None
        self.frontier_ids: list[str] = []
        self.done = 0  # search evaluations read so far: the x axis of the plot
        self._eval_seq = 0
        self._event_seq = 0
        self._snapshot_seqs: dict[int, int] = {}
        self._candidates: dict[str, Candidate] = {}
        self._island_best: dict[int, float] = {}
        self._best_stale = False
        self._best_due = 0.0
        for i in range(self.config.islands if self.config else 0):
            self.islands[i] = IslandRow(i, strategy=self.config.strategy_of(i))

    @property
    def run_dir(self) -> str:
        return str(self.reader.run_dir)

    @property
    def primary(self) -> Objective | None:
        return self.objectives[0] if self.objectives else None

    # --- polling ------------------------------------------------------------------------
    def poll(self) -> Changes:
        """Read what is new since the last poll; cheap when nothing is."""
        reader = self.reader
        changes = Changes()
        self.meta = reader.meta()
        self.state = reader.state()
        self.counts = reader.counts()
        new = list(reader.evaluations("search", after_seq=self._eval_seq))
        if new:
            self._eval_seq = new[-1][0]
            self._learn_candidates([ev.candidate_id for _, ev in new])
            for _, ev in new:
                self._add(ev)
            changes.evaluations = len(new)
            self._best_stale = True
        if self._best_stale and time.monotonic() >= self._best_due:
            started = time.monotonic()
            self.best = reader.best(self.objectives)
            if len(self.objectives) > 1:
                self.frontier_ids = [c.id for c, _ in reader.frontier(self.objectives)]
            self._best_stale = False
            self._best_due = started + WHOLE_RUN_BACKOFF * (time.monotonic() - started)
            changes.best = True
        if new or not self.costs:
            self.costs = reader.costs()
        events = reader.events(after_seq=self._event_seq)
        if events:
            self._event_seq = events[-1]["seq"]
            for event in events:
                self._add_event(event)
            self.events.extend(events)
            changes.events = events
        seqs = reader.snapshot_seqs()
        if seqs != self._snapshot_seqs:
            self._snapshot_seqs = seqs
            for i, (_, state) in reader.snapshots().items():
                row = self._island(i)
                row.strategy = state.get("strategy", row.strategy)
                row.population = len(state.get("population", ()))
            changes.snapshots = True
        return changes

    def _learn_candidates(self, ids: list[str]) -> None:
        missing = {cid for cid in ids if cid not in self._candidates}
        if len(missing) > _BULK_CANDIDATES:
            self._candidates.update((c.id, c) for c in list(self.reader.candidates()))
            return
        for cid in missing:
            c = self.reader.candidate(cid)
            if c is not None:
                self._candidates[cid] = c

    def _add(self, ev: Evaluation) -> None:
        self.done += 1
        candidate = self._candidates.get(ev.candidate_id) or Candidate(ev.candidate_id, "?")
        shown = self.rows.get(ev.candidate_id)
        if shown is None or ev.fidelity >= shown[1].fidelity:
            self.rows[ev.candidate_id] = (candidate, ev)
        for name in ev.metrics:
            if name not in self.metric_names:
                self.metric_names.append(name)
        row = self._island(ev.island)
        row.evaluations += 1
        row.failed += not ev.ok
        obj = self.primary
        if obj is None or not ev.ok or ev.fidelity != 0 or obj.name not in ev.objectives:
            return
        value = ev.objectives[obj.name]
        curve = self.curves.setdefault(ev.island, [])
        old = self._island_best.get(ev.island)
        if old is None or obj.better(value, old):
            if old is not None:
                curve.append((self.done, old))
            curve.append((self.done, value))
            self._island_best[ev.island] = value
            row.best = value

    def _add_event(self, event: dict[str, Any]) -> None:
        if event["kind"] != "migration" or event["island"] is None:
            return
        at = self.reader.search_done_at(event["time"])
        source, dest = event["island"], event["data"].get("to", -1)
        admitted = len(event["data"].get("ids", ()))
        event["at"] = at
        self.migrations.append((at, source, dest, admitted))
        if admitted:
            self._island(dest).last_migration = f"{admitted} from {source} @{at}"

    def _island(self, i: int) -> IslandRow:
        return self.islands.setdefault(i, IslandRow(i))

    # --- what the panes ask -------------------------------------------------------------
    def curve(self, island: int) -> list[tuple[int, float]]:
        """The island's best-so-far steps, extended to the latest evaluation."""
        points = list(self.curves.get(island, ()))
        if points and points[-1][0] < self.done:
            points.append((self.done, points[-1][1]))
        return points

    def elapsed(self) -> float:
        meta = self.meta
        created = float(meta.get("created", 0) or 0)
        if self.state == "running":
            end = self.clock()
        else:
            end = float(meta.get("finished", 0) or meta.get("heartbeat", 0) or created)
        return max(0.0, end - created) if created else 0.0

    def columns(self) -> list[str]:
        return [*FIXED_COLUMNS, *self.metric_names]

    def sorted_rows(
        self, key: str, descending: bool = False, failed_only: bool = False
    ) -> list[tuple[Candidate, Evaluation]]:
        """Rows sorted by a column; a missing value (a failed candidate's metric) goes last
        whichever the direction, so the best stay on top."""
        rows = [r for r in self.rows.values() if not failed_only or not r[1].ok]
        present = [r for r in rows if cell(r, key) is not None]
        missing = [r for r in rows if cell(r, key) is None]
        present.sort(key=lambda r: (cell(r, key), r[0].id), reverse=descending)
        return present + sorted(missing, key=lambda r: r[0].id)

    def default_sort(self) -> tuple[str, bool]:
        obj = self.primary
        return (obj.name, obj.direction == "max") if obj else ("id", False)

    def value_of(self, candidate_id: str) -> float | None:
        """The first objective of a candidate's shown evaluation, if it has one."""
        row = self.rows.get(candidate_id)
        obj = self.primary
        if row is None or obj is None or not row[1].ok:
            return None
        return row[1].objectives.get(obj.name)


def cell(row: tuple[Candidate, Evaluation], column: str) -> Any:
    """A row's value in one column (a sortable Python value; None when it has none)."""
    c, ev = row
    fixed = {"id": c.id, "island": c.island, "gen": c.generation, "operator": c.operator,
             "status": ev.status, "fidelity": ev.fidelity}
    if column in fixed:
        return fixed[column]
    value = ev.metrics.get(column, ev.objectives.get(column))
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _config(reader: RunReader) -> RunConfig | None:
    """The run's resolved config, or None when this install cannot validate it (a target
    from a plugin that is not installed here): the TUI then learns islands from the rows."""
    try:
        return RunConfig.from_dict(reader.config_dict(), source="config.toml")
    except (ConfigError, OSError, ValueError):
        return None
