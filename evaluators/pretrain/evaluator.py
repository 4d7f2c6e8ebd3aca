"""The `pretrain` evaluator: a short pretraining run of a proxy LM on the candidate's mixture.

It returns the held-out loss per domain (`loss.<domain>`), the loss on the target set
(`loss`, the objective: by default the mean over all domains' held-out parts; or one domain;
or an outside dataset that is never trained on), bits per byte, tokens per second, and the
epochs the mixture implies per domain (`epochs.<domain>`). `split="search"` scores on the
validation parts, `split="report"` on the test parts; the search never sees the latter.

The object is small and picklable: the engine sends it to worker processes and Ray tasks.
Corpora are built (or found in the cache) by `prepare()` before the run, and loaded lazily
in each process on its first evaluation.
"""

from __future__ import annotations

import inspect
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from evaluators.pretrain.corpus import CorpusOptions, DomainData, load_corpus
from evaluators.pretrain.domains import DomainSpec, check_domain, resolve_domains, resolve_one
from evaluators.pretrain.train import (
    TrainSettings,
    allocate,
    build_examples,
    epochs_of,
    example_weights,
    run_training,
)
from evolver.types import Candidate, EvalContext, Evaluation, Objective
from models.proxy_lm import ProxyPreset, get_preset

if TYPE_CHECKING:
    from evolver.config import RunConfig

#: cpu-tiny's token budget: one fidelity of 196,608 tokens, 11-14 s on one core. A cheaper
#: level would screen badly: at 49,152 tokens two seeds rank 12 mixtures alike at Spearman
#: 0.25 only (at 196k: 0.57), so successive halving would promote nearly at random and the
#: islands would select on noise (bench/RESULTS.md).
DEFAULT_FIDELITIES = get_preset("cpu-tiny").budgets
REPETITION_POLICIES = ("penalty", "invalid")
MIXING = ("sample", "reweight")
#: the name of an outside target set in the metrics
OUTSIDE = "target_set"
#: domains a preset trains on when the run names none (gpu-70m: the codelion 1B samples)
PRESET_DOMAINS = {"gpu-70m": ("finepdfs", "dclm", "fineweb-edu")}
#: run settings a preset suggests for the fields a user leaves unset. Evaluations this dear
#: (seconds on a CPU, minutes on a GPU) call for a sample-efficient search: a GP surrogate
#: over variation (47 evaluations to the goal where variation alone took 170, on the RegMix
#: law; bench/RESULTS.md), small populations so it starts modelling early, and finalists
#: re-evaluated on more seeds so the best is not the luckiest. Near the uniform mixture the
#: losses differ by ~0.02 nats with a seed-to-seed spread of the difference of ~0.014, so
#: the report takes 5 fresh seeds. cpu-tiny's budget fits the five-minute default run on 2
#: cores: 24 + 3 x 2 search and 2 x 5 report evaluations.
PRESET_RUN_DEFAULTS: dict[str, dict[str, Any]] = {
    "cpu-tiny": {"budget": 30, "finalists": 3, "strategy": "surrogate", "population": 5,
                 "report_seeds": 5},
    "gpu-70m": {"finalists": 3, "strategy": "surrogate", "population": 8, "report_seeds": 3},
}


@dataclass(frozen=True)
class RepetitionRule:
    """Domains are finite. Beyond `max_epochs` passes over a domain's training part, either
    add `penalty` nats per extra epoch to the objective (repeated data is worth less than
    fresh data) or mark the evaluation invalid without training."""

    max_epochs: float = 4.0
    policy: str = "penalty"
    penalty: float = 0.05

    def excess(self, epochs: Mapping[str, float]) -> float:
        return sum(max(0.0, e - self.max_epochs) for e in epochs.values())


class PretrainEvaluator:
    """Short pretraining runs as the mix target's evaluator (entry point `pretrain`)."""

    objectives = (Objective("loss", "min"),)

    def __init__(
        self,
        domains: Sequence[str] = ("code", "docs", "web", "math"),
        *,
        preset: str = "cpu-tiny",
        fidelities: Sequence[int] | None = None,
        sources: Mapping[str, Any] | None = None,
        target_set: str | Mapping[str, Any] = "all",
        max_epochs: float = 4.0,
        repetition: str = "penalty",
        repetition_penalty: float = 0.05,
        mixing: str = "sample",
        seeds: int = 1,
        eval_tokens: int | None = None,
        threads: int | None = None,
        device: str = "auto",
        compile: bool | None = None,
        lr: float | None = None,
        batch_size: int | None = None,
        offline_bytes: int = 1_000_000,
        holdout_bytes: int = 65_536,
        cache_dir: str | None = None,
    ) -> None:
        self.preset: ProxyPreset = get_preset(preset)
        self.specs: list[DomainSpec] = resolve_domains(list(domains), sources)
        self.domains = tuple(s.name for s in self.specs)
        fidelities = self.preset.budgets if fidelities is None else fidelities
        self.fidelities = tuple(_positive_int("fidelities", f) for f in fidelities)
        if not self.fidelities or list(self.fidelities) != sorted(self.fidelities):
            raise ValueError(f"fidelities: {list(fidelities)}; allowed: token budgets, "
                             "cheapest first")
        self.target_spec = self._target(target_set)
        if repetition not in REPETITION_POLICIES:
            raise ValueError(f"repetition: unknown {repetition!r}; "
                             f"allowed: {', '.join(REPETITION_POLICIES)}")
        if not max_epochs > 0 or repetition_penalty < 0:
            raise ValueError(f"max_epochs {max_epochs} / repetition_penalty "
                             f"{repetition_penalty}: allowed: max_epochs > 0, penalty >= 0")
        self.repetition = RepetitionRule(float(max_epochs), repetition, float(repetition_penalty))
        if mixing not in MIXING:
            raise ValueError(f"mixing: unknown {mixing!r}; allowed: {', '.join(MIXING)}")
        self.mixing = mixing
        self.seeds = _positive_int("seeds", seeds)
        self.eval_tokens = _positive_int(
            "eval_tokens", self.preset.eval_tokens if eval_tokens is None else eval_tokens)
        self.threads = _positive_int("threads", threads) if threads is not None else \
            max(1, (os.cpu_count() or 1) // 2)
        if device not in ("auto", "cpu", "cuda"):
            raise ValueError(f"device: unknown {device!r}; allowed: auto, cpu, cuda")
        self.device = device
        #: torch.compile the proxy; None: on a GPU only (see train_model)
        self.compile = compile
        self.settings = TrainSettings(lr=float(lr or self.preset.lr),
                                      batch_size=batch_size or self.preset.batch_size)
        # pieces of 16 training windows (at least 1 KB): many per held-out part, so that
        # part samples many documents, and each still far longer than the model's context
        self.corpus = CorpusOptions(self.preset.tokenizer, offline_bytes, holdout_bytes,
                                    cache_dir, max(1024, 16 * self.preset.seq_len))
        self.resources: dict[str, float] = {"num_cpus": self.threads}
        if self.preset.device == "cuda":
            self.resources["num_gpus"] = 1
        self._data: dict[str, DomainData] | None = None  # loaded lazily in each process

    @classmethod
    def config_defaults(cls, options: Mapping[str, Any]) -> dict[str, Any]:
        """What a run that leaves them unset should use: the preset's domains, budget,
        finalists, strategy and population."""
        preset = options.get("preset", "cpu-tiny")
        domains = PRESET_DOMAINS.get(preset)
        return {"domains": list(domains) if domains else None,
                **PRESET_RUN_DEFAULTS.get(preset, {})}

    @classmethod
    def from_config(cls, config: RunConfig) -> PretrainEvaluator:
        """Build from `config.domains` and `config.evaluator_options`, then `prepare()`, so a
        bad source or option fails here, before the run, with one clear line."""
        from evolver.config import ConfigError, check_options
        from evolver.targets.mix import DEFAULT_DOMAINS

        options = dict(config.evaluator_options)
        allowed = [p for p in inspect.signature(cls).parameters if p != "domains"]
        check_options(options, allowed, "evaluator_options", "evaluator pretrain")
        options.setdefault("threads", max(1, (os.cpu_count() or 1) // config.workers))
        try:
            evaluator = cls(tuple(config.domains or DEFAULT_DOMAINS), **options)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"evaluator_options: {exc}") from None
        if (evaluator.preset.device == "cuda" and evaluator.device != "cpu"
                and config.address is None and not torch.cuda.is_available()):
            raise ConfigError(
                f"evaluator_options.preset: {evaluator.preset.name!r} needs a CUDA GPU and "
                "none is visible; use preset 'cpu-tiny', device 'cpu', or a Ray cluster "
                "with GPUs (--address)")
        try:
            evaluator.prepare()
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        return evaluator

    def _target(self, target_set: str | Mapping[str, Any]) -> DomainSpec | str:
        """"all", a domain's name, or an outside source (a path, 'hf:...' or a table)."""
        if target_set == "all" or (isinstance(target_set, str) and target_set in self.domains):
            return target_set
        if OUTSIDE in self.domains:
            raise ValueError(f"target_set: an outside set is named {OUTSIDE!r} in the metrics, "
                             "and so is a domain of this run; rename that domain")
        if isinstance(target_set, str) and not (target_set.startswith("hf:")
                                                or os.path.exists(target_set)):
            raise ValueError(f"target_set: {target_set!r} is neither 'all', a domain of this run "
                             f"({', '.join(self.domains)}), an existing path nor 'hf:owner/name'")
        return resolve_one(OUTSIDE, target_set)

    # --- before the run -----------------------------------------------------------------
    def all_specs(self) -> list[DomainSpec]:
        extra = [self.target_spec] if isinstance(self.target_spec, DomainSpec) else []
        return self.specs + extra

    def prepare(self) -> None:
        """Check every source, then build the corpora the cache lacks (idempotent)."""
        for spec in self.all_specs():
            check_domain(spec)
        for spec in self.all_specs():
            load_corpus(spec, self.corpus)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_data"] = None  # arrays stay behind; each process loads them from the cache
        return state

    def data(self) -> dict[str, DomainData]:
        if self._data is None:
            self._data = {s.name: load_corpus(s, self.corpus) for s in self.all_specs()}
        return self._data

    # --- one evaluation -----------------------------------------------------------------
    def torch_device(self) -> torch.device:
        if self.device == "cuda" or (self.device == "auto" and self.preset.device == "cuda"
                                     and torch.cuda.is_available()):
            return torch.device("cuda")
        return torch.device("cpu")

    def evaluate(self, candidate: Candidate, context: EvalContext) -> dict[str, float] | Evaluation:
        weights = self._weights(candidate.genome)
        if not 0 <= context.fidelity < len(self.fidelities):
            raise ValueError(f"fidelity {context.fidelity}: this evaluator has levels "
                             f"0..{len(self.fidelities) - 1} ({list(self.fidelities)} tokens)")
        data = self.data()
        seq_len, bs = self.preset.seq_len, self.settings.batch_size
        steps = max(1, round(self.fidelities[context.fidelity] / (seq_len * bs)))
        n = steps * bs
        epochs = epochs_of(allocate(weights, n), data, seq_len)  # what the mixture implies
        excess = self.repetition.excess(epochs)
        if excess > 0 and self.repetition.policy == "invalid":
            worst = max(epochs, key=epochs.__getitem__)
            return Evaluation(candidate.id, status="invalid", error=(
                f"mixture repeats {worst!r} {epochs[worst]:.2f} times at "
                f"{self.fidelities[context.fidelity]} tokens; max_epochs is "
                f"{self.repetition.max_epochs}"), metrics={f"epochs.{d}": e
                                                          for d, e in epochs.items()})
        split = "val" if context.split == "search" else "test"
        n_windows = max(1, self.eval_tokens // seq_len)
        eval_names = list(self.domains) + ([OUTSIDE] if OUTSIDE in data else [])
        held_out = {d: data[d].windows(split, seq_len, n_windows) for d in eval_names}
        device = self.torch_device()
        if self.mixing == "sample":
            counts = allocate(weights, n)
        else:  # every used domain drawn alike, the mixture in the loss weights
            counts = allocate({d: float(w > 0) for d, w in weights.items()}, n)
        runs = []
        with _threads(self.threads if device.type == "cpu" else None):
            for i in range(self.seeds):
                seed = _run_seed(context.seed, i)
                examples, rows = build_examples(counts, data, seq_len, seed)
                scale = None if self.mixing == "sample" else \
                    example_weights(weights, counts, rows)
                runs.append(run_training(
                    self.preset, self.settings, examples, held_out, seed, device, scale,
                    device.type == "cuda" if self.compile is None else self.compile))
        return self._metrics(runs, data, split, epochs, excess)

    def _metrics(self, runs: list[Any], data: Mapping[str, DomainData], split: str,
                 epochs: Mapping[str, float], excess: float) -> dict[str, float]:
        out: dict[str, float] = {}
        names = list(runs[0].losses)
        for d in names:
            out[f"loss.{d}"] = float(np.mean([r.losses[d] for r in runs]))
            out[f"bpb.{d}"] = out[f"loss.{d}"] / math.log(2) / data[d].bytes_per_token(split)
        targets = [OUTSIDE] if OUTSIDE in names else (
            list(self.domains) if self.target_spec == "all" else [str(self.target_spec)])
        per_seed = [float(np.mean([r.losses[d] for d in targets])) for r in runs]
        raw = float(np.mean(per_seed))
        out["loss_raw"] = raw
        out["loss"] = raw + (self.repetition.penalty * excess
                             if self.repetition.policy == "penalty" else 0.0)
        out["loss_std"] = float(np.std(per_seed, ddof=1)) if len(runs) > 1 else 0.0
        out["bpb"] = float(np.mean([out[f"bpb.{d}"] for d in targets]))
        out["train_loss"] = float(np.mean([r.train_loss for r in runs]))
        out["tokens"] = float(runs[0].tokens)
        out["tokens_per_s"] = float(np.mean([r.tokens_per_s for r in runs]))
        out["seeds"] = float(len(runs))
        out.update({f"epochs.{d}": e for d, e in epochs.items()})
        out["repetition_excess"] = excess
        return out

    def _weights(self, genome: Any) -> dict[str, float]:
        if not isinstance(genome, Mapping) or set(genome) != set(self.domains):
            got = sorted(genome) if isinstance(genome, Mapping) else type(genome).__name__
            raise ValueError(f"mixture {got}; this evaluator's domains are {list(self.domains)}")
        weights = {d: float(genome[d]) for d in self.domains}
        if any(w < 0 or not math.isfinite(w) for w in weights.values()) or \
                sum(weights.values()) <= 0:
            raise ValueError(f"mixture weights {weights}: finite, >= 0, not all 0")
        return weights


def _run_seed(seed: int, i: int) -> int:
    """The i-th repeat's seed; repeat 0 is the context's seed itself."""
    return seed if i == 0 else seed * 1_000_003 + i


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name}: {value!r}; allowed: an integer >= 1")
    return value


class _threads:
    """Set torch's intra-op threads for one evaluation and restore them after."""

    def __init__(self, n: int | None) -> None:
        self.n = n
        self.before = torch.get_num_threads()

    def __enter__(self) -> None:
        if self.n is not None:
            torch.set_num_threads(self.n)

    def __exit__(self, *exc: object) -> None:
        torch.set_num_threads(self.before)
