"""Reference routers measured on the same queries as the candidate, in the same run.

Each baseline is a vector of choices over the scored queries, so it goes through the same
`headline` figures as the router: each single model, the best single model (chosen on the
data the router was fitted on, never on the scored queries), random routing (seeded by the
evaluation's seed, common to every candidate), the unevolved Chayan-style prototype router
(fitted the same way as the candidate) and the cheapest-correct oracle.
"""

from __future__ import annotations

import numpy as np

from models.router_fit import RouterRecipe
from models.router_metrics import headline, oracle_choice


def unevolved(models: list[str], per_model: int = 4) -> RouterRecipe:
    """The hand-set Chayan-style router: 4 prototypes a model, plain kNN, no cost, no prior."""
    return RouterRecipe(
        prototypes=dict.fromkeys(models, per_model), init=dict.fromkeys(models, 0),
        multipliers=dict.fromkeys(models, 1.0), k=5, temperature=0.1, cost_weight=0.0,
        prior=0.0,
    )


def baseline_metrics(
    models: list[str],
    scores: np.ndarray,
    costs: np.ndarray,
    seed: int,
    best_single: np.ndarray,
    unevolved_choice: np.ndarray,
) -> dict[str, dict[str, float]]:
    """name -> {accuracy, cost_per_1k, arena_score} on these (n, M) queries.

    `best_single` is the (n,) choice of the best single model as judged on the fitting data;
    `unevolved_choice` the unevolved router's (n,) choices, fitted as the candidate was.
    """
    n = len(scores)
    out: dict[str, dict[str, float]] = {}
    for m, name in enumerate(models):
        out[name] = headline(np.full(n, m), scores, costs)
    out["best_single"] = headline(best_single, scores, costs)
    rng = np.random.default_rng([seed, 5])
    out["random"] = headline(rng.integers(len(models), size=n), scores, costs)
    out["unevolved"] = headline(unevolved_choice, scores, costs)
    out["oracle"] = headline(oracle_choice(scores, costs), scores, costs)
    return out


def flatten(baselines: dict[str, dict[str, float]]) -> dict[str, float]:
    """`baseline.<name>.<figure>` metrics, as the run store keeps flat metrics."""
    return {f"baseline.{name}.{k}": v for name, figures in baselines.items()
            for k, v in figures.items()}
