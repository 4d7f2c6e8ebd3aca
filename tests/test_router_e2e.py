"""Whole runs of the router target: synthetic default, real RouterArena data, and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evolver import Engine, RunConfig, RunReader
from evolver.cli import main
from evolver.types import Evaluation
from islands.member import Member
from islands.ranking import non_dominated
from tests.test_routerarena_metrics import SUB10, needs_sub10


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def small(tmp_path: Path, name: str, **kw) -> RunConfig:  # noqa: ANN003
    base = dict(target="router", budget=40, islands=2, population=8, backend="local",
                run_dir=str(tmp_path / name), seed=1, report_seeds=1, migration_interval=5)
    base.update(kw)
    return RunConfig(**base)


def report_of(run_dir: Path, candidate_id: str) -> Evaluation:
    with RunReader(run_dir) as r:
        (ev,) = [e for e in r.evaluations_of(candidate_id) if e.split == "report"]
    return ev


def test_synthetic_run_evolves_a_router_that_beats_its_baselines_on_test(
        tmp_path: Path) -> None:
    result = Engine(small(tmp_path, "syn")).run()
    assert result.counts["ok"] == 40
    best = result.report["best"]["arena_score"]["mean"]
    assert set(result.report) == {"best", "unevolved", "best_single"}
    ev = report_of(result.run_dir, result.best.id)
    m = ev.metrics
    assert m["n_queries"] == 202 and ev.artifacts["data"].startswith("synthetic")
    assert best == pytest.approx(m["arena_score"])
    assert best > m["baseline.best_single.arena_score"]
    assert best > m["baseline.unevolved.arena_score"]
    assert best < m["baseline.oracle.arena_score"]


def test_accuracy_and_cost_as_a_pareto_pair(tmp_path: Path) -> None:
    config = small(tmp_path, "pareto", budget=30, report_seeds=0,
                   objectives=["accuracy:max", "cost_per_1k:min"])
    engine = Engine(config)
    result = engine.run()
    assert [str(o) for o in engine.objectives] == ["accuracy:max", "cost_per_1k:min"]
    with RunReader(result.run_dir) as r:
        scored = r.scored()
    front = {m.id for m in non_dominated([Member(c, ev.objectives) for c, ev in scored],
                                         engine.objectives)}
    assert {c.id for c in result.frontier} == front and len(front) >= 2


@needs_sub10
def test_on_real_data_the_evolved_router_does_not_lose_to_the_best_single_model(
        tmp_path: Path) -> None:
    result = Engine(small(tmp_path, "real", evaluator_options={"data": str(SUB10)})).run()
    m = report_of(result.run_dir, result.best.id).metrics
    assert m["n_queries"] == 152
    best_single = m["baseline.best_single.arena_score"]
    assert best_single == m["baseline.gemini-2.0-flash-001.arena_score"]
    assert m["arena_score"] >= best_single  # on the test split the search never saw


@needs_sub10
def test_cli_run_export_best_and_score_json(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "run.toml"
    config.write_text('target = "router"\nobjectives = ["arena_score:max"]\nbudget = 16\n'
                      'population = 6\nbackend = "local"\nreport_seeds = 1\n')
    run_dir, router = tmp_path / "run", tmp_path / "router.json"
    assert main(["--config", str(config), "--data", str(SUB10), "--run-dir", str(run_dir),
                 "--quiet"]) == 0
    with RunReader(run_dir) as r:
        assert r.config_dict()["evaluator_options"]["data"] == str(SUB10.resolve())
    assert main(["export", str(run_dir), "--best", str(router)]) == 0
    assert json.loads(router.read_text())["format"] == "archipelago-router"
    capsys.readouterr()
    assert main(["score", str(router), "--data", str(SUB10), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for figures in (out, *out["baselines"].values()):
        assert {"accuracy", "cost_per_1k", "arena_score"} <= set(figures)
    assert set(out["baselines"]) >= {"gemini-2.0-flash-001", "claude-3-haiku-20240307",
                                     "random", "unevolved", "oracle"}
    assert out["split"] == "all 608 queries"
    assert main(["score", str(tmp_path / "none.json"), "--data", str(SUB10)]) == 2
    assert "no such file" in capsys.readouterr().err


def test_a_router_run_on_the_ray_backend(tmp_path: Path, ray_instance: None) -> None:
    result = Engine(small(tmp_path, "ray", backend="ray", budget=12, population=6)).run()
    assert result.counts["ok"] == 12
    assert result.report["best"]["arena_score"]["n"] == 1


def test_optuna_islands_search_routers_through_the_box(tmp_path: Path) -> None:
    result = Engine(small(tmp_path, "tpe", strategy="optuna", budget=24, population=6,
                          report_seeds=0)).run()
    assert result.counts["ok"] == 24
    with RunReader(result.run_dir) as r:
        operators = {c.operator for c in r.candidates()}
    assert "optuna:tpe" in operators


def test_export_best_of_a_target_without_files_writes_its_genome(tmp_path: Path) -> None:
    from tests import evalfns

    config = RunConfig(target="mix", budget=6, population=3, backend="local", report_seeds=0,
                       run_dir=str(tmp_path / "mix"), evaluator="tests.evalfns:quadratic")
    result = Engine(config).run()
    out = tmp_path / "best.json"
    assert main(["export", str(result.run_dir), "--best", str(out)]) == 0
    written = json.loads(out.read_text())
    assert written["target"] == "mix" and written["genome"] == result.best.genome
    assert set(written["genome"]) == set(evalfns.OPTIMUM)
