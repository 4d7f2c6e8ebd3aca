"""The engine: a run from its config to its result, and resuming one.

It resolves the config (the evaluator's suggestions), builds target, evaluator, topology
and islands, opens the run store and the backend, runs the search loop (evolver/search.py:
steady state, so workers never wait for a generation) and the report, and always leaves the
run directory in a state that `evolve resume` can continue.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import networkx as nx

from evaluators.callable import CallableEvaluator
from evolver.config import ConfigError, RunConfig, check_options
from evolver.events import Event, EventBus, Observer
from evolver.registry import (
    default_evaluator_name,
    evaluator_defaults,
    make_evaluator,
    make_target,
)
from evolver.report import measure_report
from evolver.search import SearchLoop
from evolver.store import RunReader, RunStore
from evolver.types import Candidate, Evaluation, Objective
from islands.backends import Executor, IslandHandle, make_backend
from islands.strategies import make_strategy, strategy_class
from islands.topology import as_topology, make_topology


@dataclass
class RunResult:
    run_dir: Path
    best: Candidate | None
    best_evaluation: Evaluation | None
    frontier: list[Candidate]
    counts: dict[str, int]
    #: final figures on the report split: name -> objective -> {mean, std, n, seeds}
    report: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)


class Engine:
    """`Engine(config, evaluator=fn).run()`; `Engine.resume(run_dir).run()` continues a run."""

    def __init__(
        self,
        config: RunConfig,
        evaluator: Any = None,
        *,
        topology: nx.Graph | None = None,
        observers: Iterable[Observer] = (),
    ) -> None:
        config = config.with_defaults(
            evaluator_defaults(evaluator or default_evaluator_name(config), config))
        self.config = config
        self.target = make_target(config)
        self.evaluator = _as_evaluator(evaluator, config)
        specs = config.objectives or list(
            getattr(self.evaluator, "objectives", ()) or self.target.default_objectives
        )
        self.objectives = [Objective.parse(s) for s in specs]
        if isinstance(self.evaluator, CallableEvaluator) and not self.evaluator.objectives:
            self.evaluator.objectives = tuple(self.objectives)
        if topology is not None:
            try:
                self.topology = as_topology(topology, config.islands)
            except ValueError as exc:
                raise ConfigError(str(exc)) from None
        else:
            self.topology = make_topology(config.topology, config.islands, config.seed)
        _check_strategies(config)
        self.events = EventBus()
        for observer in observers:
            self.events.subscribe(observer)
        self._resuming = False
        self._stopping = False

    def stop(self) -> None:
        """Ask a running search to end early (from an observer, say, when a goal is met):
        no new proposals; evaluations in flight finish and are recorded; then the report."""
        self._stopping = True

    @property
    def stopping(self) -> bool:
        """True once `stop()` was asked: the search loop issues nothing new."""
        return self._stopping

    @classmethod
    def resume(cls, run_dir: str | Path, evaluator: Any = None, *, budget: int | None = None,
               **kwargs: Any) -> Engine:
        """Continue a run; `budget` raises (or keeps) the number of evaluations in all."""
        with RunReader(run_dir) as reader:
            data = reader.config_dict()
        data["run_dir"] = str(run_dir)
        if budget is not None:
            data["budget"] = budget
        engine = cls(RunConfig.from_dict(data, source=f"{run_dir}/config.toml"), evaluator,
                     **kwargs)
        engine._resuming = True
        return engine

    # --- the run ------------------------------------------------------------------------
    def run(self) -> RunResult:
        config = self.config
        run_dir = Path(config.run_dir or default_run_dir(config))
        if self._resuming:
            store = RunStore.open(run_dir)
            store.update_config(config)
        else:
            config = self.config = config.replace(run_dir=str(run_dir))
            store = RunStore.create(run_dir, config, [str(o) for o in self.objectives])
        backend = make_backend(config.backend, config.address)
        executor: Executor | None = None
        try:
            store.set_meta(status="running")
            store.heartbeat()
            islands = self._start_islands(backend, store)
            executor = backend.executor(self.evaluator, self.objectives, config.workers,
                                        config.timeout)
            self.record_event(store, Event("run_started", f"{config.target} run in {run_dir}",
                                    data={"resumed": self._resuming}))
            SearchLoop(self, store, islands, executor, backend.ordered).run()
            report = measure_report(self, store, executor)
            store.set_meta(status="finished", finished=str(time.time()),
                           stopped_early=str(int(self._stopping)))
            self.record_event(store, Event("run_finished", f"finished {run_dir}"))
        except BaseException:
            store.set_meta(status="interrupted")
            raise
        finally:
            if executor is not None:
                executor.close()
            backend.close()
        return self._result(store, report)

    def _start_islands(self, backend: Any, store: RunStore) -> list[IslandHandle]:
        config = self.config
        seeds = self.target.seed_genomes()
        snapshots = store.snapshots()
        islands = []
        for i in range(config.islands):
            island = backend.island(
                index=i, target=self.target, objectives=self.objectives,
                strategy=config.strategy_of(i),
                strategy_options=config.strategy_options.get(config.strategy_of(i), {}),
                seed=config.seed, population_size=config.population,
                seeds=seeds[i :: config.islands],
            )
            if i in snapshots:
                island.restore(snapshots[i][1])
            after = snapshots.get(i, (0, None))[0]
            replay = [(store.candidate(ev.candidate_id), ev)
                      for _, ev in store.evaluations("search", after_seq=after)
                      if ev.island == i and ev.fidelity == 0]
            if replay:
                island.tell(replay)
            islands.append(island)
        return islands

    def record_event(self, store: RunStore, event: Event) -> None:
        """Tell observers; every kind but `evaluation` (already in run.db) also goes to
        the events table, where `evolve status` and the TUI read it."""
        if event.kind != "evaluation":
            store.event(event.kind, event.message, event.island, **event.data)
        self.events.emit(event)

    def _result(self, store: RunStore, report: dict[str, Any]) -> RunResult:
        best = store.best(self.objectives)
        result = RunResult(
            run_dir=store.run_dir,
            best=best[0] if best else None,
            best_evaluation=best[1] if best else None,
            frontier=[c for c, _ in store.frontier(self.objectives)],
            counts=store.counts(),
            report=report,
        )
        store.close()
        return result


def _check_strategies(config: RunConfig) -> None:
    """Build each island's strategy once, so bad strategy options stop the run here."""
    for name in sorted({config.strategy_of(i) for i in range(config.islands)}):
        options = config.strategy_options.get(name, {})
        params = inspect.signature(strategy_class(name)).parameters.values()
        if not any(p.kind == p.VAR_KEYWORD for p in params):
            check_options(options, [p.name for p in params], f"strategy_options.{name}",
                          f"strategy {name}")
        try:
            make_strategy(name, **options)
        except (TypeError, ValueError) as exc:
            message = str(exc)
            raise ConfigError(message if message.startswith("strategy_options.")
                              else f"strategy_options.{name}: {message}") from None


def _as_evaluator(evaluator: Any, config: RunConfig) -> Any:
    if evaluator is None:
        return make_evaluator(default_evaluator_name(config), config)
    if hasattr(evaluator, "evaluate"):
        return evaluator
    if callable(evaluator):
        return CallableEvaluator(evaluator)
    raise ConfigError(f"evaluator: {evaluator!r} is neither an Evaluator nor a callable")


def default_run_dir(config: RunConfig) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("runs") / f"{config.target}-{stamp}-s{config.seed}"


__all__ = ["Engine", "RunResult"]
