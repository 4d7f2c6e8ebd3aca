"""The seeds a run evaluates with, kept apart so no two purposes share one.

A search evaluates every candidate at a fidelity on the run's seed (common random numbers).
Finalists are re-evaluated on extra search seeds, and the report measures on fresh seeds
that neither the search nor the finalists saw. Each kind starts far from the others, and a
run's seed shifts them, so two runs with different seeds do not share their extra seeds.
"""

from __future__ import annotations

#: extra search seeds for finalists start here
FINALIST_SEED_BASE = 500_009
#: report seeds start here
REPORT_SEED_BASE = 1_000_003


def finalist_seeds(seed: int, n: int) -> list[int]:
    """The `n` extra search seeds on which a run re-evaluates its finalists."""
    return [FINALIST_SEED_BASE + 7919 * seed + i for i in range(n)]


def report_seeds(seed: int, n: int) -> list[int]:
    """The `n` fresh seeds of a run's report split."""
    return [REPORT_SEED_BASE + 7919 * seed + i for i in range(n)]
