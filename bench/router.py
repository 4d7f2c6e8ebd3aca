"""Router benchmark: vectorised scoring against per-query loops, and an evolved router's test score.

1. Scoring one candidate router on all queries (embeddings cached): route every query and
   compute accuracy, cost and arena score. Side by side in one run: the vectorised NumPy path
   (`PrototypeRouter.predict` + `headline`), a straightforward per-query Python loop (the
   reference; pure Python over lists), and a per-query NumPy loop. Goals: <= 5 ms per
   candidate for 809 queries, >= 100x the Python loop. The three must choose identically.
2. A short evolutionary run (local backend) per dataset, then the report split: the evolved
   router's arena score on the held-out test split beside the best single model, the
   unevolved prototype router, random routing and the oracle, all on the same test queries.

    python bench/router.py [--data DIR] [--budget 300] [--seeds 3] [--repeats 50]

Without --data it runs on the synthetic default (809 generated queries) and, when it exists,
on ../shared/data/routerarena-sub10 (608 real queries).
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evaluators.routerarena import RouterArenaEvaluator  # noqa: E402
from evaluators.routerarena.baselines import unevolved  # noqa: E402
from evaluators.shared_data import shared_data
from evolver import Engine, RunConfig, RunReader  # noqa: E402
from models.router import PrototypeRouter  # noqa: E402
from models.router_metrics import arena_score, headline  # noqa: E402

SUB10 = shared_data("routerarena-sub10")


def loop_python(router: PrototypeRouter, x: list[list[float]], scores: list[list[float]],
                costs: list[list[float]]) -> tuple[list[int], dict[str, float]]:
    """The reference: one query, one prototype, one coordinate at a time."""
    protos = router.prototypes.tolist()
    owners = router.owners.tolist()
    mult, exp_cost = router.multipliers.tolist(), router.expected_cost.tolist()
    k = min(router.k, len(protos))
    choices, acc, cost = [], 0.0, 0.0
    for i, q in enumerate(x):
        d = [sum((a - b) * (a - b) for a, b in zip(q, p, strict=True)) for p in protos]
        near = sorted(range(len(d)), key=lambda j: d[j])[:k]
        w = [math.exp(-(d[j] - d[near[0]]) / router.temperature) for j in near]
        total = sum(w)
        s = [0.0] * len(router.models)
        for j, wj in zip(near, w, strict=True):
            s[owners[j]] += wj / total
        s = [s[m] * mult[m] - router.cost_weight * exp_cost[m] +
             (router.prior if m == router.default else 0.0) for m in range(len(s))]
        c = max(range(len(s)), key=lambda m: (s[m], -m))
        choices.append(c)
        acc += scores[i][c]
        cost += costs[i][c]
    n = len(x)
    return choices, {"accuracy": acc / n, "cost_per_1k": cost / n * 1000,
                     "arena_score": arena_score(acc / n, cost / n * 1000)}


def loop_numpy(router: PrototypeRouter, x: np.ndarray, scores: np.ndarray,
               costs: np.ndarray) -> tuple[list[int], dict[str, float]]:
    """A per-query loop with NumPy inside: what a first vectorisation attempt looks like."""
    choices = [int(router.predict(q[None, :])[0]) for q in x]
    return choices, headline(np.array(choices), scores, costs)


def timed(fn, repeats: int) -> tuple[float, object]:  # noqa: ANN001
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def bench_scoring(evaluator: RouterArenaEvaluator, repeats: int) -> list[str]:
    s = evaluator.prepare()
    data = s.data
    router = evaluator.fit(unevolved(data.models, per_model=8).to_dict())
    x, scores, costs = s.x, data.scores, data.costs
    with threadpool_limits(1, user_api="blas"):
        vec_t, vec = timed(lambda: (router.predict(x), headline(router.predict(x), scores,
                                                                costs)), repeats)
        np_t, (np_choice, _) = timed(lambda: loop_numpy(router, x, scores, costs), 3)
    py_t, (py_choice, py_figs) = timed(lambda: loop_python(router, x.tolist(), scores.tolist(),
                                                           costs.tolist()), 1)
    assert list(vec[0]) == py_choice == np_choice, "the three routings disagree"
    assert abs(vec[1]["arena_score"] - py_figs["arena_score"]) < 1e-9
    n, p = len(x), len(router.prototypes)
    return [
        f"scoring one router ({p} prototypes, k={router.k}) on {n} queries of "
        f"{data.source} (embeddings cached, 1 BLAS thread):",
        f"  vectorised NumPy        {vec_t * 1e3:8.3f} ms   (median of {repeats})",
        f"  per-query NumPy loop    {np_t * 1e3:8.1f} ms   = {np_t / vec_t:6.0f}x slower",
        f"  per-query Python loop   {py_t * 1e3:8.1f} ms   = {py_t / vec_t:6.0f}x slower "
        "(the reference)",
        f"  same choices in all three: yes; arena score {vec[1]['arena_score']:.4f}",
    ]


def evolve_once(data: str | None, budget: int, seed: int) -> tuple[dict, dict, str, float]:
    """One short run; (report metrics of the best, its search evaluation, data, wall s)."""
    options = {} if data is None else {"data": data}
    with tempfile.TemporaryDirectory() as tmp:
        config = RunConfig(target="router", budget=budget, islands=2, population=12,
                           backend="local", workers=2, run_dir=str(Path(tmp) / "run"),
                           seed=seed, report_seeds=1, evaluator_options=options)
        start = time.perf_counter()
        result = Engine(config).run()
        wall = time.perf_counter() - start
        with RunReader(result.run_dir) as r:
            (ev,) = [e for e in r.evaluations_of(result.best.id) if e.split == "report"]
    return ev.metrics, result.best_evaluation.metrics, ev.artifacts["data"], wall


def bench_evolution(data: str | None, budget: int, seeds: list[int]) -> list[str]:
    runs = [evolve_once(data, budget, seed) for seed in seeds]
    m, search, source, _ = runs[0]
    lines = [f"evolved router on {source}: {budget} evaluations per run, run seeds {seeds}, "
             f"{sum(r[3] for r in runs):.0f} s wall in all",
             f"  search split: 5-fold CV over {search['n_queries']:.0f} train+validation "
             f"queries; report split: the held-out test split ({m['n_queries']:.0f} queries), "
             "router fitted on train+validation",
             f"  test split, run seed {seeds[0]}:",
             f"  {'router':<16} {'accuracy':>9} {'$/1K':>9} {'arena':>8}",
             f"  {'evolved (best)':<16} {m['accuracy']:9.4f} {m['cost_per_1k']:9.4f} "
             f"{m['arena_score']:8.4f}"]
    for name in ("best_single", "unevolved", "random", "oracle"):
        lines.append(f"  {name:<16} {m[f'baseline.{name}.accuracy']:9.4f} "
                     f"{m[f'baseline.{name}.cost_per_1k']:9.4f} "
                     f"{m[f'baseline.{name}.arena_score']:8.4f}")
    for label, key in (("best single", "best_single"), ("unevolved", "unevolved")):
        test = [r[0]["arena_score"] - r[0][f"baseline.{key}.arena_score"] for r in runs]
        cv = [r[1]["arena_score"] - r[1][f"baseline.{key}.arena_score"] for r in runs]
        lines.append(f"  evolved - {label}, arena score: test {statistics.fmean(test):+.4f} "
                     f"(per seed {', '.join(f'{g:+.4f}' for g in test)}); search CV "
                     f"{statistics.fmean(cv):+.4f}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="a RouterArena-format folder (default: synthetic, "
                                       "and sub10 when present)")
    parser.add_argument("--budget", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--seeds", type=int, default=3, help="evolution runs per dataset")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sources: list[str | None] = [args.data] if args.data else [None]
    if not args.data and SUB10.is_dir():
        sources.append(str(SUB10))
    lines = bench_scoring(RouterArenaEvaluator(data=sources[0]), args.repeats)
    for source in sources:
        lines += [""] + bench_evolution(source, args.budget, list(range(args.seeds)))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
