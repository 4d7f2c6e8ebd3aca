"""The `surrogate` strategy: its pick beats the inner strategy's, it records its rank
correlation, it resumes exactly, and bad options are clear errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from evolver import Engine, RunConfig, RunReader
from evolver.targets.mix import MixTarget
from evolver.types import Candidate, Evaluation, Objective
from islands.island import Island
from islands.strategies import make_strategy
from islands.strategies.surrogate import SurrogateStrategy
from tests import evalfns

DOMAINS = ("a", "b", "c", "d", "e", "f")
OPTIMUM = np.array([0.4, 0.25, 0.15, 0.1, 0.06, 0.04])


def known(genome: dict[str, float]) -> float:
    """A smooth mixture law with its optimum inside the simplex."""
    w = np.array([genome[d] for d in DOMAINS])
    return float(((w - OPTIMUM) ** 2).sum() + 0.1 * (w[0] - 0.4) ** 2)


def island(seed: int = 0, **options: object) -> Island:
    return Island(0, MixTarget(domains=DOMAINS, floor=0.0), (Objective("loss"),),
                  strategy="surrogate", strategy_options=options, seed=seed, population_size=10)


def drive(isl: Island, steps: int, start: int = 0) -> list[tuple[str, float]]:
    out = []
    for i in range(start, start + steps):
        (p,) = isl.propose(1)
        c = Candidate(f"c{i:04d}", "mix", isl.target.validate(p.genome), p.parent_ids, 0,
                      p.generation, p.operator)
        isl.tell([(c, Evaluation(c.id, objectives={"loss": known(c.genome)}))])
        out.append((p.operator, known(c.genome)))
    return out


def test_the_surrogates_pick_beats_the_inner_strategys_random_pick() -> None:
    isl = island(explore=0.0)
    drive(isl, 30)
    strategy = isl.strategy
    assert isinstance(strategy, SurrogateStrategy)
    rng = np.random.default_rng(1)
    picked, random_pick, wins = [], [], 0
    for _ in range(25):
        pool = [p.genome for p in strategy.inner.propose(isl, 32)]
        scores, _ = strategy.score(isl, pool)
        ours = known(pool[int(np.argmin(scores))])
        theirs = known(pool[int(rng.integers(len(pool)))])
        picked.append(ours)
        random_pick.append(theirs)
        wins += ours < theirs
    assert wins >= 17  # of 25; 24 with this seed, 17 to 24 over seeds 0-4
    assert np.mean(picked) < 0.6 * np.mean(random_pick)


def test_screened_search_beats_plain_variation_with_the_same_budget() -> None:
    plain = Island(0, MixTarget(domains=DOMAINS, floor=0.0), (Objective("loss"),), seed=0,
                   population_size=10)
    screened = island()
    best_plain = min(loss for _, loss in drive(plain, 50))
    best_screened = min(loss for _, loss in drive(screened, 50))
    assert best_screened < best_plain / 2


def test_rank_correlation_is_recorded_per_batch_and_saved_with_the_island(
        tmp_path: Path) -> None:
    config = RunConfig(target="mix", strategy="surrogate", budget=60, islands=1, population=8,
                       workers=1, seed=2, report_seeds=0, snapshot_interval=20,
                       strategy_options={"surrogate": {"batch": 6, "explore": 0.0}},
                       run_dir=str(tmp_path / "r"))
    result = Engine(config, evaluator=evalfns.quadratic).run()
    with RunReader(result.run_dir) as reader:
        state = reader.snapshots()[0][1]["strategy_state"]
        operators = {c.operator for c in reader.candidates()}
        events = [e["data"] for e in reader.events() if e["kind"] == "strategy_metric"]
    figures = state["rank_correlation"]
    # each figure reaches the event log once, where `evolve status` and the TUI read it
    assert [{k: v for k, v in e.items() if k != "metric"} for e in events] == figures
    assert len(figures) >= 4 and all(f["batch"] == 6 for f in figures)
    assert all(-1.0 <= f["spearman"] <= 1.0 for f in figures)
    assert np.mean([f["spearman"] for f in figures]) > 0.2  # the surrogate knows something
    assert any(op.startswith("surrogate(") for op in operators)


def test_restore_continues_exactly_like_the_uninterrupted_island() -> None:
    a = island(seed=3)
    drive(a, 25)
    b = island(seed=3)
    b.restore(a.snapshot())
    assert drive(a, 10, start=25) == drive(b, 10, start=25)


def test_wrapping_optuna_and_drawing_random_pools() -> None:
    isl = island(inner="optuna", inner_options={"sampler": "random"}, pool=8, pool_from="both",
                 acquisition="lcb", explore=0.3)
    history = drive(isl, 30)
    ops = {op for op, _ in history[10:]}
    assert "optuna:random" in ops and any(op.startswith("surrogate(") for op in ops)


def test_bad_options_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="acquisition: unknown 'pi'; allowed: ei, mean, lcb"):
        make_strategy("surrogate", acquisition="pi")
    with pytest.raises(ValueError, match="'surrogate' cannot wrap itself"):
        make_strategy("surrogate", inner="surrogate")
    with pytest.raises(ValueError, match="strategy: unknown 'annealing'; allowed: .*variation"):
        make_strategy("surrogate", inner="annealing")
    with pytest.raises(ValueError, match="pool: 0; allowed: an integer >= 1"):
        make_strategy("surrogate", pool=0)


def test_dirichlet_pools_are_drawn_around_the_prior() -> None:
    prior = {"a": 0.95, "b": 0.01, "c": 0.01, "d": 0.01, "e": 0.01, "f": 0.01}
    isl = island(pool_from="dirichlet", prior=prior, concentration=[50, 50], explore=0.0,
                 acquisition="std")
    drive(isl, 12)
    picks = isl.propose(6)
    assert {p.operator for p in picks} == {"surrogate(dirichlet)"}
    assert all(p.genome["a"] > 0.8 for p in picks)
    bad = island(pool_from="dirichlet", prior={"z": 1.0}, explore=0.0)
    with pytest.raises(ValueError, match="prior: unknown domain 'z'; allowed: a, b, c"):
        drive(bad, 12)
