"""The `optuna` strategy: samplers through ask/tell, known trials, migration on real Ray, resume."""

from __future__ import annotations

from pathlib import Path

import pytest

from evolver import Engine, RunConfig, RunReader
from evolver.targets.mix import MixTarget
from evolver.types import Candidate, Evaluation, Objective
from islands.island import Island
from islands.strategies import make_strategy
from tests import evalfns

LOSS = (Objective("loss"),)


def quadratic(genome: dict[str, float]) -> float:
    return sum((genome[d] - evalfns.OPTIMUM[d]) ** 2 for d in evalfns.OPTIMUM)


def drive(island: Island, steps: int, start: int = 0) -> list[tuple[str, float]]:
    """Propose and tell one at a time, as the engine does with one worker."""
    out = []
    for i in range(start, start + steps):
        (p,) = island.propose(1)
        genome = island.target.validate(p.genome)
        c = Candidate(f"i{island.index}-{i:04d}", "mix", genome, p.parent_ids, island.index,
                      p.generation, p.operator)
        loss = quadratic(genome)
        island.tell([(c, Evaluation(c.id, objectives={"loss": loss}, island=island.index))])
        out.append((p.operator, loss))
    return out


def optuna_island(sampler: str, index: int = 0, seed: int = 3, **options: object) -> Island:
    return Island(index, MixTarget(), LOSS, strategy="optuna",
                  strategy_options={"sampler": sampler, **options}, seed=seed,
                  population_size=8)


@pytest.mark.parametrize("sampler", ["tpe", "cmaes"])
def test_sampler_improves_on_the_random_start(sampler: str) -> None:
    history = drive(optuna_island(sampler), 80)
    start = min(loss for _, loss in history[:8])
    assert {op for op, _ in history[8:]} == {f"optuna:{sampler}"}
    assert min(loss for _, loss in history[8:]) < start / 4


@pytest.mark.parametrize("sampler", ["gp", "nsga2", "random", "qmc"])
def test_other_samplers_propose_valid_mixtures(sampler: str) -> None:
    history = drive(optuna_island(sampler), 14)
    assert [op for op, _ in history[8:]] == [f"optuna:{sampler}"] * 6


def test_snapshot_and_restore_continue_exactly_like_the_uninterrupted_island() -> None:
    for sampler in ("tpe", "cmaes", "qmc"):
        a = optuna_island(sampler)
        drive(a, 30)
        b = optuna_island(sampler)
        b.restore(a.snapshot())
        assert drive(a, 15, start=30) == drive(b, 15, start=30), sampler


def test_trials_in_flight_at_the_snapshot_are_told_after_restore() -> None:
    a, b = optuna_island("tpe"), optuna_island("tpe")
    drive(a, 20)
    in_flight = a.propose(2)
    b.restore(a.snapshot())
    for isl in (a, b):
        results = []
        for i, p in enumerate(in_flight):
            c = Candidate(f"f{i}", "mix", p.genome, island=0, operator=p.operator)
            results.append((c, Evaluation(c.id, objectives={"loss": quadratic(p.genome)})))
        isl.tell(results)
    states = [t["state"] for t in b.strategy.state()["trials"]]
    assert states == ["COMPLETE"] * 22
    assert drive(a, 10, start=30) == drive(b, 10, start=30)


def test_immigrants_become_known_trials_and_join_the_cma_generation() -> None:
    cma = optuna_island("cmaes")
    other = Island(1, MixTarget(), LOSS, seed=4, population_size=8)
    drive(cma, 30)
    drive(other, 10)
    cma.immigrate(other.emigrants(2))
    trials = cma.strategy.state()["trials"]
    known = [t for t in trials if t["user_attrs"].get("candidate", "").startswith("i1-")]
    assert len(known) == 2
    assert all(t["state"] == "COMPLETE" and "cma:generation" in t["system_attrs"]
               for t in known)
    assert known[0]["values"] == [other.population[0].objectives["loss"]]


def test_several_objectives_use_nsga2_and_cmaes_refuses_them() -> None:
    objectives = (Objective("loss"), Objective("spread", "max"))
    island = Island(0, MixTarget(), objectives, strategy="optuna", seed=1, population_size=4)
    for i in range(8):
        (p,) = island.propose(1)
        c = Candidate(f"c{i}", "mix", p.genome, island=0, operator=p.operator)
        w = island.target.vector(p.genome)
        island.tell([(c, Evaluation(c.id, objectives={"loss": quadratic(p.genome),
                                                       "spread": float(w.max())}))])
    assert p.operator == "optuna:nsga2"
    bad = Island(0, MixTarget(), objectives, strategy="optuna",
                 strategy_options={"sampler": "cmaes"})
    with pytest.raises(ValueError, match="'cmaes' optimises one objective.*allowed here: tpe"):
        bad.strategy.propose(bad, 1)


def test_bad_options_name_the_field_and_the_allowed_values() -> None:
    with pytest.raises(ValueError, match="sampler: unknown 'tpee'; allowed: auto, tpe, cmaes"):
        make_strategy("optuna", sampler="tpee")
    with pytest.raises(ValueError, match="unknown 'n_startup' for sampler tpe; allowed: .*"
                                         "n_startup_trials"):
        make_strategy("optuna", sampler="tpe", n_startup=3)


def test_optuna_and_variation_islands_exchange_migrants_on_ray(
        ray_instance: None, tmp_path: Path) -> None:
    config = RunConfig(target="mix", backend="ray", strategy=["optuna", "variation"], islands=2,
                       budget=48, population=6, migration_interval=6, migrants=2, workers=2,
                       seed=5, report_seeds=0, snapshot_interval=8, run_dir=str(tmp_path / "r"))
    result = Engine(config, evaluator=evalfns.quadratic).run()
    assert result.counts["ok"] == 48
    with RunReader(result.run_dir) as reader:
        moves = [e for e in reader.events() if e["kind"] == "migration" and e["data"]["ids"]]
        snapshots = reader.snapshots()
        island_of = {c.id: c.island for c in reader.candidates()}
    assert {(e["island"], e["data"]["to"]) for e in moves} == {(0, 1), (1, 0)}
    trials = snapshots[0][1]["strategy_state"]["trials"]
    told = {t["user_attrs"].get("candidate") for t in trials if t["state"] == "COMPLETE"}
    from_variation = {i for e in moves if e["island"] == 1 for i in e["data"]["ids"]}
    assert from_variation and from_variation <= told  # the sampler knows the immigrants
    assert all(island_of[i] == 1 for i in from_variation)
    variation_population = {m["candidate"]["id"] for m in snapshots[1][1]["population"]}
    assert variation_population & {i for i, isl in island_of.items() if isl == 0}


def test_an_interrupted_cma_run_resumes_from_its_saved_study(tmp_path: Path) -> None:
    config = RunConfig(target="mix", strategy="optuna", islands=1, budget=30, population=6,
                       workers=2, seed=4, report_seeds=0, snapshot_interval=7,
                       strategy_options={"optuna": {"sampler": "cmaes"}},
                       run_dir=str(tmp_path / "r"))
    Engine(config, evaluator=evalfns.quadratic).run()
    cfg = tmp_path / "r" / "config.toml"
    cfg.write_text(cfg.read_text().replace("budget = 30", "budget = 45"))
    result = Engine.resume(tmp_path / "r", evaluator=evalfns.quadratic).run()
    assert result.counts["ok"] == 45
    with RunReader(result.run_dir) as reader:
        trials = reader.snapshots()[0][1]["strategy_state"]["trials"]
    assert len(trials) >= 45 and any("cma:optimizer:0" in t["system_attrs"] for t in trials)
