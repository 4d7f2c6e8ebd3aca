"""The evaluator protocol, and the one function that turns an evaluator call into an Evaluation.

Every evaluator, built-in or third-party, goes through `run_evaluation`, so that raising,
returning NaN or returning the wrong shape are recorded the same way everywhere and never
crash a run.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from evolver.types import Candidate, EvalContext, Evaluation, Objective, finite


@runtime_checkable
class Evaluator(Protocol):
    """Scores candidates. `evaluate` returns metrics (a dict of floats) or an Evaluation."""

    #: objectives this evaluator reports; empty means "use the target's defaults"
    objectives: Sequence[Objective]
    #: resources one evaluation needs, as Ray resource requests (num_cpus, num_gpus)
    resources: Mapping[str, float]
    #: labels of the fidelity levels, cheapest first; one level means no multi-fidelity
    fidelities: Sequence[Any]

    def evaluate(self, candidate: Candidate, context: EvalContext) -> Mapping[str, Any]: ...


def run_evaluation(
    evaluator: Evaluator,
    candidate: Candidate,
    context: EvalContext,
    objectives: Sequence[Objective],
) -> Evaluation:
    """Call the evaluator and classify the outcome; never raises for evaluator faults."""
    base = Evaluation(
        candidate_id=candidate.id,
        fidelity=context.fidelity,
        seed=context.seed,
        split=context.split,
        island=candidate.island,
    )
    start = time.perf_counter()
    try:
        raw = evaluator.evaluate(candidate, context)
    except Exception:  # noqa: BLE001 - any evaluator fault is recorded, the run goes on
        return base.with_(
            status="failed",
            error=traceback.format_exc(limit=20),
            seconds=time.perf_counter() - start,
        )
    seconds = time.perf_counter() - start
    return classify(raw, base.with_(seconds=seconds), objectives)


def classify(raw: Any, base: Evaluation, objectives: Sequence[Objective]) -> Evaluation:
    """Split raw evaluator output into metrics/artifacts and check the objectives."""
    if isinstance(raw, Evaluation):
        raw_status = raw.status
        metrics_in: Mapping[str, Any] = raw.metrics
        base = base.with_(
            status=raw.status, error=raw.error, cost_usd=raw.cost_usd,
            artifacts=dict(raw.artifacts), seconds=raw.seconds or base.seconds,
        )
        if raw_status != "ok":
            return base.with_(metrics=dict(metrics_in))
    elif isinstance(raw, (int, float)) and not isinstance(raw, bool) and len(objectives) == 1:
        metrics_in = {objectives[0].name: raw}
    elif isinstance(raw, Mapping):
        metrics_in = raw
    else:
        return base.with_(
            status="invalid",
            error=f"evaluator returned {type(raw).__name__}; expected a dict of metrics",
        )
    metrics: dict[str, float] = {}
    artifacts = dict(base.artifacts)
    for name, value in metrics_in.items():
        if isinstance(value, str):
            artifacts[str(name)] = value
        elif isinstance(value, (bool, int, float)):
            metrics[str(name)] = float(value)
        else:
            try:
                metrics[str(name)] = float(value)  # numpy scalars, 0-d tensors
            except (TypeError, ValueError):
                artifacts[str(name)] = repr(value)[:2000]
    cost = metrics.get("cost_usd", base.cost_usd)
    values: dict[str, float] = {}
    problems: list[str] = []
    for obj in objectives:
        if obj.name not in metrics:
            problems.append(f"objective {obj.name!r} missing from metrics {sorted(metrics)}")
        elif not finite(metrics[obj.name]):
            problems.append(f"objective {obj.name!r} is {metrics[obj.name]}")
        else:
            values[obj.name] = metrics[obj.name]
    status = "invalid" if problems else "ok"
    return base.with_(
        status=status, metrics=metrics, objectives=values, artifacts=artifacts,
        error="; ".join(problems), cost_usd=float(cost) if finite(cost) else 0.0,
    )
