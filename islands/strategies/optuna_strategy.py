"""The `optuna` strategy: an island drives an Optuna sampler through ask/tell.

The target's `Searchable` hook gives the box the sampler searches (free logits for a
mixture). Every result the island learns becomes a trial: its own proposals are told to the
trial they were asked as; seeds, the island's random start and immigrants from other islands
are added as known trials, so migration works between an Optuna island and any other. A
known trial joins the sampler's current generation (CMA-ES, NSGA-II), so an immigrant counts
in the next update of those samplers instead of being ignored.

The engine is steady state: it asks for one proposal at a time and tells results later, so
several trials are in flight. They are keyed by genome key; TPE runs with `constant_liar`
so that it does not propose the same point again while one is pending. A trial whose result
never comes (a failed evaluation, a proposal the island altered to avoid a duplicate) is
closed as failed once more than `max_pending` are open.

Reproducible: every ask builds the sampler afresh, seeded from the island's RNG (whose state
the island snapshots), and `state()` holds every trial, so a resumed island rebuilds the
same study and goes on as the uninterrupted one would.
"""

from __future__ import annotations

import inspect
import logging
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import optuna
from optuna.distributions import FloatDistribution
from optuna.study import StudyDirection
from optuna.trial import TrialState, create_trial

from evolver.targets.base import Searchable
from islands.member import Member, Proposal

if TYPE_CHECKING:
    from islands.island import Island

#: sampler name -> (class, defaults this strategy sets); `auto` picks tpe or nsga2
SAMPLERS: dict[str, tuple[Callable[..., optuna.samplers.BaseSampler], dict[str, Any]]] = {
    "tpe": (optuna.samplers.TPESampler, {"multivariate": True, "constant_liar": True}),
    "cmaes": (optuna.samplers.CmaEsSampler, {}),
    "gp": (optuna.samplers.GPSampler, {}),
    "nsga2": (optuna.samplers.NSGAIISampler, {}),
    "random": (optuna.samplers.RandomSampler, {}),
    "qmc": (optuna.samplers.QMCSampler, {"scramble": True}),  # unscrambled: corners first
}
SINGLE_OBJECTIVE = ("cmaes",)
#: CMA-ES warm-starts from the best tenth of the known trials; fewer than this gives none
_WARM_START_MIN = 10
_SEED_RANGE = 2**31 - 1


class OptunaStrategy:
    """Options (from `strategy_options.optuna`): `sampler` (auto, tpe, cmaes, gp, nsga2,
    random, qmc), `max_pending`, and any keyword of that Optuna sampler's constructor."""

    name = "optuna"

    def __init__(self, sampler: str = "auto", max_pending: int = 32, **sampler_options: Any
                 ) -> None:
        allowed = ("auto", *SAMPLERS)
        if sampler not in allowed:
            raise ValueError(
                f"strategy_options.optuna.sampler: unknown {sampler!r}; allowed: "
                + ", ".join(allowed))
        if isinstance(max_pending, bool) or not isinstance(max_pending, int) or max_pending < 1:
            raise ValueError(f"strategy_options.optuna.max_pending: {max_pending!r}; "
                             "allowed: an integer >= 1")
        _check_options(("tpe", "nsga2") if sampler == "auto" else (sampler,), sampler_options)
        self.sampler = sampler
        self.max_pending = max_pending
        self.options = dict(sampler_options)
        self._study: optuna.Study | None = None
        self._kind = sampler  # resolved when the study is built
        self._distributions: dict[str, FloatDistribution] = {}
        self._pending: dict[str, int] = {}  # genome key -> number of the trial asked for it
        self._told: set[str] = set()  # candidate ids already in the study
        self._generation: dict[str, Any] = {}  # generation attrs of the newest asked trial
        self._qmc_seed: int | None = None
        self._saved: dict[str, Any] | None = None

    # --- the strategy protocol ------------------------------------------------------------
    def propose(self, island: Island, n: int) -> list[Proposal]:
        study = self._ensure(island)
        out = []
        for _ in range(n):
            study.sampler = self._make_sampler(island, study)
            with _quiet():
                trial = study.ask(fixed_distributions=self._distributions)
            genome = island.target.from_params(trial.params)  # type: ignore[attr-defined]
            key = island.target.key(genome)
            if key in self._pending:  # the same genome again: the older trial never returns
                study.tell(self._pending.pop(key), state=TrialState.FAIL)
            self._pending[key] = trial.number
            frozen = study.get_trials(deepcopy=False)[trial.number]
            self._generation = {k: v for k, v in frozen.system_attrs.items()
                                if k.endswith("generation")}
            self._expire(study)
            out.append(Proposal(genome, operator=f"optuna:{self._kind}"))
        return out

    def observe(self, island: Island, members: list[Member]) -> None:
        study = self._ensure(island)
        for m in members:
            if m.id in self._told:
                continue
            self._told.add(m.id)
            values = [float(m.objectives[o.name]) for o in island.objectives]
            number = self._pending.pop(island.target.key(m.candidate.genome), None)
            if number is not None:
                storage = study._storage  # the candidate the trial became, for the state
                storage.set_trial_user_attr(storage.get_trial_id_from_study_id_trial_number(
                    study._study_id, number), "candidate", m.id)
                study.tell(number, values)
                continue
            params = island.target.to_params(m.candidate.genome)  # type: ignore[attr-defined]
            study.add_trial(create_trial(
                params=params, distributions=self._distributions, values=values,
                system_attrs=dict(self._generation),
                user_attrs={"candidate": m.id, "known": m.candidate.operator},
            ))

    def state(self) -> dict[str, Any]:
        if self._study is None:
            return dict(self._saved or {})
        study = self._study
        trials = [{"state": t.state.name, "params": t.params, "values": t.values,
                   "system_attrs": t.system_attrs, "user_attrs": t.user_attrs}
                  for t in study.get_trials(deepcopy=False)]
        return {
            "sampler": self._kind, "qmc_seed": self._qmc_seed, "trials": trials,
            "pending": dict(self._pending),  # in flight: their results are told after resume
            "study_attrs": study._storage.get_study_system_attrs(study._study_id),
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Keep the saved trials; the study is rebuilt when the island next uses it."""
        self._study = None
        self._pending.clear()
        self._told.clear()
        self._generation = {}
        self._saved = dict(state) if state else None

    # --- helpers --------------------------------------------------------------------------
    def _ensure(self, island: Island) -> optuna.Study:
        if self._study is not None:
            return self._study
        target = island.target
        if not isinstance(target, Searchable):
            raise ValueError(
                f"strategy optuna: target {target.name!r} offers no search space "
                "(search_space, from_params, to_params); use strategy 'variation' for it")
        objectives = island.objectives
        kind = self.sampler
        if kind == "auto":
            kind = "tpe" if len(objectives) == 1 else "nsga2"
        if kind in SINGLE_OBJECTIVE and len(objectives) > 1:
            raise ValueError(
                f"strategy_options.optuna.sampler: {kind!r} optimises one objective and this "
                f"run has {len(objectives)} ({', '.join(map(str, objectives))}); "
                "allowed here: " + ", ".join(k for k in SAMPLERS if k not in SINGLE_OBJECTIVE))
        self._kind = kind
        self._distributions = {name: FloatDistribution(low, high)
                               for name, (low, high) in target.search_space().items()}
        directions = [StudyDirection.MINIMIZE if o.direction == "min" else StudyDirection.MAXIMIZE
                      for o in objectives]
        saved, self._saved = self._saved, None
        if kind == "qmc":
            self._qmc_seed = (saved or {}).get("qmc_seed") or int(
                island.rng.integers(_SEED_RANGE))
        storage = optuna.storages.InMemoryStorage()
        with _no_banner():
            storage.create_new_study(directions, f"island-{island.index}")
        study = optuna.Study(f"island-{island.index}", storage,
                             sampler=optuna.samplers.RandomSampler(seed=0))
        if saved:
            for key, value in saved.get("study_attrs", {}).items():
                study._storage.set_study_system_attr(study._study_id, key, value)
            for t in saved["trials"]:
                state = TrialState[t["state"]]
                study.add_trial(create_trial(
                    state=state, params=t["params"], distributions=self._distributions,
                    values=t["values"] if state == TrialState.COMPLETE else None,
                    system_attrs=t["system_attrs"], user_attrs=t["user_attrs"]))
                if "candidate" in t["user_attrs"]:
                    self._told.add(t["user_attrs"]["candidate"])
                generation = {k: v for k, v in t["system_attrs"].items()
                              if k.endswith("generation")}
                self._generation = generation or self._generation
            self._pending = {k: int(v) for k, v in saved.get("pending", {}).items()}
        self._study = study
        return study

    def _make_sampler(self, island: Island, study: optuna.Study) -> optuna.samplers.BaseSampler:
        cls, defaults = SAMPLERS[self._kind]
        options = {**defaults, **self.options}
        if self._kind == "qmc":  # one scrambled sequence for the whole run
            options.setdefault("seed", self._qmc_seed)
        else:
            options.setdefault("seed", int(island.rng.integers(_SEED_RANGE)))
        if (self._kind == "cmaes" and not options.get("use_separable_cma")
                and not {"x0", "sigma0", "source_trials"} & set(options)):
            known = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
            if len(known) >= _WARM_START_MIN:  # used only until CMA-ES has its own state
                options["source_trials"] = known
        with _quiet():
            return cls(**options)

    def _expire(self, study: optuna.Study) -> None:
        while len(self._pending) > self.max_pending:
            key = next(iter(self._pending))  # the oldest
            study.tell(self._pending.pop(key), state=TrialState.FAIL)


def _check_options(kinds: tuple[str, ...], options: dict[str, Any]) -> None:
    """A misspelt sampler option is a clear error now, not a crash in the middle of a run."""
    allowed: list[str] = []
    for kind in kinds:
        params = inspect.signature(SAMPLERS[kind][0]).parameters
        allowed += [p for p in params if p not in ("self", "seed") and p not in allowed]
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise ValueError(
            f"strategy_options.optuna: unknown {unknown[0]!r} for sampler "
            f"{'/'.join(kinds)}; allowed: sampler, max_pending, {', '.join(allowed)}")


@contextmanager
def _no_banner() -> Iterator[None]:
    """Optuna logs "A new study created" at INFO through its own handler, a line on stderr
    for every island (and every resume); silence that one logger for that one call."""
    logger = logging.getLogger("optuna.storages._in_memory")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


class _quiet(warnings.catch_warnings):
    """Optuna flags multivariate TPE, constant liar and warm starts as experimental."""

    def __enter__(self) -> None:
        super().__enter__()
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        warnings.simplefilter("ignore", FutureWarning)
