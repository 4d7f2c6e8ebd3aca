"""Runs on the local backend: budget, reproducibility, faults, resume and the report split."""

from __future__ import annotations

from pathlib import Path

import pytest

from evolver import Engine, RunConfig, RunReader
from tests import evalfns


def small(tmp_path: Path, name: str, **kw) -> RunConfig:  # noqa: ANN003
    base = dict(target="mix", budget=40, islands=2, population=6, backend="local",
                run_dir=str(tmp_path / name), seed=7, report_seeds=2, migration_interval=5)
    base.update(kw)
    return RunConfig(**base)


def history(run_dir: Path) -> list[tuple]:
    with RunReader(run_dir) as r:
        cands = {c.id: c for c in r.candidates()}
        return [(ev.candidate_id, cands[ev.candidate_id].island, cands[ev.candidate_id].operator,
                 tuple(sorted(cands[ev.candidate_id].genome.items())), ev.status,
                 ev.objectives.get("loss")) for _, ev in r.evaluations("search")]


def test_run_ends_at_budget_with_best_frontier_and_report(tmp_path: Path) -> None:
    kinds: list[str] = []
    engine = Engine(small(tmp_path, "a"), evaluator=evalfns.quadratic,
                    observers=[lambda event: kinds.append(event.kind)])
    result = engine.run()
    assert kinds[0] == "run_started" and kinds[-2:] == ["report", "run_finished"]
    assert kinds.count("evaluation") == 40 and "migration" in kinds
    assert result.counts["done"] == 40 and result.counts["ok"] == 40
    assert result.best is not None and set(result.best.genome) == set(evalfns.OPTIMUM)
    losses = [ev.objectives["loss"] for _, ev in RunReader(result.run_dir).evaluations()]
    assert result.best_evaluation.objectives["loss"] == min(losses)
    assert result.frontier[-1] == result.best  # best-so-far steps end at the best
    assert set(result.report) == {"best", "uniform"}
    assert result.report["best"]["loss"]["n"] == 2
    assert result.report["best"]["loss"]["mean"] < result.report["uniform"]["loss"]["mean"]
    with RunReader(result.run_dir) as r:
        assert r.state() == "finished"
        assert {ev.split for _, ev in r.evaluations(split=None)} == {"search", "report"}


def test_same_seed_reproduces_the_run_and_another_seed_does_not(tmp_path: Path) -> None:
    # The evaluator's duration is truly random, so results arrive in a different order.
    Engine(small(tmp_path, "a", workers=3), evaluator=evalfns.jittery).run()
    Engine(small(tmp_path, "b", workers=3), evaluator=evalfns.jittery).run()
    Engine(small(tmp_path, "c", workers=3, seed=8), evaluator=evalfns.jittery).run()
    a, b, c = (history(tmp_path / n) for n in "abc")
    assert a == b
    assert a != c


def test_the_search_improves_on_random_proposals(tmp_path: Path) -> None:
    result = Engine(small(tmp_path, "a", budget=120), evaluator=evalfns.quadratic).run()
    h = history(result.run_dir)
    first = min(x[5] for x in h[:12])  # the random initial population
    assert result.best_evaluation.objectives["loss"] < first / 3


def test_faults_are_recorded_and_the_run_goes_on(tmp_path: Path) -> None:
    config = small(tmp_path, "f", budget=24, timeout=1.0, report_seeds=0)
    result = Engine(config, evaluator=evalfns.faulty).run()
    c = result.counts
    assert c["done"] == 24 and c["failed"] > 0 and c["timeout"] > 0 and c["invalid"] > 0
    assert c["ok"] == 24 - c["failed"] - c["timeout"] - c["invalid"]
    with RunReader(result.run_dir) as r:
        by_status = {ev.status: ev for _, ev in r.evaluations()}
    assert "RuntimeError: evaluator exploded" in by_status["failed"].error
    assert "timeout" in by_status["timeout"].error
    assert "'loss' is nan" in by_status["invalid"].error
    with RunReader(result.run_dir) as r:
        failures = [e["message"] for e in r.events() if e["kind"] == "failed"]
    assert failures and failures[0].endswith("RuntimeError: evaluator exploded on "
                                             + failures[0].split(":")[0])


def test_resume_extends_a_finished_run_keeping_its_history(tmp_path: Path) -> None:
    Engine(small(tmp_path, "r", budget=20, report_seeds=0), evaluator=evalfns.quadratic).run()
    before = history(tmp_path / "r")
    result = Engine.resume(tmp_path / "r", evaluator=evalfns.quadratic, budget=30).run()
    after = history(result.run_dir)
    assert after[:20] == before and len(after) == 30
    assert len({x[0] for x in after}) == 30
    assert "budget = 30" in (tmp_path / "r" / "config.toml").read_text()


def test_a_run_directory_is_never_overwritten(tmp_path: Path) -> None:
    from evolver.store import RunStoreError

    Engine(small(tmp_path, "x", budget=4, report_seeds=0), evaluator=evalfns.quadratic).run()
    with pytest.raises(RunStoreError, match="already holds a run"):
        Engine(small(tmp_path, "x", budget=4), evaluator=evalfns.quadratic).run()


def test_stop_ends_the_search_early_and_keeps_it_consistent(tmp_path: Path) -> None:
    engine = Engine(small(tmp_path, "s", budget=200, report_seeds=1), evaluator=evalfns.quadratic)

    def stop_when_good(event) -> None:  # noqa: ANN001
        ev = event.evaluation
        if ev is not None and ev.objectives.get("loss", 1.0) < 0.01:
            engine.stop()

    engine.events.subscribe(stop_when_good)
    result = engine.run()
    assert result.counts["done"] < 200 and result.counts["in_flight"] == 0
    assert result.best_evaluation.objectives["loss"] < 0.01
    assert "best" in result.report
    with RunReader(result.run_dir) as r:
        assert r.state() == "finished" and r.meta()["stopped_early"] == "1"
