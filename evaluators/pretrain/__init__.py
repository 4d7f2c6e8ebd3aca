"""The `pretrain` evaluator: short pretraining runs of a proxy LM on a candidate mixture."""

from evaluators.pretrain.evaluator import DEFAULT_FIDELITIES, PretrainEvaluator

__all__ = ["DEFAULT_FIDELITIES", "PretrainEvaluator"]
