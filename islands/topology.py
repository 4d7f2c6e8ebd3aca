"""Migration topologies: directed networkx graphs over island indices."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np


def make_topology(kind: str, n: int, seed: int = 0) -> nx.DiGraph:
    """Who sends emigrants to whom. An edge i -> j means i's emigrants go to j."""
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    if n < 2:
        return g
    if kind == "ring":
        g.add_edges_from((i, (i + 1) % n) for i in range(n))
    elif kind == "star":
        for i in range(1, n):
            g.add_edges_from([(0, i), (i, 0)])
    elif kind == "complete":
        g.add_edges_from((i, j) for i in range(n) for j in range(n) if i != j)
    elif kind == "torus":
        rows = max(r for r in range(1, math.isqrt(n) + 1) if n % r == 0)
        cols = n // rows
        for i in range(n):
            r, c = divmod(i, cols)
            for rr, cc in ((r, (c + 1) % cols), ((r + 1) % rows, c)):
                j = rr * cols + cc
                if j != i:
                    g.add_edges_from([(i, j), (j, i)])
    elif kind == "random":
        rng = np.random.default_rng(seed)
        g.add_edges_from((i, (i + 1) % n) for i in range(n))  # a ring keeps it connected
        for i in range(n):
            for j in range(n):
                if i != j and rng.random() < 0.3:
                    g.add_edge(i, j)
    else:
        raise ValueError(f"topology: unknown {kind!r}")
    return g


def as_topology(graph: nx.Graph, n: int) -> nx.DiGraph:
    """Check a user's graph: nodes must be exactly the island indices 0..n-1."""
    if set(graph.nodes) != set(range(n)):
        raise ValueError(
            f"topology: the graph's nodes {sorted(graph.nodes)} must be the islands 0..{n - 1}"
        )
    return graph if graph.is_directed() else graph.to_directed()
