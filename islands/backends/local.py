"""The `local` backend: islands in this process, evaluations in worker processes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from islands.backends.processes import ProcessExecutor
from islands.island import Island


class LocalBackend:
    name = "local"
    ordered = True

    def island(self, **kwargs: Any) -> Island:
        return Island(**kwargs)

    def executor(
        self, evaluator: Any, objectives: Sequence[Any], slots: int, timeout: float
    ) -> ProcessExecutor:
        return ProcessExecutor(evaluator, objectives, slots, timeout)

    def close(self) -> None:
        """Nothing outlives the executor."""
