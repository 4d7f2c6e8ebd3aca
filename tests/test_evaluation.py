"""How evaluator outcomes are classified: what users see as ok / failed / invalid."""

from __future__ import annotations

import math

from evaluators.base import run_evaluation
from evaluators.callable import CallableEvaluator
from evolver.types import Candidate, EvalContext, Objective

LOSS = [Objective("loss", "min")]
CAND = Candidate("c000001", "mix", {"a": 0.5, "b": 0.5})


def outcome(fn, objectives=LOSS):  # noqa: ANN001, ANN201
    return run_evaluation(CallableEvaluator(fn), CAND, EvalContext(seed=3), objectives)


def test_metrics_dict_is_ok_and_text_goes_to_artifacts() -> None:
    ev = outcome(lambda c: {"loss": 1.5, "acc": 0.25, "note": "looks fine"})
    assert ev.status == "ok"
    assert ev.objectives == {"loss": 1.5}
    assert ev.metrics == {"loss": 1.5, "acc": 0.25}
    assert ev.artifacts == {"note": "looks fine"}
    assert ev.seed == 3 and ev.id == "c000001@0/search3"


def test_a_single_number_scores_a_single_objective() -> None:
    assert outcome(lambda c: 2.0).objectives == {"loss": 2.0}


def test_raising_evaluator_is_failed_with_its_traceback() -> None:
    def boom(c):  # noqa: ANN001, ANN202
        raise ValueError("bad shard")

    ev = outcome(boom)
    assert ev.status == "failed"
    assert "ValueError: bad shard" in ev.error and "Traceback" in ev.error


def test_nan_inf_or_missing_objective_is_invalid() -> None:
    assert outcome(lambda c: {"loss": math.nan}).status == "invalid"
    assert outcome(lambda c: {"loss": math.inf}).status == "invalid"
    ev = outcome(lambda c: {"accuracy": 0.5})
    assert ev.status == "invalid" and "'loss' missing" in ev.error


def test_evaluator_may_take_the_context() -> None:
    ev = outcome(lambda c, ctx: {"loss": float(ctx.seed)})
    assert ev.objectives == {"loss": 3.0}


def test_wrong_return_type_is_invalid() -> None:
    ev = outcome(lambda c: [1, 2])
    assert ev.status == "invalid" and "expected a dict" in ev.error
