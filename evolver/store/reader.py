"""Reading a run directory, while a run writes it or after it ended.

`evolve status`, `evolve export`, the TUI and the engine's own summary all read through this
class, so they agree on what "done", "best" and "frontier" mean. Readers open `run.db`
read-only; SQLite's WAL mode lets them read while the driver writes.
"""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import time
import tomllib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from evolver.store.schema import SCHEMA_VERSION
from evolver.types import Candidate, Evaluation, Objective, finite

#: a running driver writes a heartbeat this often (seconds); older means it is gone
HEARTBEAT_SECONDS = 2.0


class RunStoreError(RuntimeError):
    """The directory is not a run, or one this version cannot read."""


class RunReader:
    def __init__(self, run_dir: str | Path, *, _conn: sqlite3.Connection | None = None) -> None:
        self.run_dir = Path(run_dir)
        self.db_path = self.run_dir / "run.db"
        if _conn is not None:
            self.conn = _conn
            return
        if not self.run_dir.is_dir():
            raise RunStoreError(f"{self.run_dir}: no such directory")
        if not self.db_path.is_file():
            raise RunStoreError(f"{self.run_dir}: not a run directory (no run.db)")
        self.conn = sqlite3.connect(
            f"file:{self.db_path}?mode=ro", uri=True, timeout=30, check_same_thread=False
        )
        self.conn.row_factory = sqlite3.Row
        self._check_version()

    def _check_version(self) -> None:
        try:
            version = int(self.meta().get("schema_version", 0))
        except sqlite3.DatabaseError as exc:
            raise RunStoreError(f"{self.db_path}: not a run database ({exc})") from None
        if version > SCHEMA_VERSION:
            raise RunStoreError(
                f"{self.db_path}: schema version {version} is newer than this Archipelago "
                f"reads ({SCHEMA_VERSION}); upgrade Archipelago"
            )
        if version < 1:
            raise RunStoreError(f"{self.db_path}: not an Archipelago run database")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> RunReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- meta and config ----------------------------------------------------------------
    def meta(self) -> dict[str, str]:
        return {r[0]: r[1] for r in self.conn.execute("SELECT key, value FROM meta")}

    def config_dict(self) -> dict[str, Any]:
        return tomllib.loads((self.run_dir / "config.toml").read_text())

    def objectives(self) -> list[Objective]:
        return [Objective.parse(s) for s in json.loads(self.meta().get("objectives", "[]"))]

    def state(self) -> str:
        """`running`, `finished`, or `interrupted` (a driver that stopped without finishing)."""
        meta = self.meta()
        status = meta.get("status", "unknown")
        if status != "running":
            return status
        beat = float(meta.get("heartbeat", 0))
        pid = int(meta.get("pid", 0) or 0)
        alive = time.time() - beat < 5 * HEARTBEAT_SECONDS and _pid_alive(pid)
        return "running" if alive else "interrupted"

    # --- rows ---------------------------------------------------------------------------
    def candidates(self) -> Iterator[Candidate]:
        for r in self.conn.execute("SELECT * FROM candidates ORDER BY seq"):
            yield _candidate(r)

    def candidate(self, candidate_id: str) -> Candidate | None:
        r = self.conn.execute("SELECT * FROM candidates WHERE id = ?", (candidate_id,)).fetchone()
        return _candidate(r) if r else None

    def evaluations(
        self, split: str | None = "search", after_seq: int = 0
    ) -> Iterator[tuple[int, Evaluation]]:
        """(seq, evaluation) in the order they were recorded; split None means all."""
        query = "SELECT * FROM evaluations WHERE seq > ?"
        args: list[Any] = [after_seq]
        if split is not None:
            query += " AND split = ?"
            args.append(split)
        for r in self.conn.execute(query + " ORDER BY seq", args):
            yield r["seq"], _evaluation(r)

    def evaluations_of(self, candidate_id: str) -> list[Evaluation]:
        rows = self.conn.execute(
            "SELECT * FROM evaluations WHERE candidate_id = ? ORDER BY seq", (candidate_id,)
        )
        return [_evaluation(r) for r in rows]

    def counts(self) -> dict[str, int]:
        """Search evaluations per status, plus `done` (all statuses) and `in_flight`."""
        out = {s: 0 for s in ("ok", "failed", "timeout", "invalid")}
        for status, n in self.conn.execute(
            "SELECT status, COUNT(*) FROM evaluations WHERE split = 'search' GROUP BY status"
        ):
            out[status] = n
        out["done"] = sum(out.values())
        out["in_flight"] = self.conn.execute("SELECT COUNT(*) FROM pending").fetchone()[0]
        return out

    def snapshots(self) -> dict[int, tuple[int, dict[str, Any]]]:
        """Island -> (the evaluation seq it includes, the island's state)."""
        return {
            r["island"]: (r["eval_seq"], json.loads(r["state"]))
            for r in self.conn.execute("SELECT * FROM snapshots ORDER BY island")
        }

    def events(self, after_seq: int = 0, limit: int = 1000) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?", (after_seq, limit)
        )
        return [
            {"seq": r["seq"], "time": r["time"], "kind": r["kind"], "island": r["island"],
             "message": r["message"], "data": json.loads(r["data"] or "{}")}
            for r in rows
        ]

    # --- small queries for watchers (the TUI polls these every second) ------------------
    def snapshot_seqs(self) -> dict[int, int]:
        """Island -> the evaluation seq its snapshot includes: tells a poller whether to
        re-read `snapshots()` (whose states grow with the run) without reading them."""
        return {r[0]: r[1] for r in self.conn.execute("SELECT island, eval_seq FROM snapshots")}

    def costs(self) -> dict[str, float]:
        """Spent so far: evaluation USD and seconds (all splits) and proposal USD (LLM calls),
        summed in SQL so a poller need not read every row."""
        usd, seconds = self.conn.execute(
            "SELECT COALESCE(SUM(cost_usd), 0), COALESCE(SUM(seconds), 0) FROM evaluations"
        ).fetchone()
        (proposal,) = self.conn.execute(
            "SELECT COALESCE(SUM(proposal_cost_usd), 0) FROM candidates"
        ).fetchone()
        return {"eval_usd": usd, "eval_seconds": seconds, "proposal_usd": proposal,
                "usd": usd + proposal}

    def search_done_at(self, when: float) -> int:
        """Search evaluations recorded at or before `when`: places an event (a migration)
        on an axis counted in evaluations."""
        return self.conn.execute(
            "SELECT COUNT(*) FROM evaluations WHERE split = 'search' AND finished <= ?", (when,)
        ).fetchone()[0]

    # --- derived ------------------------------------------------------------------------
    def scored(self, seed: int | None = None) -> list[tuple[Candidate, Evaluation]]:
        """Each candidate's `ok` search result at the highest fidelity it reached.

        A candidate evaluated there on several seeds (a finalist) is scored by the mean of
        each objective and metric over those seeds; `metrics["search_seeds"]` counts them.
        `seed` keeps the evaluations on that one seed only (what the search itself saw).
        """
        held: dict[str, list[Evaluation]] = {}
        for _, ev in self.evaluations("search"):
            if not ev.ok or (seed is not None and ev.seed != seed):
                continue
            evs = held.get(ev.candidate_id)
            if evs is None or ev.fidelity > evs[0].fidelity:
                held[ev.candidate_id] = [ev]
            elif ev.fidelity == evs[0].fidelity:
                evs.append(ev)
        if not held:
            return []
        top = max(evs[0].fidelity for evs in held.values())
        cands = {c.id: c for c in self.candidates()}
        return [(cands[cid], _mean_over_seeds(evs)) for cid, evs in held.items()
                if evs[0].fidelity == top]

    def best(
        self, objectives: Sequence[Objective] | None = None
    ) -> tuple[Candidate, Evaluation] | None:
        """The best candidate at the highest fidelity reached (first objective breaks ties).

        Once finalists were re-evaluated, the best is one of them, by its mean over seeds:
        a candidate seen on one seed is not compared with means of several, since its one
        value is as lucky as the ranking that left it out of the finals made it.
        """
        from islands.member import Member
        from islands.ranking import sort_members

        objectives = list(objectives or self.objectives())
        scored = self.scored()
        if not scored:
            return None
        most = max(search_seeds(ev) for _, ev in scored)
        members = [Member(c, ev.objectives) for c, ev in scored if search_seeds(ev) == most]
        by_id = {c.id: (c, ev) for c, ev in scored}
        top = sort_members(members, objectives[:1])[0]
        return by_id[top.id]

    def frontier(
        self, objectives: Sequence[Objective] | None = None
    ) -> list[tuple[Candidate, Evaluation]]:
        """Several objectives: the non-dominated set. One: the best-so-far steps, in order."""
        from islands.member import Member
        from islands.ranking import non_dominated

        objectives = list(objectives or self.objectives())
        scored = self.scored()
        if len(objectives) > 1:
            by_id = {c.id: (c, ev) for c, ev in scored}
            front = non_dominated([Member(c, ev.objectives) for c, ev in scored], objectives)
            return [by_id[m.id] for m in front]
        (obj,) = objectives
        steps: list[tuple[Candidate, Evaluation]] = []
        for c, ev in scored:
            if not steps or obj.better(ev.objectives[obj.name], steps[-1][1].objectives[obj.name]):
                steps.append((c, ev))
        return steps

    def lineage(self, candidate_id: str) -> list[Candidate]:
        """The candidate and its first-parent ancestors, oldest first."""
        chain: list[Candidate] = []
        seen: set[str] = set()
        cid: str | None = candidate_id
        while cid and cid not in seen:
            seen.add(cid)
            c = self.candidate(cid)
            if c is None:
                break
            chain.append(c)
            cid = c.parent_ids[0] if c.parent_ids else None
        return chain[::-1]


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _candidate(r: sqlite3.Row) -> Candidate:
    return Candidate(
        id=r["id"], target=r["target"], genome=json.loads(r["genome"]),
        parent_ids=tuple(json.loads(r["parent_ids"])), island=r["island"],
        generation=r["generation"], operator=r["operator"], model=r["model"],
        proposal_cost_usd=r["proposal_cost_usd"],
    )


def _evaluation(r: sqlite3.Row) -> Evaluation:
    return Evaluation(
        candidate_id=r["candidate_id"], status=r["status"], metrics=json.loads(r["metrics"]),
        objectives=json.loads(r["objectives"]), error=r["error"], seconds=r["seconds"],
        cost_usd=r["cost_usd"], artifacts=json.loads(r["artifacts"]), fidelity=r["fidelity"],
        seed=r["seed"], split=r["split"], island=r["island"],
    )


def search_seeds(ev: Evaluation) -> int:
    """On how many search seeds a scored result was measured (see RunReader.scored)."""
    return int(ev.metrics.get("search_seeds", 1))


def _mean_over_seeds(evs: list[Evaluation]) -> Evaluation:
    """One result from a candidate's evaluations at one fidelity on several seeds."""
    if len(evs) == 1:
        return evs[0]
    mean = statistics.fmean
    metrics = {k: mean(ev.metrics[k] for ev in evs) for k in evs[0].metrics
               if all(finite(ev.metrics.get(k)) for ev in evs)}
    metrics["search_seeds"] = float(len(evs))
    return evs[0].with_(
        metrics=metrics,
        objectives={k: mean(ev.objectives[k] for ev in evs) for k in evs[0].objectives},
        seconds=sum(ev.seconds for ev in evs), cost_usd=sum(ev.cost_usd for ev in evs))
