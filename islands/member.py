"""A member of a population: a candidate with the objective values it was scored with."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from evolver.types import Candidate


@dataclass(frozen=True)
class Member:
    candidate: Candidate
    objectives: dict[str, float]
    descriptors: tuple[float, ...] = field(default=())

    @property
    def id(self) -> str:
        return self.candidate.id

    def to_dict(self) -> dict[str, Any]:
        return {
            "candidate": self.candidate.to_dict(),
            "objectives": dict(self.objectives),
            "descriptors": list(self.descriptors),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Member:
        return cls(
            Candidate.from_dict(d["candidate"]),
            dict(d["objectives"]),
            tuple(d.get("descriptors", ())),
        )


@dataclass(frozen=True)
class Proposal:
    """What a strategy proposes; the engine turns it into a Candidate with a run-wide id."""

    genome: Any
    parent_ids: tuple[str, ...] = ()
    operator: str = "init"
    generation: int = 0
    model: str | None = None
    cost_usd: float = 0.0
