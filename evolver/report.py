"""The final report: the best candidate beside the target's baselines, on the report split.

The search tuned on the `search` split with one seed per fidelity (its finalists on a few
more); these figures come from the `report` split on fresh seeds the search never saw, at
the highest fidelity reached, so a gain shown here is not an artefact of tuning on the
figures themselves.
"""

from __future__ import annotations

import statistics
from typing import TYPE_CHECKING, Any

from evolver.events import Event
from evolver.seeds import report_seeds
from evolver.types import Candidate, EvalContext, evaluation_id

if TYPE_CHECKING:
    from evolver.engine import Engine
    from evolver.store import RunStore
    from islands.backends import Executor

def measure_report(engine: Engine, store: RunStore, executor: Executor
                   ) -> dict[str, dict[str, dict[str, Any]]]:
    config = engine.config
    best = store.best(engine.objectives)
    if best is None or config.report_seeds == 0:
        return {}
    fidelity = best[1].fidelity
    target = engine.target
    entries: dict[str, Candidate] = {"best": best[0]}
    for name, genome in target.baselines().items():
        # a baseline the search named best is measured once, as the best
        same = target.key(genome) == target.key(best[0].genome)
        entries[name] = best[0] if same else Candidate(
            f"baseline-{name}", config.target, genome, island=-1, operator="baseline")
    seeds = report_seeds(config.seed, config.report_seeds)
    done = {ev.id for _, ev in store.evaluations("report")}
    todo = []
    for candidate in {c.id: c for c in entries.values()}.values():
        for seed in seeds:
            ctx = EvalContext(fidelity=fidelity, seed=seed, split="report")
            if evaluation_id(candidate.id, fidelity, "report", seed) not in done:
                todo.append((candidate, ctx))
    while todo or executor.in_flight:
        while todo and executor.in_flight < executor.slots:
            candidate, ctx = todo.pop(0)
            store.issue(candidate, ctx)
            executor.submit(candidate, ctx)
        for ev in executor.poll(0.25):
            store.record(ev)
    out = summarise(store, entries, engine.objectives, fidelity, seeds)
    first = engine.objectives[0]
    engine.record_event(store, Event("report", "report split: " + "; ".join(
        f"{name} {first.name}={stats[first.name]['mean']:.4g}±{stats[first.name]['std']:.2g}"
        for name, stats in out.items()), data={"fidelity": fidelity, "seeds": seeds}))
    return out


def summarise(store: RunStore, entries: dict[str, Candidate], objectives: list[Any],
              fidelity: int, seeds: list[int]) -> dict[str, dict[str, dict[str, Any]]]:
    by_candidate: dict[str, list[Any]] = {}
    for _, ev in store.evaluations("report"):
        if ev.fidelity == fidelity and ev.seed in seeds:
            by_candidate.setdefault(ev.candidate_id, []).append(ev)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for name, candidate in entries.items():
        evs = sorted((ev for ev in by_candidate.get(candidate.id, []) if ev.ok),
                     key=lambda ev: seeds.index(ev.seed))
        out[name] = {}
        for obj in objectives:
            values = [ev.objectives[obj.name] for ev in evs]
            out[name][obj.name] = {
                "values": values,
                "mean": statistics.fmean(values) if values else float("nan"),
                "std": statistics.stdev(values) if len(values) > 1 else 0.0,
                "n": len(values),
                "seeds": [ev.seed for ev in evs],
                "candidate_id": candidate.id,
            }
    return out


def paired(report: dict[str, dict[str, dict[str, Any]]], objective: Any, baseline: str
           ) -> dict[str, Any] | None:
    """best minus `baseline` seed by seed (common random numbers make the pairs comparable):
    mean, std, on how many seeds the best was better, and `clear`: the mean is better by more
    than two standard errors. None without common seeds."""
    best, base = report["best"][objective.name], report[baseline][objective.name]
    common = [s for s in best["seeds"] if s in base["seeds"]]
    if not common:
        return None
    diffs = [best["values"][best["seeds"].index(s)] - base["values"][base["seeds"].index(s)]
             for s in common]
    mean = statistics.fmean(diffs)
    std = statistics.stdev(diffs) if len(diffs) > 1 else 0.0
    gain = -mean if objective.direction == "min" else mean  # > 0: the best is better
    return {"mean": mean, "std": std, "n": len(diffs),
            "better": sum(objective.better(d, 0.0) for d in diffs),
            "clear": len(diffs) > 1 and gain > 2 * std / len(diffs) ** 0.5}
