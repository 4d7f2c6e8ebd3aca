"""Multi-fidelity: asynchronous successive halving (ASHA) over the evaluator's fidelities.

Candidates start at the cheapest fidelity. Whenever a slot frees, a candidate in the best
1/eta of the results at some level that has not been promoted yet is re-evaluated at the
next level (higher levels first); only then does an island propose a new one. The
frontier and the best are taken at the highest fidelity reached (see RunReader.scored).
No generation barrier: promotion decisions use the results known so far, as in ASHA.
"""

from __future__ import annotations

from collections.abc import Sequence

from evolver.types import Candidate, Evaluation, Objective
from islands.member import Member
from islands.ranking import sort_members


class SuccessiveHalving:
    def __init__(self, levels: int, eta: int, objectives: Sequence[Objective]) -> None:
        self.levels = levels
        self.eta = eta
        self.objectives = list(objectives)
        self.rungs: list[list[Member]] = [[] for _ in range(levels)]
        self.promoted: set[tuple[str, int]] = set()  # (candidate id, level it reached)

    def record(self, candidate: Candidate, evaluation: Evaluation) -> None:
        """A search result at its level; failures are never promoted."""
        if evaluation.ok and evaluation.fidelity < self.levels:
            self.rungs[evaluation.fidelity].append(Member(candidate, evaluation.objectives))

    def issued(self, candidate_id: str, level: int) -> None:
        """A job at `level` > 0 exists already (issued in this run or before a resume)."""
        self.promoted.add((candidate_id, level))

    def next_promotion(self) -> tuple[Candidate, int] | None:
        for level in range(self.levels - 2, -1, -1):
            rung = self.rungs[level]
            quota = len(rung) // self.eta
            if quota == 0:
                continue
            for member in sort_members(rung, self.objectives)[:quota]:
                if (member.id, level + 1) not in self.promoted:
                    self.promoted.add((member.id, level + 1))
                    return member.candidate, level + 1
        return None
