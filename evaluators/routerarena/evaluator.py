"""The `routerarena` evaluator: a router recipe scored the RouterArena way, honestly split.

Split "search" (what the engine searches on) sees only train + validation, and scores a
recipe by cross-validation: over `folds` stratified folds, the router is fitted on the other
folds and routes the held-out one; every figure comes from these out-of-fold choices. Split
"report" fits the router on all of train + validation and scores the held-out test split,
which the search never saw. Baselines are measured on the same queries in the same way and
returned as `baseline.<name>.<figure>` metrics, so every evaluation carries its own reference.

State (the data, its embeddings, the splits) is built on first use; the embedding model is
never held (its vectors come from the on-disk cache). Once built, the state travels with the
evaluator when it is pickled (about 1.5 MB for 809 queries, 0.3 ms to unpickle), because a
Ray task unpickles the evaluator for every evaluation and rebuilding the state there would
cost 80-140 ms against about 20 ms for the evaluation itself.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from threadpoolctl import threadpool_limits

from evaluators.routerarena import splits
from evaluators.routerarena.baselines import baseline_metrics, flatten, unevolved
from evaluators.routerarena.data import DataError, RouterData, load_data
from evolver.types import Candidate, EvalContext, Objective
from models.embedder import DEFAULT_MODEL, Embedder
from models.router import PrototypeRouter
from models.router_fit import RouterRecipe, best_single, cross_fit_predict, fit_router
from models.router_metrics import headline, routing_metrics

if TYPE_CHECKING:
    from evolver.config import RunConfig

OPTIONS = ("data", "seed", "queries", "test_share", "folds", "split_seed", "embedder",
           "objectives")


@dataclass
class _State:
    data: RouterData
    x: np.ndarray                  # (n, d) embeddings
    family: np.ndarray             # (n,) index into family_names
    family_names: list[str]
    search: np.ndarray             # indices of train + validation
    test: np.ndarray               # indices of the held-out test split
    fold: np.ndarray               # (len(search),) fold of each search query
    baselines: dict[tuple[str, int], dict[str, float]] = field(default_factory=dict)


class RouterArenaEvaluator:
    resources = {"num_cpus": 1}
    fidelities = (None,)

    def __init__(
        self,
        data: str | None = None,
        seed: int = 0,
        queries: int = 809,
        test_share: float = 0.25,
        folds: int = 5,
        split_seed: int = 0,
        embedder: str = DEFAULT_MODEL,
        objectives: list[str] | tuple[str, ...] = (),
    ) -> None:
        self.data = None if data is None else str(data)
        self.seed = int(seed)
        self.queries = int(queries)
        self.test_share = float(test_share)
        self.folds = int(folds)
        self.split_seed = int(split_seed)
        self.embedder = embedder
        #: empty: the engine uses the target's defaults (arena_score:max for `router`)
        self.objectives = tuple(Objective.parse(o) for o in objectives)
        self._state: _State | None = None

    @classmethod
    def from_config(cls, config: RunConfig) -> RouterArenaEvaluator:
        """Build and load the data now, so bad data stops the run before any work starts."""
        from evolver.config import ConfigError, check_options

        options = dict(config.evaluator_options)
        check_options(options, OPTIONS, "evaluator_options", "evaluator routerarena")
        try:
            evaluator = cls(**options)
            data = evaluator.prepare().data
        except (DataError, ValueError, TypeError) as exc:
            raise ConfigError(str(exc)) from None
        if data.synthetic:  # said plainly: these are not measured results
            logging.getLogger(__name__).warning(
                "routerarena: no data given (--data DIR); scoring on %s, not on measured "
                "model results", data.source)
        return evaluator

    # --- state --------------------------------------------------------------------------
    def describe_data(self) -> str:
        data = self.prepare().data
        return data.source if data.synthetic else f"RouterArena data from {data.source}"

    def prepare(self) -> _State:
        if self._state is not None:
            return self._state
        data = load_data(self.data, seed=self.seed, queries=self.queries)
        x = Embedder(self.embedder).embed(data.questions)
        names = sorted(set(data.families))
        family = np.array([names.index(f) for f in data.families], dtype=np.int64)
        held_out = splits.holdout_mask(data.families, self.test_share, self.split_seed)
        search = np.flatnonzero(~held_out)
        fold = splits.folds([data.families[i] for i in search], self.folds, self.split_seed)
        self._state = _State(data=data, x=x, family=family, family_names=names,
                             search=search, test=np.flatnonzero(held_out), fold=fold)
        return self._state

    # --- fitting and routing ------------------------------------------------------------
    def _fit(self, recipe: RouterRecipe, idx: np.ndarray, info: dict[str, Any] | None = None
             ) -> PrototypeRouter:
        s = self.prepare()
        return fit_router(recipe, s.data.models, s.x[idx], s.data.scores[idx],
                          s.data.costs[idx], self.embedder, info)

    def cross_fit(self, recipe: RouterRecipe) -> np.ndarray:
        """Out-of-fold choices for every search query (order of `state.search`)."""
        s = self.prepare()
        idx = s.search
        return cross_fit_predict(recipe, s.data.models, s.x[idx], s.data.scores[idx],
                                 s.data.costs[idx], s.fold, self.embedder)

    def fit(self, genome: dict[str, Any]) -> PrototypeRouter:
        """The deployable router: the recipe fitted on all of train + validation."""
        s = self.prepare()
        return self._fit(RouterRecipe.from_dict(genome), s.search, info={
            "data": s.data.source, "fitted_on": f"train+validation ({len(s.search)} queries, "
            f"test_share {self.test_share}, split_seed {self.split_seed})"})

    # --- evaluation ---------------------------------------------------------------------
    def evaluate(self, candidate: Candidate, context: EvalContext) -> dict[str, Any]:
        # One evaluation holds one core (`resources`): a multi-threaded BLAS on these small
        # matrices only fights the other workers (measured 12x slower on a busy 2-core box).
        with threadpool_limits(1, user_api="blas"):
            return self._evaluate(candidate, context)

    def _evaluate(self, candidate: Candidate, context: EvalContext) -> dict[str, Any]:
        s = self.prepare()
        recipe = RouterRecipe.from_dict(candidate.genome)
        if context.split == "search":
            idx, choice = s.search, self.cross_fit(recipe)
            folds = [headline(choice[s.fold == f], s.data.scores[idx[s.fold == f]],
                              s.data.costs[idx[s.fold == f]])["arena_score"]
                     for f in range(self.folds)]
            where = (f"search: {self.folds}-fold cross-validation over train+validation "
                     f"({len(idx)} queries), out-of-fold choices")
        else:
            idx = s.test
            choice = self._fit(recipe, s.search).predict(s.x[idx])
            folds = []
            where = f"report: held-out test split ({len(idx)} queries), fitted on train+validation"
        metrics: dict[str, Any] = routing_metrics(
            choice, s.data.scores[idx], s.data.costs[idx], s.family[idx], s.family_names,
            s.data.models)
        if folds:
            metrics["arena_score.fold_std"] = float(np.std(folds))
        metrics["n_queries"] = len(idx)
        metrics.update(self._baselines(context.split, context.seed))
        metrics["split_detail"] = where
        metrics["data"] = self.describe_data()
        return metrics

    def _baselines(self, split: str, seed: int) -> dict[str, float]:
        """Baseline figures on the split's queries, fitted as candidates are (cached)."""
        s = self.prepare()
        key = (split, seed)
        if key not in s.baselines:
            models, scores, costs = s.data.models, s.data.scores, s.data.costs
            if split == "search":
                idx = s.search
                single = np.empty(len(idx), dtype=np.int64)
                for f in range(self.folds):
                    fit = idx[s.fold != f]
                    single[s.fold == f] = best_single(scores[fit], costs[fit])
                plain = self.cross_fit(unevolved(models))
            else:
                idx = s.test
                single = np.full(len(idx), best_single(scores[s.search], costs[s.search]))
                plain = self._fit(unevolved(models), s.search).predict(s.x[idx])
            s.baselines[key] = flatten(baseline_metrics(
                models, scores[idx], costs[idx], seed, single, plain))
        return s.baselines[key]

    # --- scoring an exported router on any data -----------------------------------------
    def score(self, router: PrototypeRouter) -> dict[str, Any]:
        """Every figure of a fitted router on all queries of this evaluator's data."""
        s = self.prepare()
        with threadpool_limits(1, user_api="blas"):
            return self._score(router, s)

    def _score(self, router: PrototypeRouter, s: _State) -> dict[str, Any]:
        data = s.data
        missing = [m for m in router.models if m not in data.models]
        if missing:
            raise DataError(f"data {data.source}: no results for model {missing[0]!r}, which "
                            f"the router routes to; the data has {data.models}")
        x = s.x if router.embedder == self.embedder else \
            Embedder(router.embedder).embed(data.questions)
        columns = np.array([data.models.index(m) for m in router.models])
        choice = columns[router.predict(x)]
        out: dict[str, Any] = {"data": self.describe_data(),
                               "split": f"all {len(data)} queries"}
        out.update(routing_metrics(choice, data.scores, data.costs, s.family, s.family_names,
                                   data.models))
        fold = splits.folds(data.families, self.folds, self.split_seed)
        plain = cross_fit_predict(unevolved(data.models), data.models, s.x, data.scores,
                                  data.costs, fold, self.embedder)
        single = np.full(len(data), best_single(data.scores, data.costs))
        out["baselines"] = baseline_metrics(data.models, data.scores, data.costs, 0, single,
                                            plain)
        out["baselines_note"] = (
            "best_single is chosen on these queries; unevolved is cross-fitted over "
            f"{self.folds} folds of them; random uses seed 0")
        return out


__all__ = ["RouterArenaEvaluator"]
