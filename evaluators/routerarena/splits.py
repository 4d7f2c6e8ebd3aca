"""Train / validation / test splits stratified by query family, and cross-validation folds.

Stratified by family so that every split holds every family in proportion, including the
small ones (a family of 3 queries must not land wholly in test). Queries are ordered by
family, shuffled inside each family, and dealt out in turn: a family's queries spread over
the groups like cards, and the groups stay equal in size overall.

The test split is held out: the search sees only train and validation. Validation is not
one fixed slice: the search cross-validates over `folds` stratified folds of train +
validation, each fold serving once as the validation set, so selection is not tuned to the
accidents of one validation split.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _deal(families: Sequence[str], groups: int, rng: np.random.Generator) -> np.ndarray:
    """Group 0..groups-1 per item: family order, shuffled within a family, dealt in turn."""
    keys = rng.random(len(families))
    order = sorted(range(len(families)), key=lambda i: (families[i], keys[i]))
    out = np.empty(len(families), dtype=np.int64)
    offset = int(rng.integers(groups))
    for rank, i in enumerate(order):
        out[i] = (rank + offset) % groups
    return out


def holdout_mask(families: Sequence[str], test_share: float, seed: int) -> np.ndarray:
    """(n,) bool: the held-out test split, about `test_share` of every family."""
    if not 0.0 < test_share < 1.0:
        raise ValueError(f"test_share: {test_share}; allowed: 0 < test_share < 1")
    rng = np.random.default_rng([seed, 7])
    keys = rng.random(len(families))
    order = sorted(range(len(families)), key=lambda i: (families[i], keys[i]))
    mask = np.zeros(len(families), dtype=bool)
    start = rng.random()
    for rank, i in enumerate(order):  # Bresenham: any share, spread evenly over the order
        mask[i] = int((rank + 1) * test_share + start) > int(rank * test_share + start)
    return mask


def folds(families: Sequence[str], k: int, seed: int) -> np.ndarray:
    """(n,) fold index in 0..k-1, stratified by family."""
    if k < 2:
        raise ValueError(f"folds: {k}; allowed: an integer >= 2")
    return _deal(families, k, np.random.default_rng([seed, 11]))
