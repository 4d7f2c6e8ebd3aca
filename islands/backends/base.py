"""One interface for where islands live and where evaluations run.

The engine talks to islands through `IslandHandle` and to evaluations through `Executor`;
`local` gives in-process islands and worker processes, `ray` gives actors and tasks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from evolver.types import Candidate, EvalContext, Evaluation
from islands.member import Member, Proposal


class IslandHandle(Protocol):
    def propose(self, n: int) -> list[Proposal]: ...
    def tell(self, results: Sequence[tuple[Candidate, Evaluation]]) -> None: ...
    def emigrants(self, k: int) -> list[Member]: ...
    def immigrate(self, members: Sequence[Member]) -> list[str]: ...
    def snapshot(self) -> dict[str, Any]: ...
    def strategy_metrics(self) -> list[dict[str, Any]]: ...
    def restore(self, state: dict[str, Any]) -> None: ...


class Executor(Protocol):
    """Runs evaluations; `poll` returns those that completed, timed out or died."""

    slots: int

    def submit(self, candidate: Candidate, context: EvalContext) -> None: ...
    def poll(self, timeout: float) -> list[Evaluation]: ...
    @property
    def in_flight(self) -> int: ...
    def close(self) -> None: ...


class Backend(Protocol):
    name: str
    #: True when results are handed to islands in the order evaluations were issued,
    #: which makes a run reproducible from its seed at the price of some idle slots
    ordered: bool

    def island(self, **kwargs: Any) -> IslandHandle: ...
    def executor(self, evaluator: Any, objectives: Sequence[Any], slots: int,
                 timeout: float) -> Executor: ...
    def close(self) -> None: ...
