"""Archipelago's engine and public API.

    from evolver import Engine, RunConfig
    result = Engine(RunConfig(target="mix", budget=50), evaluator=my_fn).run()

Names are loaded on first use, so that `islands` and `evaluators` can import the shared
vocabulary (`evolver.types`) without importing the engine.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "Engine": "evolver.engine",
    "RunResult": "evolver.engine",
    "RunConfig": "evolver.config",
    "ConfigError": "evolver.config",
    "Candidate": "evolver.types",
    "Evaluation": "evolver.types",
    "EvalContext": "evolver.types",
    "Objective": "evolver.types",
    "Event": "evolver.events",
    "RunReader": "evolver.store",
}

__all__ = [  # noqa: RUF022 - grouped like _EXPORTS
    "Candidate", "ConfigError", "Engine", "EvalContext", "Evaluation", "Event", "Objective",
    "RunConfig", "RunReader", "RunResult",
]

if TYPE_CHECKING:
    from evolver.config import ConfigError, RunConfig
    from evolver.engine import Engine, RunResult
    from evolver.events import Event
    from evolver.store import RunReader
    from evolver.types import Candidate, EvalContext, Evaluation, Objective


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'evolver' has no attribute {name!r}")
