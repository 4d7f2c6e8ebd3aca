"""Fields a user leaves unset take the evaluator's suggestion, then the built-in default."""

from __future__ import annotations

from evaluators.pretrain.evaluator import PRESET_RUN_DEFAULTS
from evolver import RunConfig
from evolver.registry import evaluator_defaults


def resolved(**fields) -> RunConfig:  # noqa: ANN003
    config = RunConfig(target="mix", **fields)
    return config.with_defaults(evaluator_defaults("pretrain", config))


def test_the_default_mix_run_takes_the_settings_that_fit_five_minutes() -> None:
    config = RunConfig(target="mix")
    assert (config.budget, config.finalists, config.strategy, config.population,
            config.report_seeds) == (None, None, None, None, None)
    config = resolved()
    suggested = PRESET_RUN_DEFAULTS["cpu-tiny"]
    assert config.budget == suggested["budget"]
    assert (config.finalists, config.strategy, config.population, config.report_seeds) == \
        (3, "surrogate", 5, 5)
    assert config.finalists * config.finalist_seeds < config.budget
    assert config.domains is None  # the mix target's offline domains


def test_the_gpu_preset_names_the_codelion_samples() -> None:
    config = resolved(evaluator_options={"preset": "gpu-70m"})
    assert config.domains == ["finepdfs", "dclm", "fineweb-edu"]
    assert config.budget == 200 and config.strategy == "surrogate"


def test_what_the_user_set_wins() -> None:
    config = resolved(budget=10, domains=["a", "b"], strategy="variation", population=4,
                      finalists=0, evaluator_options={"preset": "gpu-70m"})
    assert (config.budget, config.domains, config.strategy, config.population,
            config.finalists) == (10, ["a", "b"], "variation", 4, 0)


def test_suggested_finalists_shrink_to_leave_a_short_run_its_search() -> None:
    """A smoke run (--budget 10) keeps most of its budget for the search: suggested
    finalists take at most a quarter of it; a user's own choice is checked, not changed."""
    assert resolved(budget=10).finalists == 1
    assert resolved(budget=5).finalists == 0
    assert resolved(budget=10, finalists=4).finalists == 4


def test_a_plain_callable_suggests_nothing() -> None:
    config = RunConfig(target="mix")
    config = config.with_defaults(evaluator_defaults(lambda c: 0.0, config))
    assert (config.budget, config.finalists, config.strategy, config.population,
            config.report_seeds) == (200, 0, "variation", 16, 3)
