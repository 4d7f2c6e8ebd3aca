"""The strategy interface: how an island proposes new genomes.

`variation` (the target's mutation and crossover) is built in; `optuna` and `llm`
strategies implement the same three methods. A strategy reads the island (population,
archive, target, RNG) and keeps whatever state it needs, which it must be able to save.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from islands.member import Member, Proposal

if TYPE_CHECKING:
    from islands.island import Island


class Strategy(Protocol):
    name: str

    def propose(self, island: Island, n: int) -> list[Proposal]:
        """`n` new proposals; the island has already been told every result it has."""
        ...

    def observe(self, island: Island, members: list[Member]) -> None:
        """Results the island learnt: its own evaluations and immigrants alike."""
        ...

    def state(self) -> dict[str, Any]: ...

    # Optional: `drain_metrics() -> list[dict]`, figures measured since the last call (a
    # surrogate's rank correlation on its newest batch); the engine records them as events.

    def restore(self, state: dict[str, Any]) -> None: ...
