"""The Ray backend with a real local Ray instance: island actors, migration, evaluation tasks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from evolver import Engine, RunConfig, RunReader
from evolver.targets.mix import MixTarget
from evolver.types import Candidate, Evaluation, Objective
from tests import evalfns

pytestmark = pytest.mark.usefixtures("ray_instance")


def test_island_actors_take_in_their_neighbours_migrants() -> None:
    from islands.backends.ray_backend import RayBackend

    backend = RayBackend()
    target = MixTarget()
    loss = [Objective("loss")]
    a, b = (backend.island(index=i, target=target, objectives=loss, population_size=4)
            for i in range(2))
    for island, index in ((a, 0), (b, 1)):
        proposals = island.propose(4)
        told = []
        for n, p in enumerate(proposals):
            c = Candidate(f"c{index}{n}", "mix", p.genome, island=index)
            told.append((c, Evaluation(c.id, objectives={"loss": float(n + 10 * index)})))
        island.tell(told)
    migrants = a.emigrants(2)
    assert [m.id for m in migrants] == ["c00", "c01"]  # the best two of island 0
    assert b.immigrate(migrants) == ["c00", "c01"]
    assert b.immigrate(migrants) == []  # no duplicates
    population = [m["candidate"]["id"] for m in b.snapshot()["population"]]
    assert population[:2] == ["c00", "c01"]  # better than island 1's own, so they lead
    backend.close()


def test_a_ray_run_migrates_along_the_ring(tmp_path: Path) -> None:
    config = RunConfig(target="mix", budget=48, islands=3, population=4, backend="ray",
                       run_dir=str(tmp_path / "run"), migration_interval=4, migrants=2,
                       report_seeds=1, seed=1)
    result = Engine(config, evaluator=evalfns.quadratic).run()
    assert result.counts["done"] == 48 and result.counts["ok"] == 48
    with RunReader(result.run_dir) as r:
        migrations = [e for e in r.events() if e["kind"] == "migration"]
        evals = [ev for _, ev in r.evaluations()]
        snapshots = r.snapshots()
        origin = {c.id: c.island for c in r.candidates()}
    assert migrations and {(e["island"], e["data"]["to"]) for e in migrations} == {
        (0, 1), (1, 2), (2, 0)}
    assert any(e["data"]["ids"] for e in migrations)
    first_hops = [e for e in migrations if e["data"]["ids"]][:1]
    for cid in first_hops[0]["data"]["ids"]:  # the first migrants were born on their sender
        assert origin[cid] == first_hops[0]["island"]
    foreign = [m for i, (_, s) in snapshots.items() for m in s["population"]
               if m["candidate"]["island"] != i]
    assert foreign, "no island kept a migrant"
    pids = {ev.metrics["pid"] for ev in evals}
    assert os.getpid() not in pids  # evaluations ran as tasks in Ray worker processes
