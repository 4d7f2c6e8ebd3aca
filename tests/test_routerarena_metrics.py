"""RouterArena figures: the arena score formula, and baselines against a direct count."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from evaluators.routerarena.baselines import baseline_metrics
from evaluators.routerarena.data import load_dir
from evaluators.shared_data import shared_data
from models.router_metrics import arena_score, headline, oracle_choice, routing_metrics

SUB10 = shared_data("routerarena-sub10")
needs_sub10 = pytest.mark.skipif(not SUB10.is_dir(),
                                 reason=f"real RouterArena data not found at {SUB10}")


@pytest.mark.parametrize(("accuracy", "cost", "published"), [
    (0.6489, 0.56, 0.6382), (0.7597, 0.11, 0.7538),
])
def test_arena_score_reproduces_published_numbers(accuracy: float, cost: float,
                                                  published: float) -> None:
    assert round(arena_score(accuracy, cost), 4) == published


def test_arena_score_clamps_cost_and_rewards_accuracy_and_thrift() -> None:
    assert arena_score(0.7, 0.001) == arena_score(0.7, 0.0044)
    assert arena_score(0.7, 1e6) == arena_score(0.7, 200.0) == 0.0
    assert arena_score(0.8, 0.5) > arena_score(0.7, 0.5)
    assert arena_score(0.7, 0.1) > arena_score(0.7, 1.0)


def test_optimality_on_a_hand_made_table() -> None:
    scores = np.array([[1, 1], [0, 1], [0, 0], [1, 0]], dtype=float)
    costs = np.array([[1, 5], [1, 5], [1, 5], [1, 5]], dtype=float) / 1000
    assert list(oracle_choice(scores, costs)) == [0, 1, 0, 0]
    m = routing_metrics(np.array([1, 1, 0, 0]), scores, costs, np.array([0, 0, 1, 1]),
                        ["a", "b"], ["cheap", "dear"])
    assert m["accuracy"] == 0.75 and m["cost_per_1k"] == pytest.approx(3.0)
    assert m["opt_sel"] == pytest.approx(2 / 3)  # 3 answerable queries, 2 picked right
    assert m["opt_cost"] == pytest.approx((1 + 5 + 1) / (5 + 5 + 1))
    assert m["opt_acc"] == 1.0  # the oracle is right on 3 of 4 too
    assert m["acc.a"] == 1.0 and m["acc.b"] == 0.5 and m["share.dear"] == 0.5


def _direct_count(folder: Path) -> dict[str, dict[str, float]]:
    """Single models and oracle from the JSONL rows with plain Python, independent of load_dir."""
    rows: dict[str, dict[str, tuple[float, float]]] = {}
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text().splitlines():
            r = json.loads(line)
            ev = r["evaluation_result"]
            rows.setdefault(r["global_index"], {})[path.stem] = (ev["score"], ev["inference_cost"])
    out: dict[str, dict[str, float]] = {}
    for model in sorted(next(iter(rows.values()))):
        out[model] = {"accuracy": sum(q[model][0] for q in rows.values()) / len(rows),
                      "cost_per_1k": sum(q[model][1] for q in rows.values()) / len(rows) * 1000}
    acc = cost = 0.0
    for q in rows.values():
        right = [(c, s) for s, c in q.values() if s >= 0.5]
        c, s = min(right) if right else min((c, s) for s, c in q.values())
        acc, cost = acc + s, cost + c
    out["oracle"] = {"accuracy": acc / len(rows), "cost_per_1k": cost / len(rows) * 1000}
    return out


@needs_sub10
def test_single_model_and_oracle_baselines_match_a_direct_count() -> None:
    data = load_dir(SUB10)
    assert len(data) == 608 and len(data.models) == 2
    zeros = np.zeros(len(data), dtype=np.int64)
    figures = baseline_metrics(data.models, data.scores, data.costs, 0, zeros, zeros)
    expected = _direct_count(SUB10)
    for name, want in expected.items():
        assert figures[name]["accuracy"] == pytest.approx(want["accuracy"], abs=1e-12)
        assert figures[name]["cost_per_1k"] == pytest.approx(want["cost_per_1k"], abs=1e-12)
    gemini = figures["gemini-2.0-flash-001"]
    assert round(gemini["accuracy"], 3) == 0.695  # (the README's 0.690 is over all 809)
    assert figures["oracle"]["accuracy"] > gemini["accuracy"]
    assert headline(oracle_choice(data.scores, data.costs), data.scores, data.costs) == \
        figures["oracle"]
