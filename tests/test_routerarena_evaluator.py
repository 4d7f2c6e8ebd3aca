"""The routerarena evaluator: the search never sees the test split; figures and baselines."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from evaluators.routerarena import DataError, RouterArenaEvaluator
from evaluators.routerarena.synthetic import generate, write_dir
from evolver.config import ConfigError, RunConfig
from evolver.registry import make_evaluator
from evolver.targets.router import RouterTarget
from evolver.types import Candidate, EvalContext

SEARCH, REPORT = EvalContext(split="search"), EvalContext(split="report", seed=11)


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="module")
def evaluator() -> RouterArenaEvaluator:
    ev = RouterArenaEvaluator(queries=300)
    ev.prepare()
    return ev


@pytest.fixture(scope="module")
def target(evaluator: RouterArenaEvaluator) -> RouterTarget:
    return RouterTarget(models=tuple(evaluator.prepare().data.models))


def _numbers(metrics: dict) -> dict:
    return {k: v for k, v in metrics.items() if not isinstance(v, str)}


def test_search_figures_do_not_depend_on_the_test_split(
        evaluator: RouterArenaEvaluator, target: RouterTarget) -> None:
    genome = target.seed_genomes()[0]
    before = evaluator.evaluate(Candidate("c1", "router", genome), SEARCH)
    report = evaluator.evaluate(Candidate("c1", "router", genome), REPORT)
    blind = RouterArenaEvaluator(queries=300)  # its own copy of the data, to tamper with
    s = blind.prepare()
    rng = np.random.default_rng(0)
    s.data.scores[s.test] = rng.integers(0, 2, size=s.data.scores[s.test].shape)
    s.data.costs[s.test] *= 10
    s.x[s.test] = rng.normal(size=s.x[s.test].shape)
    after = blind.evaluate(Candidate("c1", "router", genome), SEARCH)
    assert _numbers(after) == _numbers(before)
    assert blind.evaluate(Candidate("c1", "router", genome), REPORT)["accuracy"] != \
        report["accuracy"]
    assert before["n_queries"] + report["n_queries"] == 300
    assert "cross-validation" in before["split_detail"] and "test" in report["split_detail"]
    assert "synthetic" in before["data"]
    travelled = pickle.loads(pickle.dumps(evaluator))  # what a worker or Ray task receives
    assert travelled.evaluate(Candidate("c1", "router", genome), SEARCH) == before


def test_metrics_and_baselines_of_one_evaluation(
        evaluator: RouterArenaEvaluator, target: RouterTarget) -> None:
    m = evaluator.evaluate(Candidate("c2", "router", target.random_genome(
        np.random.default_rng(3))), REPORT)
    for key in ("accuracy", "cost_per_1k", "arena_score", "opt_sel", "opt_cost", "opt_acc"):
        assert m[key] >= 0.0 and (key == "cost_per_1k" or m[key] <= 1.0)
    assert sum(m[f"share.{name}"] for name in target.models) == pytest.approx(1.0)
    assert any(k.startswith("acc.") for k in m)
    names = {k.split(".")[1] for k in m if k.startswith("baseline.")}
    assert names == {*target.models, "best_single", "random", "unevolved", "oracle"}
    oracle = m["baseline.oracle.accuracy"]
    assert all(m[f"baseline.{n}.accuracy"] <= oracle for n in names)
    assert m["accuracy"] <= oracle
    uneval = evaluator.evaluate(Candidate("c3", "router", target.unevolved()), REPORT)
    assert uneval["arena_score"] == pytest.approx(m["baseline.unevolved.arena_score"])


def test_fit_and_score_a_deployable_router(evaluator: RouterArenaEvaluator,
                                           target: RouterTarget) -> None:
    router = evaluator.fit(target.unevolved())
    assert sorted(set(router.owners.tolist())) == list(range(4))
    assert "train+validation" in router.info["fitted_on"]
    result = evaluator.score(router)
    assert result["split"] == "all 300 queries"
    assert set(result["baselines"]["oracle"]) == {"accuracy", "cost_per_1k", "arena_score"}
    router.models[0] = "gpt-9"
    with pytest.raises(DataError, match="no results for model 'gpt-9', which the router"):
        evaluator.score(router)


def test_configuration_errors_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown 'dataset' for evaluator routerarena"):
        make_evaluator("routerarena", RunConfig(target="router",
                                                evaluator_options={"dataset": "x"}))
    folder = write_dir(generate(seed=2, n=12), tmp_path / "d")
    (folder / "synthetic-mini.jsonl").write_text('{"global_index": "A_1"}\n')
    with pytest.raises(ConfigError, match=r"synthetic-mini\.jsonl line 1: missing field"):
        make_evaluator("routerarena", RunConfig(target="router",
                                                evaluator_options={"data": str(folder)}))
    pareto = RouterArenaEvaluator(objectives=["accuracy:max", "cost_per_1k:min"])
    assert [str(o) for o in pareto.objectives] == ["accuracy:max", "cost_per_1k:min"]
