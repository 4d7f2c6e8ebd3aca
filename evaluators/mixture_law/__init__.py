"""The `mixture-law` evaluator: a mixture law fitted on proxy runs, or the runs themselves."""

from evaluators.mixture_law.evaluator import MixtureLawEvaluator

__all__ = ["MixtureLawEvaluator"]
