"""Registries of targets and evaluators, fed by entry points (built-ins included).

A third party adds a target or an evaluator by declaring an entry point in the groups
`archipelago.targets` / `archipelago.evaluators` of its own distribution.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evaluators.base import Evaluator
    from evolver.config import RunConfig
    from evolver.targets.base import Target

TARGET_GROUP = "archipelago.targets"
EVALUATOR_GROUP = "archipelago.evaluators"


@cache
def _group(group: str) -> dict[str, Any]:
    return {ep.name: ep for ep in entry_points(group=group)}


def target_names() -> list[str]:
    return sorted(_group(TARGET_GROUP))


def evaluator_names() -> list[str]:
    return sorted(_group(EVALUATOR_GROUP))


def make_target(config: RunConfig) -> Target:
    cls = _group(TARGET_GROUP)[config.target].load()
    return cls.from_config(config)


def default_evaluator_name(config: RunConfig) -> str:
    return config.evaluator or _group(TARGET_GROUP)[config.target].load().default_evaluator


def evaluator_defaults(evaluator: Any, config: RunConfig) -> dict[str, Any]:
    """RunConfig fields an evaluator suggests for what the user left unset: an evaluator
    (a registry name, class or object) may offer `config_defaults(evaluator_options)`, such
    as the domains its preset names or a budget that fits its cost."""
    if isinstance(evaluator, str):
        entry = _group(EVALUATOR_GROUP).get(evaluator)
        if entry is None:
            return {}
        evaluator = entry.load()
    suggest = getattr(evaluator, "config_defaults", None)
    return dict(suggest(config.evaluator_options)) if suggest else {}


def make_evaluator(name: str, config: RunConfig) -> Evaluator:
    """Build an evaluator from a registry name or a `module:function` / `file.py:function`."""
    from evolver.config import ConfigError

    group = _group(EVALUATOR_GROUP)
    if name in group:
        cls = group[name].load()
        if hasattr(cls, "from_config"):
            return cls.from_config(config)
        return cls(**config.evaluator_options)
    if ":" in name:
        from evaluators.callable import CallableEvaluator

        try:
            return CallableEvaluator.from_reference(name, **config.evaluator_options)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
    raise ConfigError(
        f"evaluator: unknown {name!r}; allowed: {', '.join(sorted(group))}, "
        "or a reference 'module:function' / 'path/to/file.py:function'"
    )
