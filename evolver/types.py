"""The vocabulary every layer shares: candidates, evaluations, objectives, fidelity context.

This module imports nothing from the project, so `islands/` and `evaluators/` may import it
without importing the engine (DESIGN.md's direction of imports is kept for behaviour; the
data vocabulary is the one thing all layers must agree on).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

Direction = Literal["min", "max"]
Status = Literal["ok", "failed", "timeout", "invalid"]
Split = Literal["search", "report"]

STATUSES: tuple[Status, ...] = ("ok", "failed", "timeout", "invalid")


@dataclass(frozen=True)
class Objective:
    """A named objective and the direction in which it improves."""

    name: str
    direction: Direction = "min"

    @classmethod
    def parse(cls, spec: str | Objective) -> Objective:
        """Read `"loss:min"` / `"accuracy:max"` (direction defaults to min)."""
        if isinstance(spec, Objective):
            return spec
        name, _, direction = spec.partition(":")
        direction = direction or "min"
        if not name or direction not in ("min", "max"):
            raise ValueError(f"objective {spec!r}: expected NAME or NAME:min or NAME:max")
        return cls(name, direction)  # type: ignore[arg-type]

    def better(self, a: float, b: float) -> bool:
        """True when value `a` is strictly better than `b`."""
        return a < b if self.direction == "min" else a > b

    def __str__(self) -> str:
        return f"{self.name}:{self.direction}"


@dataclass(frozen=True)
class Candidate:
    """One proposed solution. Immutable: a change makes a new candidate with a new id."""

    id: str
    target: str
    genome: Any
    parent_ids: tuple[str, ...] = ()
    island: int = 0
    generation: int = 0
    operator: str = "init"
    model: str | None = None  # the LLM that proposed it, for LLM proposals
    proposal_cost_usd: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["parent_ids"] = list(self.parent_ids)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Candidate:
        d = dict(d)
        d["parent_ids"] = tuple(d.get("parent_ids", ()))
        return cls(**d)


@dataclass(frozen=True)
class EvalContext:
    """What the engine tells an evaluator besides the candidate.

    `seed` is common to every candidate at one fidelity and split (common random numbers):
    differences between candidates then come from the candidates, not from the seed.
    `split` is `search` while the engine searches and `report` for the final figures, which
    the search never sees.
    """

    fidelity: int = 0
    seed: int = 0
    split: Split = "search"


@dataclass(frozen=True)
class Evaluation:
    """What an evaluator returned for one candidate at one fidelity, split and seed."""

    candidate_id: str
    status: Status = "ok"
    metrics: dict[str, float] = field(default_factory=dict)
    objectives: dict[str, float] = field(default_factory=dict)
    error: str = ""
    seconds: float = 0.0
    cost_usd: float = 0.0
    artifacts: dict[str, str] = field(default_factory=dict)
    fidelity: int = 0
    seed: int = 0
    split: Split = "search"
    island: int = 0

    @property
    def id(self) -> str:
        """Unique per evaluation: a candidate is evaluated once per fidelity, split and seed."""
        return evaluation_id(self.candidate_id, self.fidelity, self.split, self.seed)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def with_(self, **changes: Any) -> Evaluation:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["id"] = self.id
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Evaluation:
        d = {k: v for k, v in d.items() if k != "id"}
        return cls(**d)


def evaluation_id(candidate_id: str, fidelity: int, split: str, seed: int) -> str:
    """`c000007@1/search0`: a candidate is evaluated at most once per fidelity, split and
    seed (a search may re-evaluate its finalists on more seeds, the report on fresh ones)."""
    return f"{candidate_id}@{fidelity}/{split}{seed}"


def finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
