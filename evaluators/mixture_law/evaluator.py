"""The `mixture-law` evaluator: the RegMix workflow for users who already ran proxy runs.

Law mode fits a mixture law on the runs and answers a candidate mixture with the predicted
loss and its uncertainty (spread over bagged models). Tabular mode answers only with
recorded runs: a proposal snaps to the nearest recorded mixture and gets that run's real
loss, the usual way search methods are benchmarked on real data.

Search and report stay apart. In law mode the `search` split asks a law fitted on the runs
and the `report` split asks a second law fitted on other runs: `report_runs` (or
`report_mixtures` + `report_losses`), else a held-out `report_fraction` of the runs that the
search law never sees; so a mixture that exploits the search law's quirks does not look good
in the report. In tabular mode both splits answer with the same recorded loss: a real
measurement, with no model in between to overfit (its seed noise is the run's own).

A law is trustworthy only near the runs. `support` decides what a mixture gets that puts
more share on a domain than any run did (`support_excess` > 0): `penalty` (default) adds
`penalty` × excess to the search objective, so the search comes back inside and the best
lies where runs are; `invalid` records it invalid; `off` answers with the law as it is.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from evaluators.mixture_law.law import BaggedLaw, NearestRun, Support
from evaluators.mixture_law.runs import Runs, RunsError, load_runs
from evolver.types import Candidate, EvalContext, Evaluation, Objective

if TYPE_CHECKING:
    from evolver.config import RunConfig

MODES = ("law", "tabular")
SUPPORT = ("penalty", "invalid", "off")


class MixtureLawEvaluator:
    """Options: `target` (a loss column, or a list whose mean is the objective) and `runs`
    (CSV/JSONL) or `mixtures` + `losses` joined on `join`; `mixture_prefix` (the column of
    domain d is prefix + d); `mode`; `objective` (its name, minimised); report runs as above;
    `support`, `penalty`; `n_models`, `rounds`, `learning_rate`, `seed` of the law."""

    resources = {"num_cpus": 1}
    fidelities = (None,)

    def __init__(
        self,
        domains: Sequence[str],
        target: str | Sequence[str],
        *,
        runs: str | None = None,
        mixtures: str | None = None,
        losses: str | None = None,
        join: str = "index",
        mixture_prefix: str = "",
        mode: str = "law",
        objective: str = "loss",
        report_runs: str | None = None,
        report_mixtures: str | None = None,
        report_losses: str | None = None,
        report_fraction: float = 0.2,
        support: str = "penalty",
        penalty: float | None = None,
        n_models: int = 5,
        rounds: int = 1000,
        learning_rate: float = 0.01,
        seed: int = 0,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode: unknown {mode!r}; allowed: {', '.join(MODES)}")
        if support not in SUPPORT:
            raise ValueError(f"support: unknown {support!r}; allowed: {', '.join(SUPPORT)}")
        if not 0.0 <= report_fraction < 1.0:
            raise ValueError(f"report_fraction: {report_fraction}; allowed: 0 <= x < 1")
        if isinstance(n_models, bool) or not isinstance(n_models, int) or n_models < 1:
            raise ValueError(f"n_models: {n_models!r}; allowed: an integer >= 1")
        columns = (target,) if isinstance(target, str) else tuple(target)
        if not columns or not all(isinstance(c, str) for c in columns):
            raise ValueError(f"target: {target!r}; allowed: a loss column or a list of them")
        self.domains = tuple(domains)
        self.mode = mode
        self.support_mode = support
        self.objectives = (Objective(objective, "min"),)
        loaded = load_runs(self.domains, columns, runs=runs, mixtures=mixtures, losses=losses,
                           join=join, mixture_prefix=mixture_prefix)
        held_out = report_runs is not None or report_mixtures is not None
        if mode == "tabular" and held_out:
            raise ValueError("report_runs: tabular mode answers both splits with the recorded "
                             "runs; leave report_runs, report_mixtures, report_losses unset")
        law_options = {"n_models": n_models, "rounds": rounds, "learning_rate": learning_rate,
                       "seed": seed}
        self.report_source = "recorded runs" if mode == "tabular" else ""
        if held_out:
            report = load_runs(self.domains, columns, runs=report_runs, mixtures=report_mixtures,
                               losses=report_losses, join=join, mixture_prefix=mixture_prefix,
                               option="report_runs")
            self.report_source = f"a law fitted on {len(report)} runs of {report.source}"
        elif mode == "law" and report_fraction > 0:
            loaded, report = _hold_out(loaded, report_fraction, seed)
            self.report_source = f"a law fitted on {len(report)} held-out runs"
        else:
            report = None
            self.report_source = self.report_source or "the search law (no held-out runs)"
        self.runs: Runs = loaded
        self.support = Support.of(loaded)
        span = float(np.ptp(loaded.target)) if len(loaded) > 1 else 1.0
        self.penalty = float(penalty) if penalty is not None else span
        self.table = NearestRun(loaded) if mode == "tabular" else None
        self.law = BaggedLaw(loaded, **law_options) if mode == "law" else None
        self.report_law = BaggedLaw(report, **law_options) if report is not None else self.law

    @classmethod
    def from_config(cls, config: RunConfig) -> MixtureLawEvaluator:
        """Build from `config.domains` and `config.evaluator_options`; fits the law now, so
        bad data fails before the run with one clear line."""
        from evolver.config import ConfigError, check_options

        options = dict(config.evaluator_options)
        allowed = [p for p in inspect.signature(cls).parameters if p != "domains"]
        check_options(options, allowed, "evaluator_options", "evaluator mixture-law")
        if not config.domains:
            raise ConfigError("domains: the mixture-law evaluator needs the run's domains, the "
                              "names of the runs' mixture columns (after mixture_prefix)")
        if "target" not in options:
            raise ConfigError("evaluator_options.target: missing; name the loss column to "
                              "predict, or a list of them (the objective is their mean)")
        try:
            return cls(config.domains, **options)
        except RunsError as exc:
            raise ConfigError(str(exc)) from None
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"evaluator_options: {exc}") from None

    # --- answering ------------------------------------------------------------------------
    def predict(self, mixtures: np.ndarray, split: str = "search"
                ) -> tuple[np.ndarray, np.ndarray]:
        """The law's mean and spread for many mixtures at once (rows over `domains`), without
        penalty: what benchmarks and reference searches use."""
        law = self.law if split == "search" else self.report_law
        if law is None:
            raise ValueError("predict: tabular mode has no law; it answers with recorded runs")
        mean, std, _ = law.predict(mixtures)
        return mean, std

    def evaluate(self, candidate: Candidate, context: EvalContext) -> Any:
        w = self._vector(candidate.genome)
        name = self.objectives[0].name
        excess = float(self.support.excess(w)[0])
        if self.table is not None:
            i, distance = self.table.nearest(w)
            return {name: float(self.runs.target[i]), "run": float(i), "run_id": self.runs.ids[i],
                    "snap_distance": distance, "support_excess": excess,
                    "report_source": self.report_source}
        search = context.split == "search"
        if search and excess > 0 and self.support_mode == "invalid":
            return Evaluation(candidate.id, status="invalid", error=(
                f"mixture outside the runs' support: {self._worst(w)}"))
        law = self.law if search else self.report_law
        assert law is not None
        mean, std, cols = law.predict(w)
        value = float(mean[0])
        if search and self.support_mode == "penalty":
            value += self.penalty * excess
        metrics: dict[str, Any] = {name: value, f"{name}_predicted": float(mean[0]),
                                   f"{name}_std": float(std[0]), "support_excess": excess}
        if len(law.loss_columns) > 1:
            metrics.update({f"{name}:{c}": float(v) for c, v in zip(law.loss_columns, cols[0],
                                                                     strict=True)})
        if not search:
            metrics["report_source"] = self.report_source
        return metrics

    def _vector(self, genome: Any) -> np.ndarray:
        if not isinstance(genome, dict):
            raise ValueError(f"a mixture is a dict domain -> share, got {type(genome).__name__}")
        missing = [d for d in self.domains if d not in genome]
        if missing:
            raise ValueError(f"mixture has no share for {missing}; the law knows "
                             f"{list(self.domains)}")
        w = np.array([float(genome[d]) for d in self.domains])
        return w / w.sum()

    def _worst(self, w: np.ndarray) -> str:
        k = int(np.argmax(w - self.support.caps))
        return (f"{self.domains[k]}={w[k]:.3f} > {self.support.caps[k]:.3f}, the most any of "
                f"the {len(self.runs)} runs gave it")


def _hold_out(runs: Runs, fraction: float, seed: int) -> tuple[Runs, Runs]:
    """A fixed random share of the runs for the report law; the rest for the search law."""
    order = np.random.default_rng(seed).permutation(len(runs))
    k = max(1, int(round(fraction * len(runs))))
    if len(runs) - k < 2:
        raise ValueError(f"report_fraction: {fraction} of {len(runs)} runs leaves fewer than 2 "
                         "for the search law; give report_runs or report_fraction = 0")
    return runs.subset(np.sort(order[k:])), runs.subset(np.sort(order[:k]))
