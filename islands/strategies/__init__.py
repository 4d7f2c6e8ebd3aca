"""Proposal strategies by name. Third parties add theirs under `archipelago.strategies`."""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points
from typing import Any

from islands.strategies.base import Strategy
from islands.strategies.variation import VariationStrategy

_BUILT_IN: dict[str, Any] = {"variation": VariationStrategy}


@cache
def _plugins() -> dict[str, Any]:
    return {ep.name: ep for ep in entry_points(group="archipelago.strategies")}


def strategy_names() -> list[str]:
    return sorted({*_BUILT_IN, *_plugins()})


def strategy_class(name: str) -> type:
    if name in _BUILT_IN:
        return _BUILT_IN[name]
    if name in _plugins():
        return _plugins()[name].load()
    raise ValueError(f"strategy: unknown {name!r}; allowed: {', '.join(strategy_names())}")


def make_strategy(name: str, **options: Any) -> Strategy:
    return strategy_class(name)(**options)


__all__ = ["Strategy", "make_strategy", "strategy_class", "strategy_names"]
