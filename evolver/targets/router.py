"""The router target: a candidate is a recipe for a Chayan-style prototype router.

A genome says, per model, how many prototypes it gets and how its k-means starts, its score
multiplier, and the routing knobs k, temperature, cost weight and a prior toward the best
single model. The `routerarena` evaluator fits the prototypes from the data (k-means of the
queries each model is the cheapest correct one on) inside every cross-validation fold, so a
recipe is judged on queries its prototypes were not placed on. A genome holding the vectors
themselves would be tuned to the very queries that select it, which no validation split can
detect; and it would weigh tens of kilobytes per candidate in the run store.

The `Searchable` hook (a box of counts, log multipliers, k, log temperature, cost weight and
prior) lets the `optuna` and `surrogate` strategies search routers too.

Variation adds and removes prototypes (a model's count), moves them (a new k-means start for
one model's prototypes), and jitters multipliers, k, temperature, cost weight and prior.
`export` fits the recipe on all of train + validation and writes the deployable router file.

Default objective: `arena_score:max` (one best router to export, RouterArena's own ranking).
For the accuracy / cost Pareto front set `objectives = ["accuracy:max", "cost_per_1k:min"]`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from evolver.targets.base import InvalidGenome

if TYPE_CHECKING:
    from evolver.config import RunConfig
    from models.router import PrototypeRouter

#: bounds of the genome's numbers: (low, high)
BOUNDS = {"multiplier": (0.05, 20.0), "k": (1, 32), "temperature": (0.005, 2.0),
          "cost_weight": (0.0, 2.0), "prior": (0.0, 2.0)}
OPERATORS = ("add", "remove", "move", "multiplier", "k", "temperature", "cost_weight", "prior")


@dataclass
class RouterTarget:
    models: tuple[str, ...]
    max_prototypes: int = 16
    sigma: float = 0.3
    config: RunConfig | None = field(default=None, repr=False)

    name: ClassVar[str] = "router"
    default_objectives: ClassVar[tuple[str, ...]] = ("arena_score:max",)
    default_evaluator: ClassVar[str] = "routerarena"
    #: prior strength (a genome-level proxy for the share sent to the best single model), and
    #: the number of prototypes, both scaled to [0, 1]
    descriptor_names: ClassVar[tuple[str, ...]] = ("default_pull", "prototypes")

    def __post_init__(self) -> None:
        self.models = tuple(self.models)
        if len(self.models) < 2 or len(set(self.models)) != len(self.models):
            raise ValueError(f"models: {list(self.models)}; a router needs two or more "
                             "distinct models")
        if self.max_prototypes < 1:
            raise ValueError(f"max_prototypes: {self.max_prototypes}; allowed: >= 1")

    @classmethod
    def from_config(cls, config: RunConfig) -> RouterTarget:
        from evaluators.routerarena.data import DataError, model_names
        from evolver.config import ConfigError, check_options

        options = dict(config.target_options)
        check_options(options, ("models", "max_prototypes", "sigma"), "target_options",
                      "target router")
        try:
            models = options.pop("models", None) or model_names(
                config.evaluator_options.get("data"))
            return cls(models=tuple(models), config=config, **options)
        except (DataError, ValueError, TypeError) as exc:
            raise ConfigError(str(exc)) from None

    # --- genomes ------------------------------------------------------------------------
    def _genome(self, counts: dict[str, int], multipliers: dict[str, float] | None = None,
                k: int = 5, temperature: float = 0.1, cost_weight: float = 0.0,
                prior: float = 0.0, init: dict[str, int] | None = None) -> dict[str, Any]:
        return self.validate({
            "prototypes": counts, "init": init or dict.fromkeys(self.models, 0),
            "multipliers": multipliers or dict.fromkeys(self.models, 1.0), "k": k,
            "temperature": temperature, "cost_weight": cost_weight, "prior": prior,
            "default": "auto",
        })

    def unevolved(self) -> dict[str, Any]:
        """Chayan as set by hand: 4 prototypes a model, k 5, no cost term, no prior."""
        return self._genome(dict.fromkeys(self.models, min(4, self.max_prototypes)))

    def random_genome(self, rng: np.random.Generator) -> dict[str, Any]:
        lo, hi = BOUNDS["temperature"]
        return self._genome(
            {m: int(rng.integers(0, self.max_prototypes + 1)) for m in self.models},
            {m: float(np.exp(rng.normal(0.0, 0.5))) for m in self.models},
            k=int(rng.integers(1, 17)),
            temperature=float(np.exp(rng.uniform(math.log(lo), math.log(1.0)))),
            cost_weight=float(rng.uniform(0.0, 1.0)), prior=float(rng.uniform(0.0, 0.5)),
            init={m: int(rng.integers(0, 1000)) for m in self.models},
        )

    def seed_genomes(self) -> list[dict[str, Any]]:
        leaning = self.unevolved()
        leaning["prior"] = 0.5  # leans on the best single model: the regularised start
        return [self.unevolved(), leaning]

    def baselines(self) -> dict[str, dict[str, Any]]:
        """Measured beside the best on the report split (the evaluator adds the rest)."""
        return {"unevolved": self.unevolved(),
                "best_single": self._genome(dict.fromkeys(self.models, 0), prior=1.0)}

    def validate(self, genome: Any) -> dict[str, Any]:
        if not isinstance(genome, dict):
            raise InvalidGenome(f"a router recipe is a dict, got {type(genome).__name__}")
        expected = {"prototypes", "init", "multipliers", "k", "temperature", "cost_weight",
                    "prior", "default"}
        if set(genome) != expected:
            raise InvalidGenome(f"router recipe fields {sorted(genome)}; expected "
                                f"{sorted(expected)}")
        out: dict[str, Any] = {}
        for name, kind, lo, hi in (("prototypes", int, 0, self.max_prototypes),
                                   ("init", int, 0, 2**31 - 1),
                                   ("multipliers", float, *BOUNDS["multiplier"])):
            table = genome[name]
            if not isinstance(table, dict) or set(table) != set(self.models):
                raise InvalidGenome(f"{name}: needs one entry per model {list(self.models)}")
            out[name] = {m: _number(f"{name}[{m}]", table[m], kind, lo, hi)
                         for m in self.models}
        out["k"] = _number("k", genome["k"], int, *BOUNDS["k"])
        for name in ("temperature", "cost_weight", "prior"):
            out[name] = _number(name, genome[name], float, *BOUNDS[name])
        if genome["default"] != "auto" and genome["default"] not in self.models:
            raise InvalidGenome(f"default: {genome['default']!r}; allowed: auto, "
                                f"{', '.join(self.models)}")
        out["default"] = genome["default"]
        return out

    # --- variation ----------------------------------------------------------------------
    def mutate(self, genome: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
        g = json.loads(json.dumps(genome))
        for op in rng.choice(OPERATORS, size=int(rng.integers(1, 3)), replace=False):
            m = str(rng.choice(self.models))
            if op == "add":
                g["prototypes"][m] = min(g["prototypes"][m] + 1, self.max_prototypes)
            elif op == "remove":
                g["prototypes"][m] = max(g["prototypes"][m] - 1, 0)
            elif op == "move":
                g["init"][m] = int(rng.integers(0, 2**31 - 1))
            elif op == "multiplier":
                g["multipliers"][m] *= float(np.exp(rng.normal(0.0, self.sigma)))
            elif op == "k":
                g["k"] += int(rng.choice([-2, -1, 1, 2]))
            elif op == "temperature":
                g["temperature"] *= float(np.exp(rng.normal(0.0, 2 * self.sigma)))
            else:  # cost_weight, prior: additive, they may sit at 0
                g[op] += float(rng.normal(0.0, self.sigma / 2))
        return self.validate(_clip(g))

    def crossover(self, a: dict[str, Any], b: dict[str, Any], rng: np.random.Generator
                  ) -> dict[str, Any]:
        """Per model, prototypes (count and start) and multiplier come from one parent."""
        g: dict[str, Any] = {"prototypes": {}, "init": {}, "multipliers": {}, "default": "auto"}
        for m in self.models:
            src = a if rng.random() < 0.5 else b
            g["prototypes"][m], g["init"][m] = src["prototypes"][m], src["init"][m]
            g["multipliers"][m] = (a if rng.random() < 0.5 else b)["multipliers"][m]
        for name in ("k", "temperature", "cost_weight", "prior"):
            g[name] = (a if rng.random() < 0.5 else b)[name]
        g["default"] = a["default"]
        return self.validate(g)

    # --- search space (the `Searchable` hook, for Optuna samplers and surrogates) -------
    def search_space(self) -> dict[str, tuple[float, float]]:
        """Counts and k as reals (rounded), multipliers and temperature on a log scale.

        The k-means starts are not in the box (a sampler cannot model a seed): a genome from
        the box starts every model's k-means at 0, and `to_params` forgets the starts.
        """
        t_lo, _ = BOUNDS["temperature"]
        box = {f"prototypes:{m}": (0.0, float(self.max_prototypes)) for m in self.models}
        box.update({f"log_multiplier:{m}": (math.log(0.2), math.log(5.0)) for m in self.models})
        box.update({"k": (1.0, 16.0), "log_temperature": (math.log(t_lo), 0.0),
                    "cost_weight": (0.0, 1.0), "prior": (0.0, 1.0)})
        return box

    def from_params(self, params: dict[str, float]) -> dict[str, Any]:
        return self._genome(
            {m: int(round(params[f"prototypes:{m}"])) for m in self.models},
            {m: float(np.exp(params[f"log_multiplier:{m}"])) for m in self.models},
            k=int(round(params["k"])), temperature=float(np.exp(params["log_temperature"])),
            cost_weight=float(params["cost_weight"]), prior=float(params["prior"]))

    def to_params(self, genome: dict[str, Any]) -> dict[str, float]:
        box = self.search_space()
        raw = {**{f"prototypes:{m}": float(n) for m, n in genome["prototypes"].items()},
               **{f"log_multiplier:{m}": math.log(v) for m, v in genome["multipliers"].items()},
               "k": float(genome["k"]), "log_temperature": math.log(genome["temperature"]),
               "cost_weight": float(genome["cost_weight"]), "prior": float(genome["prior"])}
        return {name: min(max(raw[name], lo), hi) for name, (lo, hi) in box.items()}

    def features(self, genome: dict[str, Any]) -> list[float]:
        """The box coordinates scaled to [0, 1], so no knob dominates a distance."""
        box = self.search_space()
        params = self.to_params(genome)
        return [(params[n] - lo) / (hi - lo) for n, (lo, hi) in box.items()]

    # --- description --------------------------------------------------------------------
    def descriptors(self, genome: dict[str, Any]) -> tuple[float, float]:
        total = sum(genome["prototypes"].values())
        return (min(genome["prior"] / BOUNDS["prior"][1], 1.0),
                total / (self.max_prototypes * len(self.models)))

    def key(self, genome: dict[str, Any]) -> str:
        return json.dumps(genome, sort_keys=True)

    def describe(self, genome: dict[str, Any]) -> str:
        protos = " ".join(f"{m}={n}" for m, n in genome["prototypes"].items())
        return (f"prototypes {protos}; k={genome['k']} T={genome['temperature']:.3g} "
                f"cost_weight={genome['cost_weight']:.2f} prior={genome['prior']:.2f}")

    # --- deployment ---------------------------------------------------------------------
    def export(self, genome: dict[str, Any], path: str | Path) -> Path:
        """Fit the recipe on train + validation of the run's data; write the router file."""
        from evaluators.routerarena import RouterArenaEvaluator
        from evolver.config import RunConfig

        config = self.config or RunConfig(target=self.name)
        router = RouterArenaEvaluator.from_config(config).fit(self.validate(genome))
        return router.save(path)

    def load(self, path: str | Path) -> PrototypeRouter:
        from models.router import PrototypeRouter

        return PrototypeRouter.load(path)


def _number(name: str, value: Any, kind: type, lo: float, hi: float) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not math.isfinite(value) or (kind is int and value != int(value)):
        what = "an integer" if kind is int else "a number"
        raise InvalidGenome(f"{name}: {value!r}; expected {what}")
    if not lo <= value <= hi:
        raise InvalidGenome(f"{name}: {value}; allowed: {lo} to {hi}")
    return int(value) if kind is int else round(float(value), 4)


def _clip(g: dict[str, Any]) -> dict[str, Any]:
    g["multipliers"] = {m: min(max(v, BOUNDS["multiplier"][0]), BOUNDS["multiplier"][1])
                        for m, v in g["multipliers"].items()}
    for name in ("k", "temperature", "cost_weight", "prior"):
        lo, hi = BOUNDS[name]
        g[name] = type(g[name])(min(max(g[name], lo), hi))
    return g
