"""The steady-state search loop of one run: proposals, promotions, finals, migration.

Whenever an evaluation slot frees, the next job is issued: a promotion that successive
halving owes, else the next island's (round robin) proposal, until the search budget is
spent; then the finalists' extra seeds. Every completed evaluation is committed to `run.db`
before the loop acts on it. On the local backend results are handed to islands in the order
they were issued, which makes a run reproducible from its seed.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import replace
from typing import TYPE_CHECKING

from evolver.events import Event
from evolver.promotion import SuccessiveHalving
from evolver.seeds import finalist_seeds
from evolver.store import RunStore
from evolver.store.reader import HEARTBEAT_SECONDS
from evolver.targets.base import InvalidGenome
from evolver.types import Candidate, EvalContext, Evaluation, evaluation_id
from islands.backends import Executor, IslandHandle
from islands.member import Member, Proposal
from islands.ranking import sort_members

if TYPE_CHECKING:
    from evolver.engine import Engine


class SearchLoop:
    """The steady-state loop of one run (one object per run, so its state is plain)."""

    def __init__(self, engine: Engine, store: RunStore, islands: list[IslandHandle],
                 executor: Executor, ordered: bool) -> None:
        self.engine = engine
        self.config = engine.config
        self.store = store
        self.islands = islands
        self.executor = executor
        self.ordered = ordered
        self.seed = self.config.seed  # the search seed: every proposal is evaluated on it
        self.done = store.counts()["done"]
        self.next_id = store.proposed_count()
        self.jobs: dict[str, Candidate] = {}  # evaluation id -> candidate, while in flight
        self.issue_order: deque[str] = deque()
        self.finished: dict[str, Evaluation] = {}
        levels = len(getattr(engine.evaluator, "fidelities", None) or (None,))
        self.halving = SuccessiveHalving(levels, self.config.eta, engine.objectives)
        self.search_done = self.search_in_flight = 0
        self.finals: deque[tuple[Candidate, EvalContext]] | None = None  # built when due
        candidates = {c.id: c for c in store.candidates()}
        for _, ev in store.evaluations("search"):  # a resumed run: rebuild the rungs
            if ev.seed != self.seed:
                continue  # a finalist's extra seed
            self.search_done += 1
            self.halving.record(candidates[ev.candidate_id], ev)
            if ev.fidelity > 0:
                self.halving.issued(ev.candidate_id, ev.fidelity)
        self.next_island = self.search_done
        #: evaluations on the search seed: the budget less what the finalists need and what
        #: earlier finals of a resumed run spent, so the run never exceeds its budget
        reserve = self.config.finalists * self.config.finalist_seeds
        self.search_budget = self.config.budget - reserve - (self.done - self.search_done)
        self.since_migration = [0] * len(islands)
        self.since_snapshot = [0] * len(islands)
        self.last_beat = 0.0

    def run(self) -> None:
        for candidate, context in self.store.pending_jobs():  # in flight when it stopped
            if context.split == "search":
                if context.seed == self.seed:
                    self.halving.issued(candidate.id, context.fidelity)
                self._submit(candidate, context)
        self._fill()
        while self.jobs:  # _fill leaves none only when nothing is left to run
            for ev in self._collect(self.executor.poll(0.25)):
                self._handle(ev)
                # Refill after each result, not after each batch: which results arrive
                # together is timing, and proposals must not depend on it.
                self._fill()
            self._beat()
        for i, island in enumerate(self.islands):
            self._snapshot(i, island)

    def _fill(self) -> None:
        while not self.engine.stopping and len(self.jobs) < self.executor.slots:
            if self.search_done + self.search_in_flight < self.search_budget:
                self._submit_next()
            elif self.search_in_flight:
                return  # the finalists are picked from the complete search
            else:
                if self.finals is None:
                    self.finals = deque(self._finalist_jobs())
                if not self.finals:
                    return
                self._submit(*self.finals.popleft())

    def _finalist_jobs(self) -> list[tuple[Candidate, EvalContext]]:
        """The best `finalists` at the highest fidelity reached on the search seed, each on
        `finalist_seeds` more search seeds: those not yet run (a resumed run has some)."""
        config, objectives = self.config, self.engine.objectives
        scored = self.store.scored(seed=self.seed)
        if not config.finalists or not scored:
            return []
        members = sort_members([Member(c, ev.objectives) for c, ev in scored], objectives)
        finalists = [m.candidate for m in members[:config.finalists]]
        fidelity = scored[0][1].fidelity
        seeds = finalist_seeds(config.seed, config.finalist_seeds)
        done = {ev.id for _, ev in self.store.evaluations("search")} | set(self.jobs)
        jobs = [(c, EvalContext(fidelity=fidelity, seed=s)) for c in finalists for s in seeds
                if evaluation_id(c.id, fidelity, "search", s) not in done]
        if jobs:  # a resumed run whose finals were all done has nothing new to announce
            self.engine.record_event(self.store, Event(
                "finalists", f"re-evaluating {len(finalists)} finalists at fidelity {fidelity} "
                f"on seeds {seeds}: {', '.join(c.id for c in finalists)}",
                data={"ids": [c.id for c in finalists], "fidelity": fidelity, "seeds": seeds}))
        return jobs

    def _submit_next(self) -> None:
        promotion = self.halving.next_promotion()
        if promotion is not None:
            candidate, level = promotion
            self._submit(candidate, EvalContext(fidelity=level, seed=self.seed))
            self.engine.record_event(self.store, Event(
                "promotion", f"{candidate.id} promoted to fidelity {level}",
                island=candidate.island, data={"candidate_id": candidate.id, "fidelity": level}))
            return
        i = self.next_island % len(self.islands)
        self.next_island += 1
        (proposal,) = self.islands[i].propose(1)
        candidate = self._candidate(proposal, i)
        context = EvalContext(fidelity=0, seed=self.config.seed, split="search")
        try:
            candidate = replace(candidate, genome=self.engine.target.validate(candidate.genome))
        except InvalidGenome as exc:  # recorded like any result, in its turn; never run
            self.store.issue(candidate, context)
            self.search_in_flight += 1
            ev = Evaluation(candidate.id, status="invalid", error=f"invalid genome: {exc}",
                            seed=context.seed, island=i)
            self.jobs[ev.id] = candidate
            self.issue_order.append(ev.id)
            self.finished[ev.id] = ev
            return
        self._submit(candidate, context)

    def _candidate(self, p: Proposal, island: int) -> Candidate:
        cid = f"c{self.next_id:06d}"
        self.next_id += 1
        return Candidate(cid, self.config.target, p.genome, tuple(p.parent_ids), island,
                         p.generation, p.operator, p.model, p.cost_usd)

    def _submit(self, candidate: Candidate, context: EvalContext) -> None:
        self.store.issue(candidate, context)
        self.search_in_flight += context.split == "search" and context.seed == self.seed
        job_id = evaluation_id(candidate.id, context.fidelity, context.split, context.seed)
        self.jobs[job_id] = candidate
        self.issue_order.append(job_id)
        self.executor.submit(candidate, context)

    def _collect(self, results: list[Evaluation]) -> list[Evaluation]:
        """Results to act on now: all (as completed), or (ordered) the finished head."""
        for ev in results:
            self.finished[ev.id] = ev
        if not self.ordered:
            out = list(self.finished.values())
            for ev in out:
                self.issue_order.remove(ev.id)
            self.finished.clear()
            return out
        out = []
        while self.issue_order and self.issue_order[0] in self.finished:
            out.append(self.finished.pop(self.issue_order.popleft()))
        return out

    def _handle(self, ev: Evaluation) -> None:
        seq = self.store.record(ev)
        candidate = self.jobs.pop(ev.id)
        on_search_seed = ev.seed == self.seed
        self.search_in_flight -= on_search_seed
        if seq is None:  # recorded before a crash and re-issued: told already
            return
        self.done += 1
        i = candidate.island
        self.engine.events.emit(Event("evaluation", island=i, evaluation=ev,
                                      data={"done": self.done, "budget": self.config.budget}))
        if not ev.ok:  # the error's last line (a traceback's exception) names the fault
            last_line = (ev.error.strip().splitlines() or [ev.status])[-1]
            self.store.event(ev.status, f"{candidate.id}: {last_line}", i,
                             candidate_id=candidate.id)
        if not on_search_seed:
            return  # a finalist's extra seed: the islands and the rungs compare one seed
        self.search_done += 1
        self.halving.record(candidate, ev)
        if ev.fidelity == 0:  # islands compare candidates at one fidelity, the cheapest
            self.islands[i].tell([(candidate, ev)])
        self.since_migration[i] += 1
        if self.since_migration[i] >= self.config.migration_interval:
            self.since_migration[i] = 0
            self._migrate(i)
        self.since_snapshot[i] += 1
        if self.since_snapshot[i] >= self.config.snapshot_interval:
            self._snapshot(i, self.islands[i], seq)

    def _migrate(self, source: int) -> None:
        k = self.config.migrants
        if k == 0 or not self.engine.topology.out_degree(source):
            return
        emigrants = self.islands[source].emigrants(k)
        for dest in sorted(self.engine.topology.successors(source)):
            accepted = self.islands[dest].immigrate(emigrants)
            self.engine.record_event(self.store, Event(
                "migration", f"{len(accepted)} migrants from island {source} to {dest}",
                island=source, data={"to": dest, "ids": accepted}))

    def _snapshot(self, i: int, island: IslandHandle, seq: int | None = None) -> None:
        seq = self.store.last_seq() if seq is None else seq
        self.store.save_snapshot(i, island.snapshot(), seq)
        self.since_snapshot[i] = 0
        for figures in island.strategy_metrics():  # e.g. a surrogate's rank correlation
            self.engine.record_event(self.store, Event(
                "strategy_metric", ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else
                                             f"{k}={v}" for k, v in figures.items()),
                island=i, data=figures))

    def _beat(self) -> None:
        now = time.monotonic()
        if now - self.last_beat >= HEARTBEAT_SECONDS:
            self.store.heartbeat()
            self.last_beat = now
