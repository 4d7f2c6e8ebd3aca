"""Fitting a prototype router from a recipe on labelled queries.

A recipe (what the `router` target evolves) says how many prototypes each model gets, how
its k-means is initialised, and the routing knobs (k, temperature, multipliers, cost weight,
prior). Fitting places the prototypes: k-means of the embeddings of the queries on which that
model is the cheapest correct one (Chayan's labelling). Because the prototypes are fitted from
the data they are given, the same recipe can be fitted on the training part of each
cross-validation fold and scored on the held-out part: the score then measures how the recipe
generalises, not how well a set of vectors memorised the queries that selected them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from models.router import PrototypeRouter, cost_scale
from models.router_metrics import arena_score, cheapest_correct


@dataclass
class RouterRecipe:
    """How to build a router. `default` "auto" means the best single model on the fit data."""

    prototypes: dict[str, int]
    init: dict[str, int] = field(default_factory=dict)
    multipliers: dict[str, float] = field(default_factory=dict)
    k: int = 5
    temperature: float = 0.1
    cost_weight: float = 0.0
    prior: float = 0.0
    default: str = "auto"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RouterRecipe:
        return cls(**d)


def kmeans(x: np.ndarray, n: int, rng: np.random.Generator, iters: int = 15) -> np.ndarray:
    """Lloyd's k-means with k-means++ seeding; (n, d) centroids, n <= len(x)."""
    n = min(n, len(x))
    x = np.asarray(x, dtype=np.float32)
    if n <= 0:
        return np.zeros((0, x.shape[1]), dtype=np.float32)
    x2 = (x * x).sum(1)
    first = int(rng.integers(len(x)))
    chosen = [first]
    d2 = np.maximum(x2 + x2[first] - 2.0 * x @ x[first], 0.0)
    for _ in range(1, n):
        total = float(d2.sum())
        p = d2.astype(np.float64)
        i = int(rng.choice(len(x), p=p / p.sum())) if total > 0 else int(rng.integers(len(x)))
        chosen.append(i)
        d2 = np.minimum(d2, np.maximum(x2 + x2[i] - 2.0 * x @ x[i], 0.0))
    c = x[chosen].copy()
    assign = np.full(len(x), -1)
    for _ in range(iters):
        new_assign = (x2[:, None] + (c * c).sum(1)[None, :] - 2.0 * x @ c.T).argmin(1)
        if np.array_equal(new_assign, assign):
            break
        assign = new_assign
        onehot = np.zeros((len(x), n), dtype=np.float32)
        onehot[np.arange(len(x)), assign] = 1.0
        counts = onehot.sum(0)
        filled = counts > 0  # an empty cluster keeps its centre
        c[filled] = (onehot.T @ x)[filled] / counts[filled, None]
    return c.astype(np.float32)


def best_single(scores: np.ndarray, costs: np.ndarray) -> int:
    """The model with the highest arena score on these queries (ties: the cheaper)."""
    acc = scores.mean(0)
    cost = costs.mean(0) * 1000
    values = [arena_score(a, c) for a, c in zip(acc, cost, strict=True)]
    return int(max(range(len(values)), key=lambda i: (values[i], -cost[i])))


def fit_router(
    recipe: RouterRecipe,
    models: list[str],
    x: np.ndarray,
    scores: np.ndarray,
    costs: np.ndarray,
    embedder: str,
    info: dict[str, Any] | None = None,
) -> PrototypeRouter:
    """Place the recipe's prototypes on these queries; (n, d) embeddings, (n, M) outcomes."""
    labels = cheapest_correct(scores, costs)
    protos: list[np.ndarray] = []
    owners: list[int] = []
    for m, name in enumerate(models):
        count = int(recipe.prototypes.get(name, 0))
        members = x[labels == m]
        if count <= 0 or not len(members):
            continue
        rng = np.random.default_rng([int(recipe.init.get(name, 0)), m])
        centres = kmeans(members, count, rng)
        protos.append(centres)
        owners.extend([m] * len(centres))
    prototypes = np.concatenate(protos) if protos else np.zeros((0, x.shape[1]), np.float32)
    default = best_single(scores, costs) if recipe.default == "auto" else \
        models.index(recipe.default)
    return PrototypeRouter(
        models=list(models), prototypes=prototypes, owners=np.array(owners, dtype=np.int64),
        multipliers=np.array([float(recipe.multipliers.get(n, 1.0)) for n in models]),
        expected_cost=cost_scale(costs.mean(0) * 1000),
        k=recipe.k, temperature=recipe.temperature, cost_weight=recipe.cost_weight,
        prior=recipe.prior, default=default, embedder=embedder,
        info={"recipe": recipe.to_dict(), **(info or {})},
    )


def cross_fit_predict(
    recipe: RouterRecipe,
    models: list[str],
    x: np.ndarray,
    scores: np.ndarray,
    costs: np.ndarray,
    fold: np.ndarray,
    embedder: str,
) -> np.ndarray:
    """Out-of-fold choices: each fold routed by the recipe fitted on the other folds."""
    out = np.empty(len(x), dtype=np.int64)
    for f in np.unique(fold):
        held = fold == f
        router = fit_router(recipe, models, x[~held], scores[~held], costs[~held], embedder)
        out[held] = router.predict(x[held])
    return out
