"""Migration topologies: who sends emigrants to whom."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from evolver import ConfigError, Engine, RunConfig, RunReader
from islands.topology import make_topology
from tests import evalfns


@pytest.mark.parametrize(
    ("kind", "n", "edges"),
    [
        ("ring", 3, {(0, 1), (1, 2), (2, 0)}),
        ("star", 3, {(0, 1), (1, 0), (0, 2), (2, 0)}),
        ("complete", 3, {(i, j) for i in range(3) for j in range(3) if i != j}),
        ("torus", 4, {(0, 1), (1, 0), (0, 2), (2, 0), (1, 3), (3, 1), (2, 3), (3, 2)}),
    ],
)
def test_named_topologies(kind: str, n: int, edges: set) -> None:
    assert set(make_topology(kind, n).edges) == edges


def test_random_topology_is_seeded_and_connected() -> None:
    a, b = make_topology("random", 6, seed=1), make_topology("random", 6, seed=1)
    assert set(a.edges) == set(b.edges)
    assert nx.is_strongly_connected(a)


def test_a_users_graph_drives_migration(tmp_path: Path) -> None:
    graph = nx.DiGraph([(0, 2)])
    graph.add_node(1)
    config = RunConfig(target="mix", budget=30, islands=3, population=4, backend="local",
                       run_dir=str(tmp_path / "g"), migration_interval=3, report_seeds=0)
    Engine(config, evaluator=evalfns.quadratic, topology=graph).run()
    with RunReader(tmp_path / "g") as r:
        pairs = {(e["island"], e["data"]["to"]) for e in r.events() if e["kind"] == "migration"}
    assert pairs == {(0, 2)}
    with pytest.raises(ConfigError, match="must be the islands 0..2"):
        Engine(config, evaluator=evalfns.quadratic, topology=nx.DiGraph([(0, 5)]))
