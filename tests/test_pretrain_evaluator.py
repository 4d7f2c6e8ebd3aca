"""The pretrain evaluator with real (tiny) training runs on two small local domains."""

from __future__ import annotations

import json
import pickle
import random
from pathlib import Path

import numpy as np
import pytest

from evaluators.base import run_evaluation
from evaluators.pretrain import PretrainEvaluator
from evaluators.pretrain.train import allocate, build_examples, domain_order, interleave
from evolver.config import RunConfig
from evolver.types import Candidate, EvalContext, Objective

WORDS = ("the", "cat", "sat", "on", "a", "mat", "while", "an", "old", "dog", "slept", "by",
         "warm", "fire", "and", "rain", "fell", "softly", "over", "quiet", "hills", "where")


def write_domains(folder: Path) -> dict[str, str]:
    """Two domains that differ in every byte statistic: English prose and arithmetic."""
    rng = random.Random(0)
    folder.mkdir(parents=True, exist_ok=True)
    prose = [" ".join(rng.choice(WORDS) for _ in range(90)) + "." for _ in range(80)]
    sums = []
    for _ in range(80):
        pairs = [(rng.randint(10, 999), rng.randint(10, 999)) for _ in range(30)]
        sums.append("\n".join(f"{a} + {b} = {a + b}" for a, b in pairs))
    for name, docs in (("prose", prose), ("sums", sums)):
        with (folder / f"{name}.jsonl").open("w") as f:
            for doc in docs:
                f.write(json.dumps({"text": doc}) + "\n")
    return {"prose": str(folder / "prose.jsonl"), "sums": str(folder / "sums.jsonl")}


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return write_domains(tmp_path_factory.mktemp("domains"))


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("cache"))


def make(sources: dict[str, str], cache: str, **options: object) -> PretrainEvaluator:
    options = {"fidelities": (2048, 8192), "holdout_bytes": 3000, "eval_tokens": 1024,
               "threads": 1, **options}
    evaluator = PretrainEvaluator(("prose", "sums"), sources=sources, cache_dir=cache,
                                  **options)  # type: ignore[arg-type]
    evaluator.prepare()
    return evaluator


def score(evaluator: PretrainEvaluator, genome: dict[str, float], fidelity: int = 1,
          seed: int = 0, split: str = "search") -> dict[str, float]:
    return evaluator.evaluate(Candidate("c1", "mix", genome),  # type: ignore[return-value]
                              EvalContext(fidelity=fidelity, seed=seed, split=split))


@pytest.mark.parametrize("mixing", ["sample", "reweight"])
def test_same_candidate_and_seed_give_the_same_loss(sources: dict[str, str], cache: str,
                                                    mixing: str) -> None:
    evaluator = make(sources, cache, mixing=mixing)
    genome = {"prose": 0.6, "sums": 0.4}
    a, b = score(evaluator, genome, seed=5), score(evaluator, genome, seed=5)
    assert a["loss"] == b["loss"] and a["loss.prose"] == b["loss.prose"]
    assert score(evaluator, genome, seed=6)["loss"] != a["loss"]


def test_training_on_a_domain_lowers_the_loss_on_that_domain(sources: dict[str, str],
                                                             cache: str) -> None:
    evaluator = make(sources, cache)
    on_prose = score(evaluator, {"prose": 1.0, "sums": 0.0})
    on_sums = score(evaluator, {"prose": 0.0, "sums": 1.0})
    assert on_prose["loss.prose"] < on_sums["loss.prose"] - 0.1
    assert on_sums["loss.sums"] < on_prose["loss.sums"] - 0.1
    assert on_prose["epochs.sums"] == 0.0


def test_metrics_epochs_and_bits_per_byte(sources: dict[str, str], cache: str) -> None:
    evaluator = make(sources, cache)
    m = score(evaluator, {"prose": 0.75, "sums": 0.25})
    p = evaluator.preset
    n = 8192 // (p.seq_len * p.batch_size) * p.batch_size  # sequences in the run
    data = evaluator.data()
    for name, share in (("prose", 0.75), ("sums", 0.25)):
        train_tokens = len(data[name].tokens["train"]) - 1
        assert m[f"epochs.{name}"] == pytest.approx(share * n * p.seq_len / train_tokens)
        # byte tokens: bits per byte is the loss in bits, less the separators' share
        assert m[f"bpb.{name}"] == pytest.approx(
            m[f"loss.{name}"] / np.log(2) / data[name].bytes_per_token("val"))
    assert m["loss"] == pytest.approx((m["loss.prose"] + m["loss.sums"]) / 2)
    assert m["tokens"] == n * p.seq_len and m["tokens_per_s"] > 0


def test_each_domain_is_walked_in_a_seeded_order_one_epoch_at_a_time() -> None:
    order = domain_order(5, 12, seed=3, domain="d")
    assert sorted(order[:5]) == list(range(5)) and sorted(order[5:10]) == list(range(5))
    assert set(order[10:]) <= set(range(5))
    # common random numbers: a domain's order does not depend on how much of it is used
    assert list(domain_order(5, 7, seed=3, domain="d")) == list(order[:7])
    assert list(domain_order(5, 7, seed=4, domain="d")) != list(order[:7])
    assert [d for d, _ in interleave({"a": 2, "b": 4})] == ["b", "a", "b", "b", "a", "b"]
    assert allocate({"a": 0.5, "b": 0.3, "c": 0.2}, 7) == {"a": 4, "b": 2, "c": 1}


def test_reweighting_trains_every_mixture_on_the_same_batches(sources: dict[str, str],
                                                              cache: str) -> None:
    evaluator = make(sources, cache)
    data = evaluator.data()
    counts = allocate({"prose": 1.0, "sums": 1.0}, 32)
    a, rows_a = build_examples(counts, data, evaluator.preset.seq_len, seed=1)
    b, rows_b = build_examples(counts, data, evaluator.preset.seq_len, seed=1)
    assert rows_a == rows_b and bool((a == b).all())
    sampled, _ = build_examples(allocate({"prose": 0.9, "sums": 0.1}, 32), data,
                                evaluator.preset.seq_len, seed=1)
    assert not bool((sampled == a).all())


def test_repetition_limit_and_penalty(sources: dict[str, str], cache: str) -> None:
    genome = {"prose": 0.9, "sums": 0.1}
    strict = make(sources, cache, max_epochs=0.05, repetition="invalid")
    ev = run_evaluation(strict, Candidate("c9", "mix", genome), EvalContext(fidelity=1),
                        [Objective("loss")])
    assert ev.status == "invalid" and "repeats 'prose'" in ev.error and "max_epochs" in ev.error
    lenient = make(sources, cache, max_epochs=0.05, repetition_penalty=0.5)
    m = score(lenient, genome)
    excess = max(0.0, m["epochs.prose"] - 0.05) + max(0.0, m["epochs.sums"] - 0.05)
    assert m["repetition_excess"] == pytest.approx(excess) and excess > 0
    assert m["loss"] == pytest.approx(m["loss_raw"] + 0.5 * excess)


def test_report_split_is_scored_on_other_held_out_text(sources: dict[str, str],
                                                       cache: str) -> None:
    evaluator = make(sources, cache)
    genome = {"prose": 0.5, "sums": 0.5}
    search, report = score(evaluator, genome), score(evaluator, genome, split="report")
    assert search["train_loss"] == report["train_loss"]  # the same training run
    assert search["loss"] != report["loss"]  # scored on different documents
    data = evaluator.data()["prose"]
    train = set(bytes(data.tokens["train"].astype(np.uint8)).split(b"\x00"))
    for split in ("val", "test"):
        held = set(bytes(data.tokens[split].astype(np.uint8)).split(b"\x00")) - {b""}
        assert held and not held & train


def test_a_few_held_out_windows_are_spread_over_the_whole_part(sources: dict[str, str],
                                                               cache: str) -> None:
    """Scoring on the first windows only would score the first few documents, and a search
    would tune to them; `limit` windows are spread evenly from the first to the last."""
    data = make(sources, cache).data()["prose"]
    every = data.windows("val", 16)
    few = data.windows("val", 16, limit=8)
    assert len(every) > 16 and few.shape == (8, 17)
    at = [next(i for i, w in enumerate(every) if (w == row).all()) for row in few]
    assert at[0] == 0 and at[-1] == len(every) - 1
    gaps = np.diff(at)
    assert gaps.min() >= len(every) // 8 - 1 and gaps.max() <= len(every) // 7 + 1


def test_target_set_one_domain_or_an_outside_set(sources: dict[str, str], cache: str,
                                                 tmp_path: Path) -> None:
    genome = {"prose": 0.5, "sums": 0.5}
    m = score(make(sources, cache, target_set="sums"), genome)
    assert m["loss"] == m["loss.sums"]
    outside = write_domains(tmp_path / "outside")["prose"]
    m = score(make(sources, cache, target_set=outside), genome)
    assert m["loss"] == m["loss.target_set"] and "epochs.target_set" not in m
    with pytest.raises(ValueError, match="target_set: 'sumz' is neither 'all', a domain"):
        make(sources, cache, target_set="sumz")


def test_picklable_without_its_arrays_and_the_copy_scores_alike(sources: dict[str, str],
                                                                cache: str) -> None:
    evaluator = make(sources, cache)
    genome = {"prose": 0.3, "sums": 0.7}
    before = score(evaluator, genome, fidelity=0)
    blob = pickle.dumps(evaluator)
    assert len(blob) < 20_000  # corpora stay behind; workers load them from the cache
    assert score(pickle.loads(blob), genome, fidelity=0)["loss"] == before["loss"]


def test_from_config_reads_domains_and_options(sources: dict[str, str], cache: str) -> None:
    config = RunConfig(target="mix", domains=["prose", "sums"], workers=2, evaluator="pretrain",
                       evaluator_options={"sources": sources, "cache_dir": cache,
                                          "fidelities": [1024, 4096], "seeds": 2})
    evaluator = PretrainEvaluator.from_config(config)
    assert evaluator.fidelities == (1024, 4096) and evaluator.seeds == 2
    assert evaluator.domains == ("prose", "sums")
    assert evaluator.resources["num_cpus"] == evaluator.threads >= 1
    assert "num_gpus" not in evaluator.resources
    m = score(evaluator, {"prose": 0.5, "sums": 0.5}, fidelity=0)
    assert m["seeds"] == 2 and m["loss_std"] > 0


def test_a_short_engine_run_with_the_pretrain_evaluator(sources: dict[str, str], cache: str,
                                                        tmp_path: Path) -> None:
    from evolver import Engine

    config = RunConfig(target="mix", domains=["prose", "sums"], budget=4, population=2,
                       workers=1, report_seeds=1, run_dir=str(tmp_path / "run"),
                       evaluator="pretrain",
                       evaluator_options={"sources": sources, "cache_dir": cache,
                                          "fidelities": [2048], "threads": 1})
    result = Engine(config).run()
    assert result.counts["ok"] >= 4 - result.counts.get("invalid", 0)
    assert result.best is not None and result.best_evaluation.objectives["loss"] > 0
    assert set(result.report) == {"best", "uniform"}


def test_the_gpu_preset_asks_for_a_gpu_and_names_the_hub_samples() -> None:
    """Constructed only (no download, no GPU here): its resources, sources and budgets."""
    import torch

    from evolver.config import ConfigError

    evaluator = PretrainEvaluator(("finepdfs", "dclm", "fineweb-edu"), preset="gpu-70m")
    assert evaluator.resources["num_gpus"] == 1
    assert [s.dataset for s in evaluator.specs] == [
        "codelion/finepdfs-1B", "codelion/dclm-baseline-1B", "codelion/fineweb-edu-1B"]
    assert evaluator.fidelities == evaluator.preset.budgets and evaluator.fidelities[0] > 1e7
    if not torch.cuda.is_available():
        config = RunConfig(target="mix", domains=["finepdfs", "dclm", "fineweb-edu"],
                           evaluator="pretrain", evaluator_options={"preset": "gpu-70m"})
        with pytest.raises(ConfigError, match="'gpu-70m' needs a CUDA GPU and none is visible"):
            PretrainEvaluator.from_config(config)


def test_paired_study_differences_are_seed_by_seed(sources: dict[str, str], cache: str) -> None:
    """`noise --paired`: a mixture against itself differs by exactly 0 on every seed (common
    random numbers); another mixture by its own amount."""
    from evaluators.pretrain.noise import paired_study, parse_mixture

    evaluator = make(sources, cache)
    uniform = parse_mixture("1,1", evaluator.domains)
    assert uniform == {"prose": 0.5, "sums": 0.5}
    same, prose = paired_study(evaluator, uniform, [uniform, parse_mixture("9,1", ("prose",
                               "sums"))], seeds=[0, 1], fidelity=0)
    assert same == [0.0, 0.0]
    assert len(prose) == 2 and all(d != 0.0 for d in prose)
    with pytest.raises(SystemExit, match="give 2 shares"):
        parse_mixture("1,1,1", evaluator.domains)
