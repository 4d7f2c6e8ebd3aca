"""Finalists: the best few on the search seed are re-evaluated on more seeds before the best
is named, so the best is not merely the candidate its one seed flattered most."""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest

from evolver import ConfigError, Engine, RunConfig, RunReader
from evolver.seeds import finalist_seeds, report_seeds
from evolver.types import Objective
from tests import evalfns


def noisy_run(tmp_path: Path, **fields) -> RunConfig:  # noqa: ANN003
    settings = {"target": "mix", "budget": 30, "islands": 2, "population": 6,
                "backend": "local", "run_dir": str(tmp_path / "run"), "seed": 3,
                "finalists": 3, "finalist_seeds": 2, "report_seeds": 2, **fields}
    return RunConfig(**settings)


def test_the_best_few_get_more_seeds_and_the_best_is_the_best_mean(tmp_path: Path) -> None:
    result = Engine(noisy_run(tmp_path), evaluator=evalfns.noisy).run()
    extra = finalist_seeds(3, 2)
    with RunReader(result.run_dir) as r:
        evals = [ev for _, ev in r.evaluations()]
        events = [e for e in r.events() if e["kind"] == "finalists"]
    on_search_seed = [ev for ev in evals if ev.seed == 3]
    finals = [ev for ev in evals if ev.seed != 3]
    assert len(evals) == 30 and len(on_search_seed) == 24 and len(finals) == 6
    ranked = sorted(on_search_seed, key=lambda ev: ev.objectives["loss"])
    finalists = [ev.candidate_id for ev in ranked[:3]]  # the best three on the search seed
    assert sorted(ev.candidate_id for ev in finals) == sorted(finalists * 2)
    assert {ev.seed for ev in finals} == set(extra)
    assert finals == evals[24:]  # after the search, not during it
    assert events and events[0]["data"]["ids"] == finalists
    means = {cid: statistics.fmean(ev.objectives["loss"] for ev in evals
                                   if ev.candidate_id == cid) for cid in finalists}
    assert result.best.id == min(means, key=means.__getitem__)
    assert result.best_evaluation.objectives["loss"] == pytest.approx(means[result.best.id])
    assert result.best_evaluation.metrics["search_seeds"] == 3
    assert result.report["best"]["loss"]["seeds"] == report_seeds(3, 2)  # still fresh ones
    from evolver.cli.status import gather

    with RunReader(result.run_dir) as r:  # `evolve status` says the best is a mean
        assert gather(r)["best"]["search_seeds"] == 3


def test_finalists_change_nothing_the_islands_learn(tmp_path: Path) -> None:
    """The search itself (proposals, the 24 results on the search seed) is the same with or
    without finalists; only the naming of the best differs."""
    with_finals = Engine(noisy_run(tmp_path), evaluator=evalfns.noisy).run()
    without = Engine(noisy_run(tmp_path, run_dir=str(tmp_path / "plain"), budget=24,
                               finalists=0), evaluator=evalfns.noisy).run()

    def search(run_dir: Path) -> list[tuple[str, float]]:
        with RunReader(run_dir) as r:
            return [(ev.candidate_id, ev.objectives["loss"]) for _, ev in r.evaluations()
                    if ev.seed == 3]

    assert search(with_finals.run_dir) == search(without.run_dir)


def test_a_resumed_run_keeps_its_finals_and_its_budget(tmp_path: Path) -> None:
    first = Engine(noisy_run(tmp_path), evaluator=evalfns.noisy).run()
    resumed = Engine.resume(first.run_dir, evaluator=evalfns.noisy, budget=44).run()
    with RunReader(resumed.run_dir) as r:
        evals = [ev for _, ev in r.evaluations()]
    assert len({ev.id for ev in evals}) == len(evals) <= 44
    seeds: dict[str, int] = {}
    for ev in evals:
        seeds[ev.candidate_id] = seeds.get(ev.candidate_id, 0) + 1
    assert resumed.best_evaluation.metrics["search_seeds"] == 3 == seeds[resumed.best.id]


def test_finalists_that_leave_no_search_are_refused() -> None:
    with pytest.raises(ConfigError, match="finalists: 5 x finalist_seeds 2 = 10 .* budget 10"):
        RunConfig(target="mix", budget=10, finalists=5)


def test_with_several_fidelities_the_finalists_are_rerun_at_the_top_one(tmp_path: Path) -> None:
    config = noisy_run(tmp_path, budget=60, finalists=2, eta=3)
    result = Engine(config, evaluator=evalfns.MultiFidelity()).run()
    with RunReader(result.run_dir) as r:
        finals = [ev for _, ev in r.evaluations() if ev.seed != 3]
        top = max(ev.fidelity for _, ev in r.evaluations())
    assert len(finals) == 4 and {ev.fidelity for ev in finals} == {top} == {2}
    assert result.best_evaluation.fidelity == 2
    assert result.best_evaluation.metrics["search_seeds"] == 3


def test_the_report_compares_the_best_with_a_baseline_seed_by_seed() -> None:
    """The summary's verdict: better beyond the seed spread only when the paired mean
    difference is more than two standard errors."""
    from evolver.report import paired

    def entry(values: list[float], name: str = "loss") -> dict:
        return {name: {"values": values, "seeds": [7, 8, 9]}}

    loss = Objective("loss")
    steady = paired({"best": entry([1.0, 1.2, 0.9]), "uniform": entry([1.1, 1.31, 1.0])},
                    loss, "uniform")
    assert steady["mean"] == pytest.approx(-0.1033, abs=1e-4) and steady["better"] == 3
    assert steady["clear"]
    noisy = paired({"best": entry([1.0, 1.2, 0.9]), "uniform": entry([1.1, 1.1, 0.95])},
                   loss, "uniform")
    assert noisy["better"] == 2 and not noisy["clear"]
    accuracy = Objective("accuracy", "max")
    assert paired({"best": entry([0.9, 0.8, 0.85], "accuracy"),
                   "uniform": entry([0.7, 0.6, 0.66], "accuracy")}, accuracy,
                  "uniform")["clear"]


def test_a_baseline_the_search_names_best_is_measured_once(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    """Where nothing beats the uniform mixture, the search names it best: the report measures
    it once, not twice, and the summary says so instead of showing a difference of 0."""
    from evolver.cli.progress import print_summary

    config = noisy_run(tmp_path, budget=12, finalists=0, report_seeds=2)
    result = Engine(config, evaluator=evalfns.centred).run()
    assert result.best.genome == {d: 0.25 for d in ("code", "docs", "web", "math")}
    assert result.report["uniform"]["loss"]["candidate_id"] == result.best.id
    with RunReader(result.run_dir) as r:
        assert len(list(r.evaluations("report"))) == 2
    print_summary(result, [Objective("loss")])
    assert "best is the uniform baseline itself" in capsys.readouterr().out


def test_a_run_written_before_seeded_search_ids_resumes(tmp_path: Path) -> None:
    """Schema 1 named search evaluations `c@0` without their seed; opening such a run for
    writing renames them, so resume neither re-runs nor double-counts any of them."""
    import sqlite3

    first = Engine(noisy_run(tmp_path, budget=10, finalists=0), evaluator=evalfns.noisy).run()
    conn = sqlite3.connect(first.run_dir / "run.db")
    with conn:  # back to how schema 1 wrote it
        conn.execute("UPDATE evaluations SET id = substr(id, 1, instr(id, '/') - 1)"
                     " WHERE split = 'search'")
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    conn.close()
    resumed = Engine.resume(first.run_dir, evaluator=evalfns.noisy, budget=14).run()
    conn = sqlite3.connect(resumed.run_dir / "run.db")  # the stored ids, not derived ones
    version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    ids = [row[0] for row in conn.execute("SELECT id FROM evaluations WHERE split = 'search'")]
    conn.close()
    assert version == ("2",)
    assert len(ids) == len(set(ids)) == 14
    assert all(i.endswith("/search3") for i in ids)
