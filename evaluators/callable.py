"""Any Python callable as an evaluator: `candidate -> metrics` (or `(candidate, context)`)."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from evolver.types import Candidate, EvalContext, Objective


class CallableEvaluator:
    """Wraps a function. It may take the candidate alone, or the candidate and the context.

    A function that returns one number scores a single-objective run; one that returns a
    dict gives metrics, from which the run's objectives are read by name.
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        objectives: Sequence[str | Objective] = (),
        resources: Mapping[str, float] | None = None,
        fidelities: Sequence[Any] = (None,),
    ) -> None:
        if not callable(fn):
            raise TypeError(f"evaluator must be callable, got {type(fn).__name__}")
        self.fn = fn
        self.objectives = tuple(Objective.parse(o) for o in objectives)
        self.resources = dict(resources or {"num_cpus": 1})
        self.fidelities = tuple(fidelities)
        self._takes_context = _accepts_two_args(fn)
        self.reference: str | None = None
        self._options: dict[str, Any] = {}

    @classmethod
    def from_reference(cls, reference: str, **options: Any) -> CallableEvaluator:
        """Load `package.module:function` or `path/to/file.py:function`."""
        module_part, _, attr = reference.rpartition(":")
        if module_part.endswith(".py"):  # absolute, so a worker elsewhere finds it too
            reference = f"{Path(module_part).resolve()}:{attr}"
        evaluator = cls(load_reference(reference), **options)
        evaluator.reference = reference
        evaluator._options = dict(options)
        return evaluator

    def __reduce__(self) -> Any:
        # A function from a file is no importable module in a worker process or on a Ray
        # node: such evaluators travel as their reference and load it again there.
        if self.reference is not None:
            return (_from_reference, (self.reference, self._options, self.objectives))
        return object.__reduce__(self)

    def evaluate(self, candidate: Candidate, context: EvalContext) -> Any:
        if self._takes_context:
            return self.fn(candidate, context)
        return self.fn(candidate)


def _from_reference(
    reference: str, options: dict[str, Any], objectives: tuple[Objective, ...]
) -> CallableEvaluator:
    evaluator = CallableEvaluator.from_reference(reference, **options)
    evaluator.objectives = objectives
    return evaluator


def _accepts_two_args(fn: Callable[..., Any]) -> bool:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in params)


def load_reference(reference: str) -> Callable[..., Any]:
    """Resolve `module:attr` or `file.py:attr` to the object; ValueError says what is wrong."""
    module_part, sep, attr = reference.rpartition(":")
    if not sep or not module_part or not attr:
        raise ValueError(
            f"evaluator: {reference!r}: expected 'module:function' or 'file.py:function'"
        )
    if module_part.endswith(".py"):
        path = Path(module_part)
        if not path.is_file():
            raise ValueError(f"evaluator: {reference!r}: no file {path}")
        name = f"_archipelago_user_{path.stem}"
        spec = importlib.util.spec_from_file_location(name, path.resolve())
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # so worker processes can unpickle what it defines
        spec.loader.exec_module(module)
    else:
        try:
            module = importlib.import_module(module_part)
        except ImportError as exc:
            raise ValueError(f"evaluator: {reference!r}: {exc}") from exc
    try:
        return getattr(module, attr)
    except AttributeError:
        raise ValueError(f"evaluator: {reference!r}: no {attr!r} in it") from None
