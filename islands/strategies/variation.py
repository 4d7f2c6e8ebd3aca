"""The classic strategy: tournament selection, then the target's crossover and mutation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from islands.member import Member, Proposal

if TYPE_CHECKING:
    from islands.island import Island


class VariationStrategy:
    """Parents by binary tournament over the ranked population, sometimes from the archive.

    Drawing a parent from the archive now and then (`archive_rate`) brings back elites of
    other niches that the population has lost, the point of keeping a MAP-Elites grid.
    """

    name = "variation"

    def __init__(
        self, mutation_rate: float = 0.9, crossover_rate: float = 0.3, archive_rate: float = 0.2
    ) -> None:
        self.mutation_rate = mutation_rate
        self.crossover_rate = crossover_rate
        self.archive_rate = archive_rate

    def _parent(self, island: Island) -> Member:
        rng = island.rng
        elites = island.archive.members()
        if elites and rng.random() < self.archive_rate:
            return elites[int(rng.integers(len(elites)))]
        ranked = island.population  # best first
        i, j = rng.integers(len(ranked), size=2)
        return ranked[min(int(i), int(j))]

    def propose(self, island: Island, n: int) -> list[Proposal]:
        rng = island.rng
        target = island.target
        out: list[Proposal] = []
        for _ in range(n):
            a = self._parent(island)
            genome = a.candidate.genome
            parents: tuple[str, ...] = (a.id,)
            ops: list[str] = []
            generation = a.candidate.generation + 1
            if rng.random() < self.crossover_rate:
                b = self._parent(island)
                if b.id != a.id:
                    genome = target.crossover(genome, b.candidate.genome, rng)
                    parents = (a.id, b.id)
                    ops.append("crossover")
                    generation = max(generation, b.candidate.generation + 1)
            if not ops or rng.random() < self.mutation_rate:
                genome = target.mutate(genome, rng)
                ops.append("mutate")
            out.append(Proposal(genome, parents, "+".join(ops), generation))
        return out

    def observe(self, island: Island, members: list[Member]) -> None:
        """Variation keeps no model of the results; the island's population is its memory."""

    def state(self) -> dict[str, Any]:
        return {}

    def restore(self, state: dict[str, Any]) -> None:
        """Nothing to restore."""
