"""Search strategies on real RegMix runs, side by side in one run.

    python bench/strategies.py [--seeds 10] [--budget 600] [--draws 200000]
                               [--tabular-seeds 5] [--strategies random,tpe,...]

1. Tabular mode on the 512 training runs (real losses, no law): the engine chooses 64 runs;
   a surrogate fitted on them ranks the 256 test mixtures' real Pile-CC losses (1M and 60M
   models). Beside it, the same surrogate and LightGBM (RegMix) fitted on 64 and 128 random
   runs. No test run is used for fitting or stopping.
2. The mixture law fitted on the 512 training runs (LightGBM, bagged) is the objective, with
   the evaluator's support penalty: no run gave a domain more than some share (RegMix's
   per-domain token limit), and a mixture above those caps pays for it, so the best lies
   where runs are. The best loss reachable comes from a large reference search (prior
   draws, then CMA-ES polishing on the law itself); for each strategy, run through the
   engine (local backend, 1 worker), the evaluations needed to come within 0.5% of it,
   median and spread over seeds. The last line is
   `ratio <best configuration's median evaluations / TPE's>`.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import cmaes
import lightgbm as lgb
import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from evaluators.mixture_law import MixtureLawEvaluator
from evaluators.mixture_law.regmix import DOMAINS, MIXTURE_PREFIX, PILE_CC, data_dir, regmix_options
from evolver import Engine, Event, RunConfig, RunReader
from islands.strategies.surrogate import SurrogateModel

WITHIN = 1.005  # "within 0.5% of the best loss reachable"
TPE = {"strategy": "optuna", "strategy_options": {"optuna": {"sampler": "tpe"}}}
#: name -> RunConfig fields; every island starts from `population` random mixtures
STRATEGIES: dict[str, dict[str, Any]] = {
    "random": {"strategy": "variation", "population": 10**6},  # every proposal a random draw
    "variation x2": {"strategy": "variation", "islands": 2},
    "tpe": TPE,
    "cmaes": {"strategy": "optuna", "strategy_options": {"optuna": {"sampler": "cmaes"}}},
    "surrogate": {"strategy": "surrogate"},
    "surrogate x2": {"strategy": "surrogate", "islands": 2},
    "surrogate+tpe": {"strategy": ["surrogate", "optuna"], "islands": 2,
                      "strategy_options": TPE["strategy_options"]},
}
#: the engine's choice of runs: a surrogate island that sends the mixture it is least sure
#: of, from pools drawn around the runs' mean shares (RegMix's prior; a user knows the
#: domains' token shares)
TABULAR = {"strategy": "surrogate", "population": 8, "strategy_options": {"surrogate": {
    "acquisition": "std", "pool_from": "dirichlet", "explore": 0.0, "pool": 32}}}


def engine_run(evaluator: MixtureLawEvaluator, fields: dict[str, Any], seed: int, budget: int,
               tmp: Path, goal: float | None = None) -> list[tuple[float, dict[str, float]]]:
    """One engine run, stopped at the goal if one is given; its search evaluations in order:
    (objective, metrics)."""
    config = RunConfig(**{
        "target": "mix", "domains": list(DOMAINS), "target_options": {"floor": 0.0},
        "budget": budget, "islands": 1, "population": 10, "workers": 1, "report_seeds": 0,
        "migration_interval": 10, "seed": seed, "run_dir": str(tmp / f"run{time.time_ns()}"),
        **fields})
    config.population = min(config.population, budget)

    engine = Engine(config, evaluator=evaluator)

    def stop_at_goal(event: Event) -> None:
        ev = event.evaluation
        if goal is not None and ev is not None and ev.objectives.get("loss", goal + 1) <= goal:
            engine.stop()

    engine.events.subscribe(stop_at_goal)
    engine.run()
    with RunReader(config.run_dir) as reader:
        return [(ev.objectives.get("loss", float("inf")), ev.metrics)
                for _, ev in reader.evaluations("search")]


def spread(values: list[float]) -> str:
    q = np.quantile(values, [0.0, 0.25, 0.75, 1.0])
    return f"IQR {q[1]:.0f}-{q[2]:.0f}, range {q[0]:.0f}-{q[3]:.0f}"


# --- 1. tabular mode ----------------------------------------------------------------------
def tabular(directory: Path, seeds: int, tmp: Path) -> None:
    cols = [MIXTURE_PREFIX + d for d in DOMAINS]
    test_w = pd.read_csv(directory / "test_mixture_1m.csv")[cols].to_numpy()
    real = {size: pd.read_csv(directory / f"test_pile_loss_{size}.csv")[PILE_CC].to_numpy()
            for size in ("1m", "60m")}
    ev = MixtureLawEvaluator(DOMAINS, mode="tabular", target=PILE_CC,
                             **{k: v for k, v in regmix_options(directory, report=None).items()
                                if k != "target"})
    w, y = ev.runs.mixtures, ev.runs.target

    def rho(fit: str, rows: np.ndarray) -> tuple[float, float]:
        if fit == "gp":
            model = SurrogateModel()
            model.fit(np.sqrt(w[rows]), y[rows])
            predicted = model.predict(np.sqrt(test_w))[0]
        else:  # RegMix's LightGBM settings
            model = lgb.LGBMRegressor(n_estimators=1000, learning_rate=0.01, verbosity=-1,
                                      num_threads=1, seed=0).fit(w[rows], y[rows])
            predicted = model.predict(test_w)
        return spearmanr(predicted, real["1m"])[0], spearmanr(predicted, real["60m"])[0]

    rows: dict[str, list[tuple[float, float]]] = {}
    distinct = []
    prior = dict(zip(DOMAINS, w.mean(axis=0).tolist(), strict=True))
    fields = {**TABULAR, "strategy_options": {"surrogate": {
        **TABULAR["strategy_options"]["surrogate"], "prior": prior}}}
    for seed in range(seeds):
        history = engine_run(ev, fields, seed, 64, tmp)
        chosen = np.array(list(dict.fromkeys(int(m["run"]) for _, m in history)))
        distinct.append(len(chosen))
        rng = np.random.default_rng(seed)
        r64, r128 = rng.permutation(len(y))[:64], rng.permutation(len(y))[:128]
        for name, fit, idx in (("engine 64 (GP)", "gp", chosen), ("random 64 (GP)", "gp", r64),
                               ("random 128 (GP)", "gp", r128),
                               ("random 64 (LightGBM)", "lgbm", r64),
                               ("random 128 (LightGBM)", "lgbm", r128)):
            rows.setdefault(name, []).append(rho(fit, idx))
    print(f"## tabular: Spearman on the 256 test runs' real Pile-CC loss, {seeds} seeds "
          f"(0..{seeds - 1}); the engine's 64 evaluations hit {statistics.median(distinct):.0f} "
          f"distinct runs (median; range {min(distinct)}-{max(distinct)})")
    print(f"{'fitted on':24} {'1M median':>10} {'1M min':>7} {'60M median':>11} {'60M min':>8}")
    for name, values in rows.items():
        a, b = np.array(values).T
        print(f"{name:24} {np.median(a):10.3f} {a.min():7.3f} {np.median(b):11.3f} "
              f"{b.min():8.3f}")


# --- 2. the law as objective --------------------------------------------------------------
def penalised(ev: MixtureLawEvaluator, w: np.ndarray) -> np.ndarray:
    """What the evaluator answers on the search split, for many mixtures at once."""
    return ev.predict(w)[0] + ev.penalty * ev.support.excess(w)


def reference(ev: MixtureLawEvaluator, draws: int, seed: int = 0
              ) -> tuple[float, np.ndarray, float]:
    """Best of `draws` mixtures from a RegMix-like prior (Dirichlet around the runs' mean
    shares, concentration log-uniform in 0.3..30), polished by CMA-ES on the law's logits;
    and the best draw (or run) before polishing (the issue's orientation used 1.005x that)."""
    rng = np.random.default_rng(seed)
    prior = np.maximum(ev.runs.mixtures.mean(axis=0), 1e-3)
    scale = np.exp(rng.uniform(np.log(0.3), np.log(30.0), draws))
    w = np.stack([rng.dirichlet(s * prior) for s in scale])
    w = np.vstack([w, ev.runs.mixtures])
    values = penalised(ev, w)
    best, best_w = float(values.min()), w[np.argmin(values)]
    best_draw = best
    for i in np.argsort(values)[:8]:
        x0 = np.log(np.maximum(w[i], 1e-4))
        es = cmaes.CMA(mean=np.clip(x0 - x0.mean(), -4, 4), sigma=0.5, seed=int(i),
                       bounds=np.array([[-4.0, 4.0]] * len(DOMAINS)), population_size=32)
        for _ in range(150):
            x = np.array([es.ask() for _ in range(es.population_size)])
            mix = np.exp(x - x.max(axis=1, keepdims=True))
            mix = np.round(mix / mix.sum(axis=1, keepdims=True), 4)  # as the mix target rounds
            y = penalised(ev, mix)
            es.tell(list(zip(x, y, strict=True)))
            if y.min() < best:
                best, best_w = float(y.min()), mix[np.argmin(y)]
    return best, best_w, best_draw


def law(directory: Path, seeds: int, budget: int, draws: int, names: list[str],
        tmp: Path) -> None:
    ev = MixtureLawEvaluator(DOMAINS, **regmix_options(directory))
    start = time.perf_counter()
    best, best_w, best_draw = reference(ev, draws)
    goal, loose = WITHIN * best, WITHIN * best_draw
    roots = np.sqrt(ev.runs.mixtures)
    near = np.linalg.norm(roots - np.sqrt(best_w), axis=1) / np.sqrt(2)
    pairwise = np.linalg.norm(roots[:, None] - roots[None], axis=2) / np.sqrt(2)
    np.fill_diagonal(pairwise, np.inf)
    shares = ", ".join(f"{d} {x:.3f}" for d, x in sorted(zip(DOMAINS, best_w, strict=True),
                                                         key=lambda t: -t[1]) if x >= 0.005)
    print("\n## the law fitted on the 512 training runs as objective (search split)")
    print(f"best loss reachable {best:.4f} (reference search: {draws} prior draws + CMA-ES "
          f"polish, {time.perf_counter() - start:.0f} s); goal <= {goal:.4f}")
    print(f"it lies at {shares}; above the caps by {ev.support.excess(best_w)[0]:.3f}; "
          f"Hellinger distance to the nearest run {near.min():.3f} (runs to their nearest "
          f"neighbour: median {np.median(pairwise.min(axis=1)):.3f}); the best run scores "
          f"{penalised(ev, ev.runs.mixtures).min():.4f} on the law")
    print(f"evaluations to reach the goal, {seeds} seeds (0..{seeds - 1}), budget {budget} "
          f"(a run that misses counts as {budget + 1}, so a median with misses is a lower "
          f"bound); after the bar: to the looser goal {loose:.4f} = 1.005 x the best of the prior "
          f"draws and the runs, {best_draw:.4f} (unpolished, like the issue's orientation):")
    medians = {}
    for name in names:
        start = time.perf_counter()
        needed, needed_loose = [], []
        for seed in range(seeds):
            history = engine_run(ev, STRATEGIES[name], seed, budget, tmp, goal)
            for bar, out in ((goal, needed), (loose, needed_loose)):
                out.append(next((i + 1 for i, (v, _) in enumerate(history) if v <= bar),
                                budget + 1))
        medians[name] = statistics.median(needed)
        missed = sum(n > budget for n in needed)
        print(f"  {name:14} median {medians[name]:6.1f}  {spread(needed)}  missed {missed}/"
              f"{seeds}  ({time.perf_counter() - start:.0f} s)  | looser goal: median "
              f"{statistics.median(needed_loose):.1f}, {spread(needed_loose)}", flush=True)
    best_name = min((n for n in medians if n != "tpe"), key=medians.__getitem__)
    print(f"best configuration: {best_name}")
    print(f"ratio {medians[best_name] / medians['tpe']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--budget", type=int, default=600)
    parser.add_argument("--draws", type=int, default=200_000)
    parser.add_argument("--tabular-seeds", type=int, default=5)
    parser.add_argument("--strategies", default=",".join(STRATEGIES))
    args = parser.parse_args()
    directory = data_dir()
    if directory is None:
        raise SystemExit("RegMix runs not found: set ARCHIPELAGO_DATA or put them in "
                         "../shared/data/regmix")
    names = args.strategies.split(",")
    unknown = [n for n in names if n not in STRATEGIES]
    if unknown or "tpe" not in names:
        raise SystemExit(f"--strategies: {unknown or 'tpe missing'}; allowed: "
                         f"{', '.join(STRATEGIES)} (tpe is the reference, always include it)")
    with tempfile.TemporaryDirectory() as d:
        if args.tabular_seeds:
            tabular(directory, args.tabular_seeds, Path(d))
        law(directory, args.seeds, args.budget, args.draws, names, Path(d))


if __name__ == "__main__":
    main()
