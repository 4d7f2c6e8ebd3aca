"""The `ray` backend: islands as Ray actors, evaluations as Ray tasks.

Tasks carry the evaluator's resource requests (`num_cpus`, `num_gpus`), so Ray places a
GPU evaluation on a GPU node. `ray.init()` starts a local instance unless an address is given.
Results are handed over as they complete (steady state), so a Ray run is not bit-for-bit
reproducible; the local backend is.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import ray

from evaluators.base import run_evaluation
from evolver.types import Candidate, EvalContext, Evaluation, Objective
from islands.island import Island
from islands.member import Member, Proposal


def _evaluate(evaluator: Any, candidate: Candidate, context: EvalContext,
              objectives: Sequence[Objective]) -> Evaluation:
    return run_evaluation(evaluator, candidate, context, objectives)


class RayIsland:
    """An island actor behind the same methods as a local Island."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor

    def propose(self, n: int) -> list[Proposal]:
        return ray.get(self.actor.propose.remote(n))

    def tell(self, results: Sequence[tuple[Candidate, Evaluation]]) -> None:
        # Actor calls run in order, so the next propose sees this tell without a wait here.
        self.actor.tell.remote(list(results))

    def emigrants(self, k: int) -> list[Member]:
        return ray.get(self.actor.emigrants.remote(k))

    def immigrate(self, members: Sequence[Member]) -> list[str]:
        return ray.get(self.actor.immigrate.remote(list(members)))

    def snapshot(self) -> dict[str, Any]:
        return ray.get(self.actor.snapshot.remote())

    def strategy_metrics(self) -> list[dict[str, Any]]:
        return ray.get(self.actor.strategy_metrics.remote())

    def restore(self, state: dict[str, Any]) -> None:
        ray.get(self.actor.restore.remote(state))


class RayExecutor:
    def __init__(self, evaluator: Any, objectives: Sequence[Objective], slots: int,
                 timeout: float) -> None:
        resources = dict(getattr(evaluator, "resources", None) or {"num_cpus": 1})
        self._task = ray.remote(_evaluate).options(
            num_cpus=resources.pop("num_cpus", 1), num_gpus=resources.pop("num_gpus", 0),
            resources=resources or None, max_retries=0,
        )
        self._evaluator = ray.put(evaluator)
        self._objectives = tuple(objectives)
        self.slots = slots
        self.timeout = timeout
        self._running: dict[Any, tuple[Candidate, EvalContext, float]] = {}

    @property
    def in_flight(self) -> int:
        return len(self._running)

    def submit(self, candidate: Candidate, context: EvalContext) -> None:
        ref = self._task.remote(self._evaluator, candidate, context, self._objectives)
        self._running[ref] = (candidate, context, time.monotonic() + self.timeout)

    def poll(self, timeout: float) -> list[Evaluation]:
        if not self._running:
            return []
        soonest = min(d for _, _, d in self._running.values())
        wait_for = max(0.0, min(timeout, soonest - time.monotonic()))
        ready, _ = ray.wait(list(self._running), num_returns=1, timeout=wait_for)
        if ready:  # take every other result that is already there too
            ready, _ = ray.wait(list(self._running), num_returns=len(self._running), timeout=0)
        out: list[Evaluation] = []
        for ref in ready:
            candidate, context, _ = self._running.pop(ref)
            try:
                out.append(ray.get(ref))
            except Exception as exc:  # noqa: BLE001 - a worker that died is a failed evaluation
                out.append(self._fault(candidate, context, "failed", f"Ray task failed: {exc}"))
        now = time.monotonic()
        for ref, (candidate, context, deadline) in list(self._running.items()):
            if now >= deadline:
                ray.cancel(ref, force=True)
                del self._running[ref]
                out.append(self._fault(candidate, context, "timeout",
                                       f"killed after the {self.timeout:g} s timeout"))
        return out

    def _fault(self, candidate: Candidate, context: EvalContext, status: str,
               error: str) -> Evaluation:
        return Evaluation(
            candidate_id=candidate.id, status=status, error=error,  # type: ignore[arg-type]
            seconds=self.timeout if status == "timeout" else 0.0, fidelity=context.fidelity,
            seed=context.seed, split=context.split, island=candidate.island,
        )

    def close(self) -> None:
        for ref in list(self._running):
            ray.cancel(ref, force=True)
        self._running.clear()


class RayBackend:
    name = "ray"
    ordered = False

    def __init__(self, address: str | None = None) -> None:
        self._started_here = not ray.is_initialized()
        if self._started_here:
            # Workers' output would garble the progress bar; evaluation errors are in run.db.
            ray.init(address=address, include_dashboard=False, logging_level="warning",
                     configure_logging=False, log_to_driver=False)
        self._actor_cls = ray.remote(num_cpus=0)(Island)
        self._actors: list[Any] = []

    def island(self, **kwargs: Any) -> RayIsland:
        actor = self._actor_cls.remote(**kwargs)
        self._actors.append(actor)
        return RayIsland(actor)

    def executor(self, evaluator: Any, objectives: Sequence[Any], slots: int,
                 timeout: float) -> RayExecutor:
        return RayExecutor(evaluator, objectives, slots, timeout)

    def close(self) -> None:
        for actor in self._actors:
            ray.kill(actor)
        self._actors.clear()
        if self._started_here:
            ray.shutdown()
