"""RunConfig: every setting of a run, validated before any work starts.

Loaded from TOML, overridden by CLI flags (which mirror the field names), resolved and written
to the run directory as `config.toml`. Every error names the field, the bad value and what is
allowed.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import tomli_w

BACKENDS = ("local", "ray")
DEFAULT_BUDGET = 200
#: what fields an evaluator may suggest (None in RunConfig) take when it suggests nothing
BUILT_IN_DEFAULTS: dict[str, Any] = {
    "budget": DEFAULT_BUDGET, "finalists": 0, "population": 16, "strategy": "variation",
    "report_seeds": 3}
TOPOLOGIES = ("ring", "star", "complete", "torus", "random")


class ConfigError(ValueError):
    """A bad setting. The message is one line, fit to show a user as it is."""


@dataclass
class RunConfig:
    """Settings of one run. Every field but `target` has a default."""

    target: str
    #: evaluations in all; None: the evaluator's suggestion (see config_defaults), else 200
    budget: int | None = None
    islands: int = 2
    backend: str = "local"
    address: str | None = None
    run_dir: str | None = None
    seed: int = 0
    domains: list[str] | None = None
    evaluator: str | None = None
    objectives: list[str] | None = None
    #: per island; None: the evaluator's suggestion, else 16
    population: int | None = None
    workers: int = 2
    #: how islands propose; a list gives one per island (cycled). None: the evaluator's
    #: suggestion, else variation
    strategy: str | list[str] | None = None
    topology: str = "ring"
    migration_interval: int = 10
    migrants: int = 2
    timeout: float = 600.0
    snapshot_interval: int = 20
    #: fresh seeds of the final report; None: the evaluator's suggestion, else 3
    report_seeds: int | None = None
    #: multi-fidelity: the best 1/eta of each fidelity level is promoted to the next
    eta: int = 3
    #: after the search, the best `finalists` at the highest fidelity are re-evaluated on
    #: `finalist_seeds` more search seeds and the best is named by their mean: one noisy
    #: evaluation flatters the candidate it ranks first (the winner's curse). Part of the
    #: budget. None: the evaluator's suggestion, else 0
    finalists: int | None = None
    finalist_seeds: int = 2
    strategy_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    target_options: dict[str, Any] = field(default_factory=dict)
    evaluator_options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.validate()

    # --- validation -------------------------------------------------------------------
    def validate(self) -> None:
        from evolver.registry import target_names  # late: registries read entry points

        _check_type(self, "target", str)
        if self.target not in target_names():
            raise ConfigError(
                f"target: unknown {self.target!r}; allowed: {', '.join(target_names())}"
            )
        bounds = [(name, low) for name, low in (("budget", 1), ("finalists", 0),
                                                ("population", 2), ("report_seeds", 0))
                  if getattr(self, name) is not None]
        for name, low in (
            *bounds, ("islands", 1), ("workers", 1),
            ("migration_interval", 1), ("migrants", 0), ("snapshot_interval", 1),
            ("eta", 2), ("finalist_seeds", 1),
        ):
            _check_type(self, name, int)
            value = getattr(self, name)
            if value < low:
                raise ConfigError(f"{name}: {value} is too small; allowed: an integer >= {low}")
        if self.budget is not None and self.finalists:
            reserve = self.finalists * self.finalist_seeds
            if reserve >= self.budget:
                raise ConfigError(
                    f"finalists: {self.finalists} x finalist_seeds {self.finalist_seeds} = "
                    f"{reserve} re-evaluations leave none of budget {self.budget} to the "
                    "search; allowed: finalists x finalist_seeds < budget")
        _check_type(self, "seed", int)
        _check_choice("backend", self.backend, BACKENDS)
        _check_choice("topology", self.topology, TOPOLOGIES)
        _check_type(self, "timeout", (int, float))
        if not self.timeout > 0:
            raise ConfigError(f"timeout: {self.timeout} s; allowed: a number of seconds > 0")
        for name in ("domains", "objectives"):
            value = getattr(self, name)
            if value is not None and (
                not isinstance(value, list) or not all(isinstance(v, str) for v in value)
            ):
                raise ConfigError(f"{name}: {value!r}; allowed: a list of strings")
        if self.domains is not None and len(set(self.domains)) != len(self.domains):
            raise ConfigError(f"domains: {self.domains!r} repeats a name; names must be unique")
        if self.objectives is not None:
            from evolver.types import Objective

            for spec in self.objectives:
                try:
                    Objective.parse(spec)
                except ValueError as exc:
                    raise ConfigError(f"objectives: {exc}") from None
        strategies = self.strategy if isinstance(self.strategy, list) else [self.strategy]
        from islands.strategies import strategy_names

        for s in strategies:
            if s is not None:  # None: resolved later (with_defaults)
                _check_choice("strategy", s, strategy_names())
        if isinstance(self.strategy, list) and not self.strategy:
            raise ConfigError("strategy: an empty list; give one strategy or one per island")
        for name in ("target_options", "evaluator_options", "strategy_options"):
            if not isinstance(getattr(self, name), dict):
                raise ConfigError(f"{name}: expected a table of settings")

    def with_defaults(self, defaults: dict[str, Any]) -> RunConfig:
        """Fill the fields left unset (None) from `defaults`, then the built-in ones."""
        changes = {k: v for k, v in defaults.items()
                   if v is not None and getattr(self, k) is None}
        changes.update({k: v for k, v in BUILT_IN_DEFAULTS.items()
                        if changes.get(k, getattr(self, k)) is None})
        if self.finalists is None and changes.get("finalists"):
            # a suggestion, not the user's choice: it may take at most a quarter of the
            # budget, so a short run (a smoke test, --budget 10) still searches
            budget = changes.get("budget", self.budget)
            changes["finalists"] = min(changes["finalists"],
                                       budget // (4 * self.finalist_seeds))
        return self.replace(**changes) if changes else self

    def strategy_of(self, island: int) -> str:
        """The strategy of one island: a list cycles over the islands."""
        strategy = self.strategy or BUILT_IN_DEFAULTS["strategy"]
        if isinstance(strategy, list):
            return strategy[island % len(strategy)]
        return strategy

    # --- files --------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "config") -> RunConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(
                f"{source}: unknown field {unknown[0]!r}; allowed: {', '.join(sorted(known))}"
            )
        if "target" not in data:
            raise ConfigError(f"{source}: field 'target' is required")
        try:
            return cls(**data)
        except TypeError as exc:  # a wrong call shape that dataclasses reports
            raise ConfigError(f"{source}: {exc}") from None

    @classmethod
    def load(cls, path: str | Path, overrides: dict[str, Any] | None = None) -> RunConfig:
        """Read a TOML file; `overrides` (CLI flags that were given) win over the file."""
        data = read_toml(path)
        data.update({k: v for k, v in (overrides or {}).items() if v is not None})
        return cls.from_dict(data, source=str(path))

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}

    def to_toml(self) -> str:
        return tomli_w.dumps(self.to_dict())

    def replace(self, **changes: Any) -> RunConfig:
        return dataclasses.replace(self, **changes)


def check_options(options: dict[str, Any], allowed: Iterable[str], field: str, owner: str) -> None:
    """Refuse a table of options with a name `owner` does not take, naming the allowed ones.

    `field` is the config table (`target_options`, `evaluator_options`), `owner` what reads it
    (`target mix`, `evaluator pretrain`), so the one line tells the user where to look.
    """
    allowed = list(allowed)
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise ConfigError(f"{field}: unknown {unknown[0]!r} for {owner}; "
                          f"allowed: {', '.join(allowed)}")


def read_toml(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    try:
        return tomllib.loads(path.read_text())
    except (FileNotFoundError, IsADirectoryError):
        raise ConfigError(f"config: no such file {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config: {path} is not valid TOML ({exc})") from None


def _check_type(config: RunConfig, name: str, kind: type | tuple[type, ...]) -> None:
    value = getattr(config, name)
    if isinstance(value, bool) or not isinstance(value, kind):
        allowed = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise ConfigError(f"{name}: {value!r} is a {type(value).__name__}; allowed: {allowed}")


def _check_choice(name: str, value: Any, allowed: tuple[str, ...] | list[str]) -> None:
    if value not in allowed:
        raise ConfigError(f"{name}: unknown {value!r}; allowed: {', '.join(allowed)}")
