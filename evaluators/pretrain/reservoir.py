"""Reservoir sampling: a uniform sample of fixed size from a stream of unknown length.

A hub corpus is streamed, not downloaded, and its length is often unknown up front. Taking
its first N documents would bias the sample towards whatever the publisher put first (one
crawl, one source); a reservoir gives every document the same chance, k/n, in one pass and
O(k) memory, which is how the 1B-token finePDFs / DCLM / FineWeb-Edu samples were made.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TypeVar

import numpy as np

T = TypeVar("T")


def reservoir_sample(items: Iterable[T], k: int, rng: np.random.Generator,
                     limit: int | None = None) -> list[T]:
    """A uniform sample of `k` items (all of them if fewer), in stream order.

    Algorithm L (Li 1994): after the reservoir fills, it draws how many items to skip rather
    than one random number per item, so a long stream costs O(k log(n/k)) draws. `limit`
    stops after that many items (a sample of the stream's prefix, for a bounded download).
    """
    if k < 0:
        raise ValueError(f"k: {k}; allowed: an integer >= 0")
    chosen: list[tuple[int, T]] = []
    w = 1.0
    next_index = -1
    for index, item in enumerate(items):
        if limit is not None and index >= limit:
            break
        if index < k:
            chosen.append((index, item))
            if index == k - 1:  # full: from now on, jump to the next replacement
                w = math.exp(math.log(1.0 - rng.random()) / k)
                next_index = index + _skip(w, rng) + 1
        elif index == next_index:
            chosen[int(rng.integers(k))] = (index, item)
            w *= math.exp(math.log(1.0 - rng.random()) / k)
            next_index = index + _skip(w, rng) + 1
    return [x for _, x in sorted(chosen, key=lambda p: p[0])]


def _skip(w: float, rng: np.random.Generator) -> int:
    """How many items to pass over before the next replacement (geometric in w)."""
    u = 1.0 - rng.random()  # in (0, 1]: log is finite
    if w >= 1.0:
        return 0
    return int(math.floor(math.log(u) / math.log1p(-w)))
