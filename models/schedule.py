"""Warmup-stable-decay (WSD) learning-rate schedule.

WSD holds the peak rate for most of the run and decays only at the end. Unlike a cosine
schedule, its shape does not depend on the total length until the decay starts, so a short
and a long run share their first part: the cheap and the dear fidelities of a mixture search
then measure the same training recipe at two lengths (as in Dhara-70M's WSD training).
"""

from __future__ import annotations

import math


def wsd_lr(step: int, total: int, peak: float, warmup: float = 0.05, decay: float = 0.2,
           final: float = 0.0, shape: str = "sqrt") -> float:
    """The rate at `step` (0-based) of `total` steps.

    `warmup` and `decay` are fractions of `total` (each at least one step when nonzero);
    `final` is the rate the decay ends at, as a fraction of `peak`; `shape` is the decay's
    form, "linear" or "sqrt" (1 - sqrt(t), which Hägele et al. 2024 found a little better).
    """
    if total < 1:
        raise ValueError(f"total: {total} steps; allowed: >= 1")
    if not (0.0 <= warmup <= 1.0 and 0.0 <= decay <= 1.0 and warmup + decay <= 1.0):
        raise ValueError(f"warmup {warmup}, decay {decay}: fractions in [0, 1] summing to <= 1")
    if shape not in ("linear", "sqrt"):
        raise ValueError(f"shape: unknown {shape!r}; allowed: linear, sqrt")
    n_warm = max(1, round(warmup * total)) if warmup > 0 else 0
    n_decay = max(1, round(decay * total)) if decay > 0 else 0
    n_decay = min(n_decay, total - n_warm)
    if step < n_warm:
        return peak * (step + 1) / n_warm
    start = total - n_decay
    if step < start:
        return peak
    t = (step - start + 0.5) / n_decay  # mid-step: no step is wasted at a rate of 0
    frac = t if shape == "linear" else math.sqrt(t)
    return peak * (final + (1.0 - final) * (1.0 - frac))


def wsd_schedule(total: int, peak: float, **kwargs: float | str) -> list[float]:
    """Every step's rate, computed once so the training loop only reads a list."""
    return [wsd_lr(s, total, peak, **kwargs) for s in range(total)]  # type: ignore[arg-type]
