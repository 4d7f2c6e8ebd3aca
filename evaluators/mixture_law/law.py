"""A mixture law fitted on runs (RegMix's LightGBM, bagged for an uncertainty), its support,
and the nearest recorded run for the tabular mode.

Why LightGBM: it is what RegMix fitted, it needs no feature design, and with hundreds of runs
it ranks held-out mixtures at Spearman 0.99 on the RegMix runs. Bagging (each model on a
bootstrap of the runs) gives a spread that is large where the runs disagree or are few. A
tree model is flat outside the runs, so far from them its answer is a guess: `Support` says
how far outside a mixture lies.
"""

from __future__ import annotations

from dataclasses import dataclass

import lightgbm as lgb
import numpy as np

from evaluators.mixture_law.runs import Runs

#: RegMix's settings: 1000 rounds at learning rate 0.01
DEFAULT_ROUNDS = 1000
DEFAULT_LEARNING_RATE = 0.01


class BaggedLaw:
    """`n_models` LightGBM regressors per loss column, each on a bootstrap of the runs.

    One thread per model: a law is fitted once and then queried one mixture at a time, often
    in forked worker processes, where an OpenMP pool inherited from the parent could hang.
    """

    def __init__(self, runs: Runs, n_models: int = 5, rounds: int = DEFAULT_ROUNDS,
                 learning_rate: float = DEFAULT_LEARNING_RATE, seed: int = 0) -> None:
        self.domains = runs.domains
        self.loss_columns = runs.loss_columns
        self.n_runs = len(runs)
        rng = np.random.default_rng(seed)
        params = {"objective": "regression", "learning_rate": learning_rate, "verbosity": -1,
                  "num_threads": 1, "min_data_in_leaf": max(2, min(20, self.n_runs // 8)),
                  "deterministic": True}
        self.models: list[list[lgb.Booster]] = []  # [bag][loss column]
        for b in range(n_models):
            rows = (np.arange(self.n_runs) if n_models == 1
                    else rng.integers(0, self.n_runs, self.n_runs))
            bag = []
            for k in range(len(self.loss_columns)):
                data = lgb.Dataset(runs.mixtures[rows], runs.losses[rows, k],
                                   params={"verbosity": -1})
                bag.append(lgb.train({**params, "seed": seed * 1000 + b}, data,
                                     num_boost_round=rounds))
            self.models.append(bag)

    def predict_columns(self, mixtures: np.ndarray) -> np.ndarray:
        """[bag, mixture, loss column] predictions."""
        x = np.atleast_2d(np.asarray(mixtures, dtype=float))
        return np.stack([np.stack([m.predict(x, num_threads=1) for m in bag], axis=-1)
                         for bag in self.models])

    def predict(self, mixtures: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Objective (mean over loss columns) per mixture: mean and spread over the bags, and
        each loss column's mean over the bags."""
        cols = self.predict_columns(mixtures)
        objective = cols.mean(axis=2)  # [bag, mixture]
        return objective.mean(axis=0), objective.std(axis=0), cols.mean(axis=0)


@dataclass(frozen=True)
class Support:
    """Where the runs are: no run gave a domain more than `caps[d]` (RegMix limited each
    domain's share by the tokens it has, so a cap is an epoch limit). `excess` is how much
    share a mixture puts above the caps, 0 inside."""

    caps: np.ndarray

    @classmethod
    def of(cls, runs: Runs) -> Support:
        return cls(runs.mixtures.max(axis=0))

    def excess(self, mixtures: np.ndarray) -> np.ndarray:
        x = np.atleast_2d(mixtures)
        return np.maximum(x - self.caps, 0.0).sum(axis=1)


class NearestRun:
    """The tabular mode: a mixture snaps to the recorded run nearest in Hellinger distance
    (Euclidean between square roots of shares: sparse mixtures compare sensibly)."""

    def __init__(self, runs: Runs) -> None:
        self.runs = runs
        self._roots = np.sqrt(runs.mixtures)

    def nearest(self, mixture: np.ndarray) -> tuple[int, float]:
        d = np.linalg.norm(self._roots - np.sqrt(np.maximum(mixture, 0.0)), axis=1) / np.sqrt(2)
        i = int(np.argmin(d))
        return i, float(d[i])
