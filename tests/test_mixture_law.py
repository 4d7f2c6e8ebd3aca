"""The `mixture-law` evaluator: the fit on real RegMix runs, tabular mode, splits, support and
bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from evaluators.base import run_evaluation
from evaluators.mixture_law import MixtureLawEvaluator
from evaluators.mixture_law.regmix import (
    DOMAINS,
    MIXTURE_PREFIX,
    PILE_CC,
    data_dir,
    regmix_options,
)
from evolver import ConfigError, Engine, RunConfig, RunReader
from evolver.types import Candidate, EvalContext, Objective

REGMIX = data_dir()
needs_regmix = pytest.mark.skipif(REGMIX is None, reason="RegMix runs not found: set "
                                  "ARCHIPELAGO_DATA or put them in ../shared/data/regmix")
SMALL = {"n_models": 2, "rounds": 200, "learning_rate": 0.05}
TOY_DOMAINS = ("a", "b", "c")


def toy_runs(path: Path, n: int = 60, fmt: str = "csv", seed: int = 0) -> Path:
    """Runs of a known law: loss_x falls with the share of a, loss_y with the share of b."""
    rng = np.random.default_rng(seed)
    w = rng.dirichlet(np.ones(3), size=n)
    rows = [{"run": i, "mix_a": x[0], "mix_b": x[1], "mix_c": x[2],
             "loss_x": 3.0 - x[0] + 0.01 * rng.normal(), "loss_y": 3.0 - 2 * x[1]}
            for i, x in enumerate(w)]
    if fmt == "csv":
        pd.DataFrame(rows).to_csv(path, index=False)
    else:
        path.write_text("\n".join(json.dumps(
            {"run": r["run"], "mixture": {d: r[f"mix_{d}"] for d in TOY_DOMAINS},
             "loss_x": r["loss_x"], "loss_y": r["loss_y"]}) for r in rows))
    return path


def ask(ev: MixtureLawEvaluator, genome: dict[str, float], split: str = "search") -> dict:
    result = run_evaluation(ev, Candidate("c0", "mix", genome), EvalContext(split=split),
                            ev.objectives)
    assert result.status == "ok", result.error
    return {**result.metrics, **result.artifacts}


@needs_regmix
def test_law_fitted_on_512_training_runs_ranks_the_256_test_runs() -> None:
    ev = MixtureLawEvaluator(DOMAINS, **regmix_options(REGMIX, report=None, report_fraction=0))
    assert len(ev.runs) == 512
    cols = [MIXTURE_PREFIX + d for d in DOMAINS]
    test = pd.read_csv(REGMIX / "test_mixture_1m.csv")
    predicted, spread = ev.predict(test[cols].to_numpy())
    for size in ("1m", "60m"):
        real = pd.read_csv(REGMIX / f"test_pile_loss_{size}.csv")[PILE_CC]
        assert spearmanr(predicted, real)[0] >= 0.95, size
    assert (spread > 0).all()


@needs_regmix
def test_the_report_split_asks_a_law_fitted_on_other_runs() -> None:
    ev = MixtureLawEvaluator(DOMAINS, **regmix_options(REGMIX, **SMALL))
    genome = {d: 1 / len(DOMAINS) for d in DOMAINS}
    search, report = ask(ev, genome), ask(ev, genome, "report")
    assert search["loss_predicted"] != report["loss_predicted"]
    assert "256 runs of" in report["report_source"]


def test_without_report_runs_a_held_out_share_fits_the_report_law(tmp_path: Path) -> None:
    runs = toy_runs(tmp_path / "runs.csv")
    ev = MixtureLawEvaluator(TOY_DOMAINS, "loss_x", runs=str(runs), join="run",
                             mixture_prefix="mix_", **SMALL)
    assert len(ev.runs) == 48 and ev.report_law.n_runs == 12  # 20% of 60 held out
    assert ask(ev, {"a": 0.3, "b": 0.3, "c": 0.4}, "report")["report_source"] == \
        "a law fitted on 12 held-out runs"


def test_tabular_mode_answers_with_the_nearest_recorded_run(tmp_path: Path) -> None:
    runs = toy_runs(tmp_path / "runs.csv")
    ev = MixtureLawEvaluator(TOY_DOMAINS, "loss_x", runs=str(runs), join="run",
                             mixture_prefix="mix_", mode="tabular")
    table = pd.read_csv(runs)
    row = table.iloc[17]
    near = {"a": row.mix_a + 0.01, "b": row.mix_b, "c": max(row.mix_c - 0.01, 0.0)}
    for split in ("search", "report"):
        answer = ask(ev, near, split)
        assert answer["run_id"] == "17" and answer["loss"] == pytest.approx(row.loss_x)
        assert 0 < answer["snap_distance"] < 0.1


def test_jsonl_runs_with_several_loss_columns(tmp_path: Path) -> None:
    runs = toy_runs(tmp_path / "runs.jsonl", n=200, fmt="jsonl")
    ev = MixtureLawEvaluator(TOY_DOMAINS, ["loss_x", "loss_y"], runs=str(runs), join="run",
                             mixture_prefix="mixture.", report_fraction=0, **SMALL)
    a_heavy = ask(ev, {"a": 0.8, "b": 0.1, "c": 0.1})
    b_heavy = ask(ev, {"a": 0.1, "b": 0.8, "c": 0.1})
    assert a_heavy["loss:loss_x"] < b_heavy["loss:loss_x"]
    assert b_heavy["loss:loss_y"] < a_heavy["loss:loss_y"]
    assert b_heavy["loss"] == pytest.approx((b_heavy["loss:loss_x"] + b_heavy["loss:loss_y"]) / 2)
    assert b_heavy["loss"] < a_heavy["loss"]  # loss_y falls twice as fast with b


def test_outside_the_support_is_penalised_or_invalid(tmp_path: Path) -> None:
    runs = tmp_path / "runs.csv"
    toy = pd.read_csv(toy_runs(runs))
    toy["mix_c"] = toy["mix_c"].clip(upper=0.15)  # no run gives c more than 15%
    rest = (1.0 - toy["mix_c"]) / (toy["mix_a"] + toy["mix_b"])
    toy["mix_a"] *= rest
    toy["mix_b"] *= rest
    toy.to_csv(runs, index=False)
    options = dict(runs=str(runs), join="run", mixture_prefix="mix_", **SMALL)
    outside = {"a": 0.2, "b": 0.2, "c": 0.6}
    penalised = ask(MixtureLawEvaluator(TOY_DOMAINS, "loss_x", **options), outside)
    assert penalised["support_excess"] == pytest.approx(0.45)
    assert penalised["loss"] > penalised["loss_predicted"]
    plain = ask(MixtureLawEvaluator(TOY_DOMAINS, "loss_x", support="off", **options), outside)
    assert plain["loss"] == plain["loss_predicted"]
    strict = MixtureLawEvaluator(TOY_DOMAINS, "loss_x", support="invalid", **options)
    result = run_evaluation(strict, Candidate("c1", "mix", outside), EvalContext(),
                            strict.objectives)
    assert result.status == "invalid" and "c=0.600 >" in result.error


def test_bad_data_and_options_are_one_clear_line(tmp_path: Path) -> None:
    runs = toy_runs(tmp_path / "runs.csv")
    base = dict(runs=str(runs), join="run", mixture_prefix="mix_")
    with pytest.raises(ValueError, match=r"no mixture column 'mix_d' for domain 'd'; .* "
                                         "domains found are: a, b, c"):
        MixtureLawEvaluator(("a", "b", "d"), "loss_x", **base)
    with pytest.raises(ValueError, match="has no column 'loss_z'; its other columns: run, "):
        MixtureLawEvaluator(TOY_DOMAINS, "loss_z", **base)
    with pytest.raises(ValueError, match="no such file"):
        MixtureLawEvaluator(TOY_DOMAINS, "loss_x", runs=str(tmp_path / "nope.csv"))
    bad = pd.read_csv(runs).astype({"loss_x": object})
    bad.loc[4, "loss_x"] = "oops"
    bad.to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(ValueError, match="row 5: column 'loss_x' is 'oops'; expected a finite"):
        MixtureLawEvaluator(TOY_DOMAINS, "loss_x", **{**base, "runs": str(tmp_path / "bad.csv")})
    with pytest.raises(ValueError, match="mode: unknown 'table'; allowed: law, tabular"):
        MixtureLawEvaluator(TOY_DOMAINS, "loss_x", mode="table", **base)
    config = RunConfig(target="mix", domains=list(TOY_DOMAINS), evaluator="mixture-law",
                       evaluator_options={**base, "target": "loss_x", "rouns": 3})
    with pytest.raises(ConfigError, match="unknown 'rouns' for evaluator mixture-law; allowed"):
        Engine(config)
    with pytest.raises(ConfigError, match="domains: the mixture-law evaluator needs"):
        Engine(config.replace(domains=None, evaluator_options={**base, "target": "loss_x"}))


def test_an_engine_run_with_the_law_by_name(tmp_path: Path) -> None:
    runs = toy_runs(tmp_path / "runs.csv", n=120)
    config = RunConfig(target="mix", domains=list(TOY_DOMAINS), evaluator="mixture-law",
                       evaluator_options={"runs": str(runs), "join": "run",
                                          "mixture_prefix": "mix_", "target": "loss_x", **SMALL},
                       target_options={"floor": 0.0}, budget=24, population=8, islands=1,
                       workers=1, report_seeds=1, run_dir=str(tmp_path / "r"))
    result = Engine(config).run()
    assert result.counts["ok"] == 24
    assert result.best.genome["a"] > 0.5  # the law's loss falls with a's share
    with RunReader(result.run_dir) as reader:
        assert reader.objectives() == [Objective("loss")]
    assert result.report["best"]["loss"]["n"] == 1
