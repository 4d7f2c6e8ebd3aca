"""The prototype router and the embedder: vectorised routing, fitting, files, the cache."""

from __future__ import annotations

import math
import pickle
from pathlib import Path

import numpy as np
import pytest

from models.embedder import Embedder, EmbeddingCache
from models.router import PrototypeRouter, cost_scale
from models.router_fit import RouterRecipe, fit_router, kmeans
from models.router_metrics import cheapest_correct


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def _reference(router: PrototypeRouter, x: np.ndarray) -> list[int]:
    """The routing rule, one query and one prototype at a time."""
    out = []
    for q in x:
        d = [float(((q - p) ** 2).sum()) for p in router.prototypes]
        near = sorted(range(len(d)), key=lambda i: d[i])[:router.k]
        w = [math.exp(-(d[i] - d[near[0]]) / router.temperature) for i in near]
        score = [0.0] * len(router.models)
        for i, wi in zip(near, w, strict=True):
            score[int(router.owners[i])] += wi / sum(w)
        score = [s * router.multipliers[m] - router.cost_weight * router.expected_cost[m]
                 + (router.prior if m == router.default else 0.0) for m, s in enumerate(score)]
        out.append(max(range(len(score)), key=lambda m: (score[m], -m)))
    return out


def _router(rng: np.random.Generator, p: int = 12, d: int = 8) -> PrototypeRouter:
    protos = rng.normal(size=(p, d)).astype(np.float32)
    return PrototypeRouter(
        models=["a", "b", "c"], prototypes=protos, owners=rng.integers(0, 3, size=p),
        multipliers=[1.0, 1.3, 0.8], expected_cost=cost_scale([0.05, 0.3, 3.0]), k=4,
        temperature=0.7, cost_weight=0.2, prior=0.1, default=1)


def test_vectorised_routing_matches_the_per_query_rule() -> None:
    rng = np.random.default_rng(0)
    router = _router(rng)
    x = rng.normal(size=(200, 8)).astype(np.float32)
    assert list(router.predict(x)) == _reference(router, x)
    router.k = 50  # more neighbours than prototypes: all of them count
    assert list(router.predict(x)) == _reference(router, x)


def test_no_prototypes_routes_by_prior_and_cost() -> None:
    router = PrototypeRouter(["cheap", "dear"], np.zeros((0, 4)), [], [1, 1],
                             cost_scale([0.01, 5.0]), cost_weight=0.1)
    assert set(router.predict(np.ones((3, 4)))) == {0}
    router.prior, router.default = 1.0, 1
    assert set(router.predict(np.ones((3, 4)))) == {1}


def test_fit_places_prototypes_on_each_models_cheapest_correct_queries() -> None:
    rng = np.random.default_rng(1)
    centres = np.eye(4, dtype=np.float32)[:2] * 5
    x = np.concatenate([c + rng.normal(0, 0.1, size=(30, 4)) for c in centres]).astype(np.float32)
    scores = np.zeros((60, 2))
    scores[:30, 0] = 1   # the cheap model is right on the first cluster only
    scores[:, 1] = 1     # the dear model on both
    costs = np.tile([0.0001, 0.01], (60, 1))
    assert list(cheapest_correct(scores, costs)) == [0] * 30 + [1] * 30
    recipe = RouterRecipe(prototypes={"cheap": 2, "dear": 3}, k=3, temperature=0.5)
    router = fit_router(recipe, ["cheap", "dear"], x, scores, costs, "none")
    assert sorted(router.owners.tolist()) == [0, 0, 1, 1, 1]
    assert np.abs(router.prototypes[router.owners == 0] - centres[0]).max() < 0.3
    assert np.abs(router.prototypes[router.owners == 1] - centres[1]).max() < 0.3
    assert list(router.predict(centres)) == [0, 1]
    assert router.default == 1  # auto: the dear model is right everywhere, so the best single
    assert len(kmeans(x[:3], 10, rng)) == 3


def test_router_file_round_trip_and_bad_files(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    router = _router(rng)
    back = PrototypeRouter.load(router.save(tmp_path / "r.json"))
    x = rng.normal(size=(50, 8)).astype(np.float32)
    assert np.array_equal(back.predict(x), router.predict(x))
    assert back.models == router.models and back.default == router.default
    (tmp_path / "bad.json").write_text('{"format": "something-else"}')
    with pytest.raises(ValueError, match="bad.json: not a router file"):
        PrototypeRouter.load(tmp_path / "bad.json")
    with pytest.raises(ValueError, match="no such router file"):
        PrototypeRouter.load(tmp_path / "none.json")
    d = router.to_dict()
    d["owners"][0] = "zzz"
    with pytest.raises(ValueError, match="model 'zzz' is not in models"):
        PrototypeRouter.from_dict(d)


def test_embedder_caches_by_model_and_text(tmp_path: Path) -> None:
    texts = ["Solve 2x + 3 = 7.", "Who painted Guernica?", "Solve 2x + 3 = 7."]
    first = Embedder(cache_dir=tmp_path)
    x = first.embed(texts)
    assert x.shape == (3, 384) and x.dtype == np.float32
    assert np.allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(x[0], x[2]) and not np.allclose(x[0], x[1])
    again = pickle.loads(pickle.dumps(first))  # what a worker process receives
    assert again._model is None
    assert np.array_equal(again.embed(texts), x) and again._model is None  # from the cache
    cache = EmbeddingCache(tmp_path / "embeddings.sqlite")
    assert len(cache.get("all-MiniLM-L6-v2", [Embedder.key(t) for t in texts])) == 2
    assert cache.get("another-model", [Embedder.key(texts[0])]) == {}


def test_a_loaded_router_routes_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIPELAGO_CACHE", str(tmp_path))
    emb = Embedder()
    anchors = emb.embed(["Write a Python function that sorts a list.",
                         "What is the capital of Peru?"])
    router = PrototypeRouter(["coder", "trivia"], anchors, [0, 1], [1, 1], [0.2, 0.2], k=1)
    loaded = PrototypeRouter.load(router.save(tmp_path / "router.json"))
    assert loaded.route("Implement binary search in Python.") == "coder"
    assert loaded.route("What is the capital of Canada?") == "trivia"
