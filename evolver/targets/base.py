"""The target protocol: what a kind of candidate is and how it varies.

A target knows its genome and its variation operators; it knows nothing of islands, Ray or
the run store. Islands call these methods with their own RNG, so a run is reproducible.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    from pathlib import Path

    from evolver.config import RunConfig

Genome = Any


class InvalidGenome(ValueError):
    """A genome that breaks the target's rules; its evaluation is recorded `invalid`."""


@runtime_checkable
class Target(Protocol):
    name: ClassVar[str]
    #: objectives used when neither the config nor the evaluator names any
    default_objectives: ClassVar[tuple[str, ...]]
    #: the evaluator used when the config names none (a registry name)
    default_evaluator: ClassVar[str]
    #: names of the behaviour descriptors, each in [0, 1], for the MAP-Elites grid
    descriptor_names: ClassVar[tuple[str, ...]]

    @classmethod
    def from_config(cls, config: RunConfig) -> Target: ...

    def random_genome(self, rng: np.random.Generator) -> Genome: ...

    def seed_genomes(self) -> list[Genome]:
        """Genomes every island starts from besides random ones (such as the uniform mix)."""
        ...

    def baselines(self) -> dict[str, Genome]:
        """Named reference genomes measured beside the best in the final report."""
        ...

    def validate(self, genome: Genome) -> Genome:
        """Return the genome in canonical form or raise InvalidGenome."""
        ...

    def mutate(self, genome: Genome, rng: np.random.Generator) -> Genome: ...

    def crossover(self, a: Genome, b: Genome, rng: np.random.Generator) -> Genome: ...

    def descriptors(self, genome: Genome) -> tuple[float, ...]: ...

    def key(self, genome: Genome) -> str:
        """A canonical string: two genomes with one key are the same candidate."""
        ...

    def describe(self, genome: Genome) -> str:
        """One short line for terminals and logs."""
        ...


@runtime_checkable
class Searchable(Protocol):
    """Optional hook of a target: a box of real parameters that numeric samplers can search.

    Optuna samplers (TPE, CMA-ES, GP) and surrogate models need numbers, while a genome may be
    a dict, a text or a router. A target that offers this hook can be searched by the `optuna`
    and `surrogate` strategies; one that does not still works with `variation`. Kept apart
    from `Target` so that targets without it still satisfy that protocol.
    """

    def search_space(self) -> dict[str, tuple[float, float]]:
        """Parameter name -> (low, high); every genome is reachable from this box."""
        ...

    def from_params(self, params: dict[str, float]) -> Genome:
        """The genome of a point of the box (a valid genome in canonical form)."""
        ...

    def to_params(self, genome: Genome) -> dict[str, float]:
        """A point of the box that maps back to (nearly) this genome, so that genomes made
        elsewhere (seeds, immigrants) can be told to a sampler as known trials."""
        ...

    def features(self, genome: Genome) -> list[float]:
        """A numeric embedding for regression models, in which nearby genomes score alike."""
        ...


@runtime_checkable
class Deployable(Protocol):
    """Optional hook of a target whose candidates deploy as files (such as a router).

    `evolve export RUN_DIR --best FILE` writes the best candidate through `export`, and
    `evolve score FILE --data DIR` reads it back through `load` and has the target's default
    evaluator score it (its `score` method). A target without the hook exports its genome as
    JSON. Kept apart from `Target` so that targets without it still satisfy that protocol.
    """

    def export(self, genome: Genome, path: str | Path) -> Path:
        """Write what a user deploys for this genome (fitted on the run's search data)."""
        ...

    def load(self, path: str | Path) -> Any:
        """Read a file `export` wrote; ValueError names the file and what is wrong."""
        ...
