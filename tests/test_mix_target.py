"""The mix target's variation keeps candidates valid mixtures."""

from __future__ import annotations

import numpy as np
import pytest

from evolver.targets.base import InvalidGenome
from evolver.targets.mix import MixTarget


@pytest.fixture
def target() -> MixTarget:
    return MixTarget(domains=("a", "b", "c", "d"), floor=0.02)


def test_variation_stays_on_the_simplex_above_the_floor(target: MixTarget) -> None:
    rng = np.random.default_rng(0)
    g = target.random_genome(rng)
    for _ in range(300):
        h = target.random_genome(rng)
        g = target.crossover(target.mutate(g, rng), h, rng)
        w = target.vector(g)
        assert abs(w.sum() - 1.0) < 1e-9
        assert w.min() >= 0.02 - 1e-4
        assert target.validate(g) is not None


def test_mutation_moves_and_is_reproducible(target: MixTarget) -> None:
    g = target.uniform()
    a = target.mutate(g, np.random.default_rng(5))
    b = target.mutate(g, np.random.default_rng(5))
    assert a == b and a != g


def test_descriptors_are_in_unit_range(target: MixTarget) -> None:
    assert target.descriptors(target.uniform())[0] == pytest.approx(1.0)
    one_hot_ish = target._to_genome(np.array([1.0, 0, 0, 0]))
    entropy, dominant = target.descriptors(one_hot_ish)
    assert entropy < 0.5 and dominant == 0.0


@pytest.mark.parametrize(
    ("genome", "message"),
    [
        ({"a": 1.0, "b": 0.0}, "missing"),
        ({"a": 0.5, "b": 0.5, "c": -0.1, "d": 0.1}, ">= 0"),
        ({"a": float("nan"), "b": 0.5, "c": 0.1, "d": 0.1}, "finite"),
        ({"a": 0.97, "b": 0.01, "c": 0.01, "d": 0.01}, "below the floor"),
        ([0.25] * 4, "dict"),
    ],
)
def test_invalid_mixtures_are_rejected_with_the_reason(
    target: MixTarget, genome: object, message: str
) -> None:
    with pytest.raises(InvalidGenome, match=message):
        target.validate(genome)


def test_validate_normalises(target: MixTarget) -> None:
    assert target.validate({"a": 2, "b": 1, "c": 1, "d": 0.5})["a"] == pytest.approx(2 / 4.5)
