"""Events of a run, for observers (a progress bar, a notebook, the TUI reads the store).

The engine emits; observers subscribe. An observer that raises is reported once on stderr
and then dropped, so a broken progress bar never stops a run.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from evolver.types import Evaluation

#: kinds the engine emits
KINDS = ("run_started", "evaluation", "migration", "promotion", "strategy_metric", "report",
         "run_finished")


@dataclass(frozen=True)
class Event:
    kind: str
    message: str = ""
    island: int | None = None
    evaluation: Evaluation | None = None
    data: dict[str, Any] = field(default_factory=dict)


Observer = Callable[[Event], None]


class EventBus:
    def __init__(self) -> None:
        self._observers: list[Observer] = []

    def subscribe(self, observer: Observer) -> None:
        self._observers.append(observer)

    def emit(self, event: Event) -> None:
        for observer in list(self._observers):
            try:
                observer(event)
            except Exception as exc:  # noqa: BLE001 - observers must not break the run
                print(f"archipelago: observer {observer!r} failed and was removed: {exc!r}",
                      file=sys.stderr)
                self._observers.remove(observer)
