"""The router target: genomes, variation, descriptors and configuration."""

from __future__ import annotations

import numpy as np
import pytest

from evaluators.routerarena.synthetic import MODELS
from evolver.config import ConfigError, RunConfig
from evolver.registry import make_target
from evolver.targets.base import Deployable, InvalidGenome, Target
from evolver.targets.router import RouterTarget


@pytest.fixture
def target() -> RouterTarget:
    return make_target(RunConfig(target="router"))  # type: ignore[return-value]


def test_the_synthetic_default_names_four_models_and_the_hooks_are_there(
        target: RouterTarget) -> None:
    assert target.models == MODELS
    assert isinstance(target, Target) and isinstance(target, Deployable)
    assert target.default_objectives == ("arena_score:max",)
    assert target.default_evaluator == "routerarena"


def test_variation_keeps_genomes_valid_and_moves_them(target: RouterTarget) -> None:
    rng = np.random.default_rng(0)
    genomes = [target.random_genome(rng) for _ in range(20)] + target.seed_genomes()
    seen = set()
    for _ in range(300):
        a, b = genomes[rng.integers(len(genomes))], genomes[rng.integers(len(genomes))]
        child = target.mutate(target.crossover(a, b, rng), rng)
        assert target.validate(child) == child
        d = target.descriptors(child)
        assert len(d) == 2 and all(0.0 <= v <= 1.0 for v in d)
        seen.add(target.key(child))
        genomes.append(child)
    assert len(seen) > 250
    counts = {sum(g["prototypes"].values()) for g in genomes}
    inits = {g["init"][MODELS[0]] for g in genomes}
    assert len(counts) > 10 and len(inits) > 5  # prototypes are added, removed and moved


def test_mutation_is_reproducible_from_the_rng(target: RouterTarget) -> None:
    g = target.unevolved()
    a = [target.mutate(g, np.random.default_rng(5)) for _ in range(2)]
    assert a[0] == a[1] and a[0] != g


def test_seeds_and_baselines(target: RouterTarget) -> None:
    unevolved, leaning = target.seed_genomes()
    assert set(unevolved["prototypes"].values()) == {4} and unevolved["prior"] == 0.0
    assert leaning["prior"] > 0
    base = target.baselines()
    assert base["unevolved"] == unevolved
    assert sum(base["best_single"]["prototypes"].values()) == 0 and base["best_single"]["prior"] > 0


@pytest.mark.parametrize(("change", "message"), [
    (lambda g: g.update(k=0), "k: 0; allowed: 1 to 32"),
    (lambda g: g.update(temperature=float("nan")), "temperature: nan; expected a number"),
    (lambda g: g["prototypes"].update({"synthetic-max": 2.5}), r"prototypes\[synthetic-max\]"),
    (lambda g: g["multipliers"].pop("synthetic-nano"), "multipliers: needs one entry per model"),
    (lambda g: g.update(default="gpt-9"), "default: 'gpt-9'; allowed: auto"),
    (lambda g: g.pop("prior"), "router recipe fields"),
])
def test_invalid_genomes_are_named(target: RouterTarget, change, message: str) -> None:  # noqa: ANN001
    g = target.unevolved()
    change(g)
    with pytest.raises(InvalidGenome, match=message):
        target.validate(g)


def test_options_and_models_from_config(tmp_path) -> None:  # noqa: ANN001
    from evaluators.routerarena.synthetic import generate, write_dir

    folder = write_dir(generate(seed=1, n=20), tmp_path / "d")
    t = make_target(RunConfig(target="router", evaluator_options={"data": str(folder)},
                              target_options={"max_prototypes": 6}))
    assert t.models == tuple(sorted(MODELS)) and t.max_prototypes == 6
    with pytest.raises(ConfigError, match="unknown 'protos' for target router; allowed"):
        make_target(RunConfig(target="router", target_options={"protos": 3}))
    with pytest.raises(ConfigError, match="is not a directory"):
        make_target(RunConfig(target="router", evaluator_options={"data": str(tmp_path / "x")}))
    with pytest.raises(ConfigError, match="two or more distinct models"):
        make_target(RunConfig(target="router", target_options={"models": ["one"]}))


def test_the_search_box_round_trips_genomes(target: RouterTarget) -> None:
    from evolver.targets.base import Searchable

    assert isinstance(target, Searchable)
    box = target.search_space()
    rng = np.random.default_rng(4)
    for _ in range(50):
        params = {n: float(rng.uniform(lo, hi)) for n, (lo, hi) in box.items()}
        genome = target.from_params(params)
        assert target.validate(genome) == genome
        again = target.from_params(target.to_params(genome))
        assert again["prototypes"] == genome["prototypes"] and again["k"] == genome["k"]
        assert again["temperature"] == pytest.approx(genome["temperature"], rel=1e-3)
        f = target.features(genome)
        assert len(f) == len(box) and all(0.0 <= v <= 1.0 for v in f)
