"""An island: a population, its archive, a strategy and its own seeded RNG.

It answers `propose`, `tell`, `emigrants`, `immigrate` and `snapshot`, the same in-process
and as a Ray actor. It knows nothing of the run store or the CLI: the engine saves its
snapshots and restores it from them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from evolver.targets.base import InvalidGenome, Target
from evolver.types import Candidate, Evaluation, Objective
from islands.archive import make_archive, restore_archive
from islands.member import Member, Proposal
from islands.ranking import sort_members
from islands.strategies import Strategy, make_strategy

#: attempts at a genome the island has not seen before giving up and proposing it anyway
_DEDUP_TRIES = 8


class Island:
    def __init__(
        self,
        index: int,
        target: Target,
        objectives: Sequence[Objective],
        strategy: str = "variation",
        strategy_options: dict[str, Any] | None = None,
        seed: int = 0,
        population_size: int = 16,
        seeds: Sequence[Any] = (),
    ) -> None:
        self.index = index
        self.target = target
        self.objectives = tuple(objectives)
        self.strategy_name = strategy
        self.strategy: Strategy = make_strategy(strategy, **(strategy_options or {}))
        self.rng = np.random.default_rng([seed, index])
        self.population_size = population_size
        self.population: list[Member] = []  # best first
        self.archive = make_archive(self.objectives, len(target.descriptor_names))
        self.pending_seeds: list[Any] = list(seeds)
        self.proposed = 0
        self.told = 0
        self.seen: set[str] = set()

    # --- the five questions -----------------------------------------------------------
    def propose(self, n: int) -> list[Proposal]:
        out: list[Proposal] = []
        while len(out) < n:
            if self.pending_seeds:
                out.append(Proposal(self.pending_seeds.pop(0), operator="seed"))
            elif self.proposed + len(out) < self.population_size or not self.population:
                out.append(self._fresh(Proposal(self.target.random_genome(self.rng))))
            else:
                (p,) = self.strategy.propose(self, 1)
                out.append(self._fresh(p))
            self.seen.add(self.target.key(out[-1].genome))
        self.proposed += len(out)
        return out

    def tell(self, results: Sequence[tuple[Candidate, Evaluation]]) -> None:
        """Learn evaluation results. Only `ok` ones join the population."""
        members = []
        for candidate, evaluation in results:
            self.told += 1
            if evaluation.ok and all(o.name in evaluation.objectives for o in self.objectives):
                members.append(self._member(candidate, evaluation.objectives))
        self._admit(members)

    def emigrants(self, k: int) -> list[Member]:
        return self.population[:k]

    def immigrate(self, members: Sequence[Member]) -> list[str]:
        """Admit migrants not already here (by id or by genome); returns the admitted ids."""
        present = {m.id for m in self.population}
        fresh = [m for m in members if m.id not in present]
        self._admit(fresh)
        self.seen.update(self.target.key(m.candidate.genome) for m in fresh)
        return [m.id for m in fresh]

    def strategy_metrics(self) -> list[dict[str, Any]]:
        """Figures the strategy measured since the last call (a strategy may offer
        `drain_metrics()`), for the engine to record as events."""
        drain = getattr(self.strategy, "drain_metrics", None)
        return list(drain()) if drain else []

    def snapshot(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "strategy": self.strategy_name,
            "strategy_state": self.strategy.state(),
            "rng": self.rng.bit_generator.state,
            "population": [m.to_dict() for m in self.population],
            "archive": self.archive.to_state(),
            "pending_seeds": self.pending_seeds,
            "proposed": self.proposed,
            "told": self.told,
            "seen": sorted(self.seen),
        }

    def restore(self, state: dict[str, Any]) -> None:
        self.strategy.restore(state["strategy_state"])
        self.rng.bit_generator.state = state["rng"]
        self.population = [Member.from_dict(d) for d in state["population"]]
        self.archive = restore_archive(
            state["archive"], self.objectives, len(self.target.descriptor_names)
        )
        self.pending_seeds = list(state["pending_seeds"])
        self.proposed = state["proposed"]
        self.told = state["told"]
        self.seen = set(state["seen"])

    # --- helpers ------------------------------------------------------------------------
    def _fresh(self, proposal: Proposal) -> Proposal:
        """Retry a proposal the island has already made, so evaluations are not wasted."""
        for _ in range(_DEDUP_TRIES):
            if self.target.key(proposal.genome) not in self.seen:
                return proposal
            genome = self.target.mutate(proposal.genome, self.rng)
            proposal = Proposal(genome, proposal.parent_ids, proposal.operator + "+retry",
                                proposal.generation, proposal.model, proposal.cost_usd)
        return proposal

    def _member(self, candidate: Candidate, objectives: dict[str, float]) -> Member:
        try:
            descriptors = tuple(self.target.descriptors(candidate.genome))
        except (InvalidGenome, KeyError, TypeError, ValueError):
            descriptors = ()
        return Member(candidate, dict(objectives), descriptors)

    def _admit(self, members: list[Member]) -> None:
        if not members:
            return
        for m in members:
            if m.descriptors or not self.target.descriptor_names:
                self.archive.add(m)
        self.strategy.observe(self, members)
        ranked = sort_members(self.population + members, self.objectives)
        self.population = ranked[: self.population_size]
