"""RouterArena's figures of a routing decision: accuracy, cost, arena score and optimality.

All of them are computed from one (n,) vector of chosen model indices and the (n, M) tables of
per-query scores and costs, with NumPy, so scoring a router is as cheap as routing it.

Arena score (β = 0.1), c = cost in USD per 1K queries clamped to [0.0044, 200]:
    C = (log2 200 - log2 c) / (log2 200 - log2 0.0044);  S = (1 + β)·A·C / (β·A + C)

Optimality, against the oracle that sends each query to the cheapest model that answers it
correctly (and, where none does, to the cheapest model):
    opt_sel  share of the queries some model answers on which the router picked that model
    opt_cost oracle cost / router cost, over the queries the router answered correctly (<= 1)
    opt_acc  router accuracy / oracle accuracy
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from models.router import COST_MAX, COST_MIN

BETA = 0.1
#: a query counts as answered correctly when its score reaches this (scores are mostly 0/1)
CORRECT = 0.5


def cheapest_correct(scores: np.ndarray, costs: np.ndarray) -> np.ndarray:
    """(n,) index of the cheapest model that is correct on each query, -1 where none is."""
    correct = scores >= CORRECT
    masked = np.where(correct, costs, np.inf)
    choice = np.argmin(masked, axis=1)
    return np.where(correct.any(axis=1), choice, -1)


def oracle_choice(scores: np.ndarray, costs: np.ndarray) -> np.ndarray:
    """RouterArena's oracle: the cheapest correct model, else the cheapest model."""
    best = cheapest_correct(scores, costs)
    return np.where(best >= 0, best, np.argmin(costs, axis=1))


def arena_score(accuracy: float, cost_per_1k: float, beta: float = BETA) -> float:
    c = min(max(float(cost_per_1k), COST_MIN), COST_MAX)
    cs = (math.log2(COST_MAX) - math.log2(c)) / (math.log2(COST_MAX) - math.log2(COST_MIN))
    if beta * accuracy + cs == 0:
        return 0.0
    return (1 + beta) * accuracy * cs / (beta * accuracy + cs)


def headline(choice: np.ndarray, scores: np.ndarray, costs: np.ndarray) -> dict[str, float]:
    """accuracy, cost_per_1k and arena_score of these choices."""
    rows = np.arange(len(choice))
    acc = float(scores[rows, choice].mean()) if len(choice) else 0.0
    cost = float(costs[rows, choice].mean() * 1000) if len(choice) else 0.0
    return {"accuracy": acc, "cost_per_1k": cost, "arena_score": arena_score(acc, cost)}


def routing_metrics(
    choice: np.ndarray,
    scores: np.ndarray,
    costs: np.ndarray,
    families: np.ndarray,
    family_names: Sequence[str],
    models: Sequence[str],
) -> dict[str, float]:
    """Every figure of one set of choices; `families` indexes `family_names`."""
    choice = np.asarray(choice, dtype=np.int64)
    rows = np.arange(len(choice))
    out = headline(choice, scores, costs)
    got = scores[rows, choice]
    paid = costs[rows, choice]
    best = cheapest_correct(scores, costs)
    answerable = best >= 0
    out["opt_sel"] = float((choice[answerable] == best[answerable]).mean()) \
        if answerable.any() else 0.0
    oracle = oracle_choice(scores, costs)
    right = got >= CORRECT
    router_cost = paid[right].sum()
    out["opt_cost"] = float(costs[rows, oracle][right].sum() / router_cost) \
        if router_cost > 0 else 1.0
    oracle_acc = scores[rows, oracle].mean()
    out["opt_acc"] = float(out["accuracy"] / oracle_acc) if oracle_acc > 0 else 0.0
    shares = np.bincount(choice, minlength=len(models)) / max(len(choice), 1)
    for name, share in zip(models, shares, strict=True):
        out[f"share.{name}"] = float(share)
    counts = np.bincount(families, minlength=len(family_names))
    sums = np.bincount(families, weights=got, minlength=len(family_names))
    for f, name in enumerate(family_names):
        if counts[f]:
            out[f"acc.{name}"] = float(sums[f] / counts[f])
    return out
