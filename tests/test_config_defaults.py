"""Fields a user leaves unset take the evaluator's suggestion, then the built-in default."""

from __future__ import annotations

from evolver import RunConfig
from evolver.registry import evaluator_defaults


def resolved(**fields) -> RunConfig:  # noqa: ANN003
    config = RunConfig(target="mix", **fields)
    return config.with_defaults(evaluator_defaults("pretrain", config))


def test_the_default_mix_run_takes_the_budget_that_fits_five_minutes() -> None:
    assert RunConfig(target="mix").budget is None
    assert resolved().budget == 96
    assert resolved().domains is None  # the mix target's offline domains


def test_the_gpu_preset_names_the_codelion_samples() -> None:
    config = resolved(evaluator_options={"preset": "gpu-70m"})
    assert config.domains == ["finepdfs", "dclm", "fineweb-edu"]
    assert config.budget == 200


def test_what_the_user_set_wins() -> None:
    config = resolved(budget=10, domains=["a", "b"], evaluator_options={"preset": "gpu-70m"})
    assert (config.budget, config.domains) == (10, ["a", "b"])


def test_a_plain_callable_suggests_nothing() -> None:
    config = RunConfig(target="mix")
    assert config.with_defaults(evaluator_defaults(lambda c: 0.0, config)).budget == 200
