"""Ordering members by their objectives: one objective sorts, several use Pareto ranks.

Kept in one place so that selection, survival, archives and the engine's frontier agree.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from evolver.types import Objective
from islands.member import Member


def as_minimised(objectives: dict[str, float], specs: Sequence[Objective]) -> np.ndarray:
    """Objective values with every direction turned into minimisation."""
    return np.array(
        [objectives[o.name] if o.direction == "min" else -objectives[o.name] for o in specs]
    )


def dominates(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.all(a <= b) and np.any(a < b))


def pareto_ranks(points: np.ndarray) -> np.ndarray:
    """Non-dominated sorting: rank 0 is the front, rank 1 the front without rank 0, ..."""
    n = len(points)
    ranks = np.full(n, -1)
    remaining = np.arange(n)
    rank = 0
    while remaining.size:
        pts = points[remaining]
        le = np.all(pts[:, None, :] <= pts[None, :, :], axis=2)
        lt = np.any(pts[:, None, :] < pts[None, :, :], axis=2)
        dominated = np.any(le & lt, axis=0)  # column j dominated by some row i
        front = remaining[~dominated]
        ranks[front] = rank
        remaining = remaining[dominated]
        rank += 1
    return ranks


def crowding(points: np.ndarray) -> np.ndarray:
    """Crowding distance within one front: larger is more isolated (kept for diversity)."""
    n, m = points.shape
    dist = np.zeros(n)
    if n <= 2:
        return np.full(n, np.inf)
    for j in range(m):
        order = np.argsort(points[:, j], kind="stable")
        span = points[order[-1], j] - points[order[0], j]
        dist[order[0]] = dist[order[-1]] = np.inf
        if span > 0:
            dist[order[1:-1]] += (points[order[2:], j] - points[order[:-2], j]) / span
    return dist


def sort_members(members: Sequence[Member], specs: Sequence[Objective]) -> list[Member]:
    """Best first. Ties keep their order, so sorting is deterministic."""
    if not members:
        return []
    points = np.stack([as_minimised(m.objectives, specs) for m in members])
    if len(specs) == 1:
        order = np.argsort(points[:, 0], kind="stable")
        return [members[i] for i in order]
    ranks = pareto_ranks(points)
    keys = np.zeros(len(members))
    for r in np.unique(ranks):
        idx = np.where(ranks == r)[0]
        keys[idx] = -crowding(points[idx])
    order = np.lexsort((np.arange(len(members)), keys, ranks))
    return [members[i] for i in order]


def non_dominated(members: Sequence[Member], specs: Sequence[Objective]) -> list[Member]:
    if not members:
        return []
    points = np.stack([as_minimised(m.objectives, specs) for m in members])
    ranks = pareto_ranks(points)
    return [m for m, r in zip(members, ranks, strict=True) if r == 0]
