"""Archives keep the elites an island has seen, beyond its current population.

One objective: a MAP-Elites grid over the target's descriptors (the best candidate per cell,
so different kinds of good solutions survive). Several objectives: a Pareto front.
Both answer the same small interface, so an island does not care which it holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from evolver.types import Objective
from islands.member import Member
from islands.ranking import as_minimised, crowding, dominates


class Archive(Protocol):
    def add(self, member: Member) -> bool: ...
    def members(self) -> list[Member]: ...
    def to_state(self) -> dict[str, Any]: ...


class MapElitesGrid:
    """The best member per cell of a grid over descriptors in [0, 1]."""

    kind = "map-elites"

    def __init__(self, objective: Objective, dims: int, bins: int = 10) -> None:
        self.objective = objective
        self.dims = dims
        self.bins = bins
        self.cells: dict[tuple[int, ...], Member] = {}

    def cell(self, descriptors: Sequence[float]) -> tuple[int, ...]:
        if len(descriptors) != self.dims:
            raise ValueError(f"expected {self.dims} descriptors, got {len(descriptors)}")
        return tuple(min(int(max(d, 0.0) * self.bins), self.bins - 1) for d in descriptors)

    def add(self, member: Member) -> bool:
        key = self.cell(member.descriptors)
        incumbent = self.cells.get(key)
        name = self.objective.name
        if incumbent is None or self.objective.better(
            member.objectives[name], incumbent.objectives[name]
        ):
            self.cells[key] = member
            return True
        return False

    def members(self) -> list[Member]:
        return [self.cells[k] for k in sorted(self.cells)]

    def coverage(self) -> float:
        return len(self.cells) / self.bins**self.dims

    def to_state(self) -> dict[str, Any]:
        return {"kind": self.kind, "bins": self.bins,
                "members": [m.to_dict() for m in self.members()]}


class ParetoFront:
    """Non-dominated members; beyond `capacity` the most crowded are dropped."""

    kind = "pareto"

    def __init__(self, objectives: Sequence[Objective], capacity: int = 64) -> None:
        self.objectives = tuple(objectives)
        self.capacity = capacity
        self._members: list[Member] = []

    def add(self, member: Member) -> bool:
        p = as_minimised(member.objectives, self.objectives)
        points = [as_minimised(m.objectives, self.objectives) for m in self._members]
        if any(dominates(q, p) or np.array_equal(q, p) for q in points):
            return False
        self._members = [
            m for m, q in zip(self._members, points, strict=True) if not dominates(p, q)
        ] + [member]
        if len(self._members) > self.capacity:
            pts = np.stack([as_minimised(m.objectives, self.objectives) for m in self._members])
            drop = int(np.argmin(crowding(pts)))
            del self._members[drop]
        return member in self._members

    def members(self) -> list[Member]:
        return list(self._members)

    def to_state(self) -> dict[str, Any]:
        return {"kind": self.kind, "capacity": self.capacity,
                "members": [m.to_dict() for m in self._members]}


def make_archive(objectives: Sequence[Objective], dims: int) -> MapElitesGrid | ParetoFront:
    if len(objectives) == 1 and dims > 0:
        return MapElitesGrid(objectives[0], dims)
    return ParetoFront(objectives)


def restore_archive(
    state: dict[str, Any], objectives: Sequence[Objective], dims: int
) -> MapElitesGrid | ParetoFront:
    archive = make_archive(objectives, dims)
    for d in state.get("members", []):
        archive.add(Member.from_dict(d))
    return archive
