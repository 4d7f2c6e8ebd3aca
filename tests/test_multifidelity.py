"""Successive halving: cheap evaluations screen, the best are promoted to dearer ones."""

from __future__ import annotations

from pathlib import Path

from evolver import Engine, RunConfig, RunReader
from tests import evalfns


def test_the_best_are_promoted_and_the_best_is_taken_at_the_top_fidelity(tmp_path: Path) -> None:
    config = RunConfig(target="mix", budget=60, islands=2, population=6, backend="local",
                       run_dir=str(tmp_path / "run"), eta=3, report_seeds=2, seed=4)
    result = Engine(config, evaluator=evalfns.MultiFidelity()).run()
    with RunReader(result.run_dir) as r:
        evals = [ev for _, ev in r.evaluations()]
        promotions = [e for e in r.events() if e["kind"] == "promotion"]
    level = {f: [ev for ev in evals if ev.fidelity == f] for f in (0, 1, 2)}
    assert len(evals) == 60 and all(level.values())
    assert len(level[0]) > len(level[1]) > len(level[2])  # halving: each level is rarer
    assert len(promotions) == len(level[1]) + len(level[2])
    by_level0 = {ev.candidate_id: ev.objectives["loss"] for ev in level[0]}
    for ev in level[1]:  # only candidates screened at the level below are promoted
        assert ev.candidate_id in by_level0
    promoted = [by_level0[ev.candidate_id] for ev in level[1]]
    assert sum(promoted) / len(promoted) < sum(by_level0.values()) / len(by_level0)
    assert result.best_evaluation.fidelity == 2
    assert result.best_evaluation.metrics["tokens"] == 400
    assert result.report["best"]["loss"]["n"] == 2
    with RunReader(result.run_dir) as r:
        report = [ev for _, ev in r.evaluations("report")]
    assert {ev.fidelity for ev in report} == {2}  # the report uses the top fidelity reached
