"""Reservoir sampling gives every item of a stream the same chance (a chi-square test)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import chisquare

from evaluators.pretrain.reservoir import reservoir_sample


def inclusion_counts(sampler, n: int, k: int, trials: int) -> np.ndarray:  # noqa: ANN001
    counts = np.zeros(n)
    for t in range(trials):
        rng = np.random.default_rng(t)
        for x in sampler(iter(range(n)), k, rng):
            counts[x] += 1
    return counts


def test_every_item_is_equally_likely_to_be_chosen() -> None:
    n, k, trials = 40, 5, 4000
    counts = inclusion_counts(reservoir_sample, n, k, trials)
    assert counts.sum() == k * trials
    # H0: each item is chosen k/n of the time; a biased sampler gives p ~ 0
    assert chisquare(counts).pvalue > 1e-3


def test_the_test_detects_a_biased_sampler() -> None:
    """The chi-square test above has power: a subtly biased reservoir fails it."""

    def biased(items, k, rng):  # noqa: ANN001, ANN202 - replaces with chance k/(i+2), not k/(i+1)
        out = []
        for i, x in enumerate(items):
            if i < k:
                out.append(x)
            elif rng.random() < k / (i + 2):
                out[int(rng.integers(k))] = x
        return out

    counts = inclusion_counts(biased, 40, 5, 4000)
    assert chisquare(counts).pvalue < 1e-3


def test_long_stream_is_sampled_uniformly_over_its_positions() -> None:
    """Algorithm L skips ahead; the skips must not favour any part of a long stream."""
    n, k, trials = 5000, 8, 600
    deciles = np.zeros(10)
    for t in range(trials):
        for x in reservoir_sample(range(n), k, np.random.default_rng(10_000 + t)):
            deciles[x * 10 // n] += 1
    assert chisquare(deciles).pvalue > 1e-3


def test_small_streams_limits_and_order() -> None:
    rng = np.random.default_rng(0)
    assert reservoir_sample(range(3), 5, rng) == [0, 1, 2]
    assert reservoir_sample(range(10), 0, rng) == []
    sample = reservoir_sample(range(1000), 10, rng, limit=50)
    assert len(sample) == 10 and max(sample) < 50
    assert sample == sorted(sample)  # stream order is kept
    with pytest.raises(ValueError, match="k: -1"):
        reservoir_sample(range(3), -1, rng)
