"""The `routerarena` evaluator: RouterArena data, splits, metrics and baselines for routers."""

from evaluators.routerarena.data import DataError, RouterData, load_data
from evaluators.routerarena.evaluator import RouterArenaEvaluator

__all__ = ["DataError", "RouterArenaEvaluator", "RouterData", "load_data"]
