"""The Chayan-style prototype router: per model a few prototype vectors in an embedding space.

A query's score for model m is the softmax weight (of negative squared distance over a
temperature) that its k nearest prototypes give to m's prototypes, times m's multiplier, minus
a cost weight times m's expected cost, plus a prior for the default model. The query goes to
the model with the highest score. `predict` does this for a whole matrix of embeddings at
once with NumPy, which is what makes scoring a candidate on a dataset cost milliseconds.

The expected cost enters on RouterArena's own log scale (0 for $0.0044 per 1K queries, 1 for
$200): the cost weight is then unit-free and comparable across model pools.

A router saves to a small JSON file that holds everything needed to route, including the name
of its embedder; `PrototypeRouter.load(path).route(text)` embeds and routes one query.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from models.embedder import DEFAULT_MODEL, Embedder

FORMAT = "archipelago-router"
VERSION = 1
#: RouterArena clamps cost per 1K queries to this range before log-scaling it
COST_MIN, COST_MAX = 0.0044, 200.0


def cost_scale(cost_per_1k: np.ndarray | float) -> np.ndarray:
    """Cost per 1K queries on RouterArena's log scale: 0 at $0.0044, 1 at $200 (clamped)."""
    c = np.clip(np.asarray(cost_per_1k, dtype=float), COST_MIN, COST_MAX)
    return (np.log2(c) - math.log2(COST_MIN)) / (math.log2(COST_MAX) - math.log2(COST_MIN))


@dataclass
class PrototypeRouter:
    models: list[str]
    prototypes: np.ndarray          # (p, d) float32
    owners: np.ndarray              # (p,) int: index into models
    multipliers: np.ndarray         # (M,)
    expected_cost: np.ndarray       # (M,) on the cost_scale, in [0, 1]
    k: int = 5
    temperature: float = 0.1
    cost_weight: float = 0.0
    prior: float = 0.0
    default: int = 0                # index of the model the prior favours
    embedder: str = DEFAULT_MODEL
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.owners = np.asarray(self.owners, dtype=np.int64).reshape(-1)
        self.prototypes = np.asarray(self.prototypes, dtype=np.float32)
        if self.prototypes.ndim != 2 or len(self.prototypes) != len(self.owners):
            dim = self.prototypes.shape[-1] if self.prototypes.ndim == 2 else 0
            if self.prototypes.size or self.owners.size:
                raise ValueError(f"router: {len(self.owners)} owners for prototypes of shape "
                                 f"{self.prototypes.shape}")
            self.prototypes = np.zeros((0, dim), dtype=np.float32)
        self.multipliers = np.asarray(self.multipliers, dtype=float)
        self.expected_cost = np.asarray(self.expected_cost, dtype=float)
        m = len(self.models)
        if self.multipliers.shape != (m,) or self.expected_cost.shape != (m,):
            raise ValueError(f"router: multipliers and expected_cost need one value per model "
                             f"({m}), got {self.multipliers.shape} and {self.expected_cost.shape}")
        if len(self.owners) and (self.owners.min() < 0 or self.owners.max() >= m):
            raise ValueError(f"router: prototype owners must index the {m} models")
        if not 0 <= self.default < m:
            raise ValueError(f"router: default {self.default} is not a model index (0..{m - 1})")
        self._embedder: Embedder | None = None

    # --- routing ------------------------------------------------------------------------
    def scores(self, x: np.ndarray) -> np.ndarray:
        """(n, M) routing scores for (n, d) embeddings."""
        x = np.asarray(x, dtype=np.float32)
        n, m = len(x), len(self.models)
        knn = np.zeros((n, m))
        p = len(self.prototypes)
        if p and n:
            d2 = ((x * x).sum(1)[:, None] + (self.prototypes * self.prototypes).sum(1)[None, :]
                  - 2.0 * x @ self.prototypes.T)
            k = min(max(int(self.k), 1), p)
            near = np.argpartition(d2, k - 1, axis=1)[:, :k] if k < p else \
                np.broadcast_to(np.arange(p), (n, p))
            nd = np.take_along_axis(d2, near, axis=1) / max(self.temperature, 1e-6)
            w = np.exp(-(nd - nd.min(axis=1, keepdims=True)))
            w /= w.sum(axis=1, keepdims=True)
            np.add.at(knn, (np.repeat(np.arange(n), k), self.owners[near].ravel()), w.ravel())
        out = knn * self.multipliers[None, :] - self.cost_weight * self.expected_cost[None, :]
        out[:, self.default] += self.prior
        return out

    def predict(self, x: np.ndarray) -> np.ndarray:
        """(n,) model indices; ties go to the lower index (np.argmax)."""
        return np.argmax(self.scores(x), axis=1)

    def route(self, text: str) -> str:
        """Embed one query with this router's embedder and name the model it goes to."""
        if self._embedder is None:
            self._embedder = Embedder(self.embedder)
        return self.models[int(self.predict(self._embedder.embed([text]))[0])]

    # --- files --------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT, "version": VERSION, "target": "router",
            "embedder": self.embedder, "models": list(self.models),
            "k": int(self.k), "temperature": float(self.temperature),
            "cost_weight": float(self.cost_weight), "prior": float(self.prior),
            "default": self.models[self.default],
            "multipliers": [float(v) for v in self.multipliers],
            "expected_cost": [float(v) for v in self.expected_cost],
            "owners": [self.models[i] for i in self.owners],
            "prototypes": [[round(float(v), 6) for v in row] for row in self.prototypes],
            "info": self.info,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any], source: str = "router") -> PrototypeRouter:
        if d.get("format") != FORMAT:
            raise ValueError(f"{source}: not a router file (format {d.get('format')!r}, "
                             f"expected {FORMAT!r})")
        missing = [f for f in ("models", "prototypes", "owners", "multipliers",
                               "expected_cost", "default") if f not in d]
        if missing:
            raise ValueError(f"{source}: missing field {missing[0]!r}")
        models = list(d["models"])
        index = {name: i for i, name in enumerate(models)}
        unknown = [o for o in [*d["owners"], d["default"]] if o not in index]
        if unknown:
            raise ValueError(f"{source}: model {unknown[0]!r} is not in models {models}")
        return cls(
            models=models,
            prototypes=np.asarray(d["prototypes"], dtype=np.float32),
            owners=np.array([index[o] for o in d["owners"]], dtype=np.int64),
            multipliers=np.asarray(d["multipliers"], dtype=float),
            expected_cost=np.asarray(d["expected_cost"], dtype=float),
            k=int(d.get("k", 5)), temperature=float(d.get("temperature", 0.1)),
            cost_weight=float(d.get("cost_weight", 0.0)), prior=float(d.get("prior", 0.0)),
            default=index[d["default"]], embedder=d.get("embedder", DEFAULT_MODEL),
            info=dict(d.get("info", {})),
        )

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict()) + "\n")
        return path

    @classmethod
    def load(cls, path: str | Path) -> PrototypeRouter:
        path = Path(path)
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            raise ValueError(f"{path}: no such router file") from None
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: not JSON ({exc})") from None
        return cls.from_dict(data, source=str(path))
