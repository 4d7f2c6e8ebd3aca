"""The driver's side of the run store: the only code that writes a run directory.

Every completed evaluation is committed (with its `pending` row removed, in one transaction)
before the engine acts on it, so a kill at any moment loses no completed evaluation and
leaves the in-flight ones listed for resume to re-issue.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from evolver.config import RunConfig
from evolver.store.reader import RunReader, RunStoreError, _candidate
from evolver.store.schema import MIGRATIONS, SCHEMA, SCHEMA_VERSION
from evolver.types import Candidate, EvalContext, Evaluation, evaluation_id


class RunStore(RunReader):
    """Opens (creating if needed) a run directory for writing."""

    def __init__(self, run_dir: str | Path) -> None:
        run_dir = Path(run_dir)
        conn = sqlite3.connect(run_dir / "run.db", timeout=30, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode: a commit survives any process kill; only an OS crash or power
        # loss can take the last commits back. FULL costs an fsync per evaluation.
        conn.execute("PRAGMA synchronous=NORMAL")
        super().__init__(run_dir, _conn=conn)

    @classmethod
    def create(cls, run_dir: str | Path, config: RunConfig, objectives: list[str]) -> RunStore:
        run_dir = Path(run_dir)
        if (run_dir / "run.db").exists():
            raise RunStoreError(
                f"run_dir: {run_dir} already holds a run; resume it with `evolve resume "
                f"{run_dir}` or choose another --run-dir"
            )
        (run_dir / "artifacts").mkdir(parents=True, exist_ok=True)
        (run_dir / "config.toml").write_text(config.to_toml())
        store = cls(run_dir)
        store.conn.executescript(SCHEMA)
        now = str(time.time())
        store.set_meta(
            schema_version=str(SCHEMA_VERSION), target=config.target, status="running",
            created=now, started=now, objectives=json.dumps(objectives),
            budget=str(config.budget),
        )
        return store

    @classmethod
    def open(cls, run_dir: str | Path) -> RunStore:
        RunReader(run_dir).close()  # existence and schema checks, with their messages
        store = cls(run_dir)
        store._migrate()
        return store

    def _migrate(self) -> None:
        """Bring a run written by an older version to this schema, in one transaction."""
        version = int(self.meta()["schema_version"])
        if version == SCHEMA_VERSION:
            return
        with self.conn:
            self.conn.execute("BEGIN")
            for step in range(version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[step]:
                    self.conn.execute(statement)
            self.conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                              (str(SCHEMA_VERSION),))

    # --- writes -------------------------------------------------------------------------
    def update_config(self, config: RunConfig) -> None:
        """A resumed run may change its budget; the directory keeps the config it runs with."""
        (self.run_dir / "config.toml").write_text(config.to_toml())
        self.set_meta(budget=str(config.budget))

    def set_meta(self, **values: str) -> None:
        with self.conn:
            self.conn.execute("BEGIN")
            self.conn.executemany(
                "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", values.items()
            )

    def heartbeat(self) -> None:
        self.set_meta(heartbeat=str(time.time()), pid=str(os.getpid()))

    def issue(self, candidate: Candidate, context: EvalContext) -> None:
        """Record a candidate (once) and a job for it as in flight."""
        job_id = evaluation_id(candidate.id, context.fidelity, context.split, context.seed)
        now = time.time()
        with self.conn:
            self.conn.execute("BEGIN")
            self.conn.execute(
                "INSERT OR IGNORE INTO candidates(id, target, island, generation, operator,"
                " parent_ids, genome, model, proposal_cost_usd, created)"
                " VALUES (?,?,?,?,?,?,?,?,?,?)",
                (candidate.id, candidate.target, candidate.island, candidate.generation,
                 candidate.operator, json.dumps(list(candidate.parent_ids)),
                 json.dumps(candidate.genome), candidate.model, candidate.proposal_cost_usd, now),
            )
            self.conn.execute(
                "INSERT OR REPLACE INTO pending(id, candidate_id, island, fidelity, split, seed,"
                " issued) VALUES (?,?,?,?,?,?,?)",
                (job_id, candidate.id, candidate.island, context.fidelity, context.split,
                 context.seed, now),
            )

    def record(self, ev: Evaluation) -> int | None:
        """Commit a completed evaluation; returns its seq, or None if it was already there."""
        with self.conn:
            self.conn.execute("BEGIN")
            cur = self.conn.execute(
                "INSERT OR IGNORE INTO evaluations(id, candidate_id, island, fidelity, split, seed,"
                " status, metrics, objectives, error, seconds, cost_usd, artifacts, finished)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (ev.id, ev.candidate_id, ev.island, ev.fidelity, ev.split, ev.seed, ev.status,
                 json.dumps(ev.metrics), json.dumps(ev.objectives), ev.error, ev.seconds,
                 ev.cost_usd, json.dumps(ev.artifacts), time.time()),
            )
            self.conn.execute("DELETE FROM pending WHERE id = ?", (ev.id,))
        return cur.lastrowid if cur.rowcount else None

    def save_snapshot(self, island: int, state: dict[str, Any], eval_seq: int) -> None:
        with self.conn:
            self.conn.execute("BEGIN")
            self.conn.execute(
                "INSERT OR REPLACE INTO snapshots(island, eval_seq, state, saved) VALUES (?,?,?,?)",
                (island, eval_seq, json.dumps(state), time.time()),
            )

    def event(self, kind: str, message: str, island: int | None = None, **data: Any) -> None:
        with self.conn:
            self.conn.execute("BEGIN")
            self.conn.execute(
                "INSERT INTO events(time, kind, island, message, data) VALUES (?,?,?,?,?)",
                (time.time(), kind, island, message, json.dumps(data, default=str)),
            )

    # --- reads only the driver needs ----------------------------------------------------
    def pending_jobs(self) -> list[tuple[Candidate, EvalContext]]:
        rows = self.conn.execute(
            "SELECT p.fidelity, p.split, p.seed, c.* FROM pending p"
            " JOIN candidates c ON c.id = p.candidate_id ORDER BY p.issued, c.seq"
        ).fetchall()
        return [
            (_candidate(r), EvalContext(fidelity=r["fidelity"], seed=r["seed"], split=r["split"]))
            for r in rows
        ]

    def proposed_count(self) -> int:
        """Candidates the islands proposed (ids c000000, ...); baselines are not counted."""
        return self.conn.execute(
            "SELECT COUNT(*) FROM candidates WHERE id LIKE 'c%'").fetchone()[0]

    def last_seq(self) -> int:
        """The seq of the newest evaluation recorded (0 before the first)."""
        return self.conn.execute("SELECT COALESCE(MAX(seq), 0) FROM evaluations").fetchone()[0]
