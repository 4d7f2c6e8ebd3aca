"""What a person sees on the terminal: a progress bar while a run goes, a summary at the end."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from tqdm import tqdm

from evolver.events import Event
from evolver.report import paired
from evolver.store.reader import search_seeds
from evolver.types import Objective


class ProgressBar:
    """An observer: one tick per evaluation, the best objective so far in the postfix."""

    def __init__(self, budget: int, objectives: Sequence[Objective]) -> None:
        self.bar = tqdm(total=budget, unit="eval", file=sys.stderr, dynamic_ncols=True)
        self.objective = objectives[0]
        self.best: float | None = None
        self.failed = 0

    def __call__(self, event: Event) -> None:
        if event.kind == "evaluation" and event.evaluation is not None:
            ev = event.evaluation
            done = event.data.get("done", 0)
            if self.bar.n == 0 and done > 1:  # a resumed run starts part-way
                self.bar.update(done - 1)
            if ev.ok:
                value = ev.objectives[self.objective.name]
                if self.best is None or self.objective.better(value, self.best):
                    self.best = value
            else:
                self.failed += 1
            postfix = {"best": f"{self.best:.4g}" if self.best is not None else "-"}
            if self.failed:
                postfix["not ok"] = str(self.failed)
            self.bar.set_postfix(postfix, refresh=False)
            self.bar.update(1)
        elif event.kind == "run_finished":
            self.bar.close()


def print_summary(result, objectives: Sequence[Objective]) -> None:  # noqa: ANN001
    """The end of a run: counts, the best candidate, and the report-split figures."""
    c = result.counts
    print(f"run directory: {result.run_dir}")
    print(f"evaluations: {c['done']} ({c['ok']} ok, {c['failed']} failed, "
          f"{c['timeout']} timed out, {c['invalid']} invalid)")
    if result.best is None:
        print("no candidate was evaluated successfully; `evolve export "
              f"{result.run_dir}` shows each error")
        return
    best = result.best_evaluation
    values = ", ".join(f"{k}={v:.4g}" for k, v in best.objectives.items())
    n_seeds = search_seeds(best)
    seeds = f"mean of {n_seeds} seeds" if n_seeds > 1 else f"seed {best.seed}"
    print(f"best: {result.best.id} (island {result.best.island}) search split, {seeds}: "
          f"{values}")
    print(f"  genome: {result.best.genome}")
    if result.report:
        first = next(iter(result.report.values()))
        any_obj = next(iter(first.values()))
        print(f"report split, fresh seeds {any_obj['seeds']} (mean ± std over seeds):")
        for name, stats in result.report.items():
            line = ", ".join(f"{o.name}={stats[o.name]['mean']:.4g} ± {stats[o.name]['std']:.2g}"
                             for o in objectives)
            print(f"  {name:<10} {line}")
        best_id = result.report["best"][objectives[0].name]["candidate_id"]
        for name, stats in result.report.items():
            if name == "best":
                continue
            if stats[objectives[0].name]["candidate_id"] == best_id:
                print(f"  best is the {name} baseline itself: the search found nothing better")
                continue
            diff = paired(result.report, objectives[0], name)
            if diff is not None:
                verdict = "better beyond the seed spread" if diff["clear"] else \
                    "not shown better: within two standard errors"
                print(f"  best - {name}: {objectives[0].name} {diff['mean']:+.4g} ± "
                      f"{diff['std']:.2g}, better on {diff['better']} of {diff['n']} seeds "
                      f"({verdict})")
    print(f"frontier: {len(result.frontier)} candidates; `evolve export {result.run_dir}` "
          "writes every evaluation")
