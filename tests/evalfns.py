"""Module-level evaluators for tests: worker processes and Ray tasks must be able to load them.

`quadratic` is a known mixture law with its optimum away from the uniform mixture, so a
search that works moves toward it.
"""

from __future__ import annotations

import math
import os
import time

OPTIMUM = {"code": 0.5, "docs": 0.3, "web": 0.15, "math": 0.05}


def quadratic(candidate):  # noqa: ANN001, ANN201
    w = candidate.genome
    return {"loss": sum((w[d] - OPTIMUM[d]) ** 2 for d in OPTIMUM), "pid": os.getpid()}


def centred(candidate):  # noqa: ANN001, ANN201
    """A law whose optimum is the uniform mixture itself."""
    w = candidate.genome
    return {"loss": sum((x - 1 / len(w)) ** 2 for x in w.values())}


def slow_quadratic(candidate):  # noqa: ANN001, ANN201
    time.sleep(float(os.environ.get("ARCHIPELAGO_TEST_SLEEP", "0.05")))
    return quadratic(candidate)


def faulty(candidate):  # noqa: ANN001, ANN201
    """Raises, hangs or returns NaN depending on the candidate's id (deterministic)."""
    n = int(candidate.id[1:])
    if n % 7 == 3:
        raise RuntimeError(f"evaluator exploded on {candidate.id}")
    if n % 7 == 5:
        time.sleep(60)
    if n % 7 == 6:
        return {"loss": math.nan}
    return quadratic(candidate)


def jittery(candidate):  # noqa: ANN001, ANN201
    """Takes a truly random 0-10 ms, so results arrive in a different order every run."""
    import random

    time.sleep(random.SystemRandom().random() * 0.01)
    return quadratic(candidate)


class MultiFidelity:
    """Three fidelities: more 'tokens' lower the loss and the noise, as in real training."""

    fidelities = (100, 200, 400)
    objectives = ()
    resources = {"num_cpus": 1}

    def evaluate(self, candidate, context):  # noqa: ANN001, ANN201
        import random

        tokens = self.fidelities[context.fidelity]
        rng = random.Random(f"{context.seed}|{candidate.id}|{context.fidelity}")
        loss = quadratic(candidate)["loss"] + 1.0 / tokens + rng.gauss(0, 0.002) * 100 / tokens
        return {"loss": loss, "tokens": float(tokens)}


def noisy(candidate, context):  # noqa: ANN001, ANN201
    """The quadratic law plus noise fixed by (seed, candidate): each seed is one draw, as a
    training run is, so one seed flatters some candidates and another seed others."""
    import random

    rng = random.Random(f"{context.seed}|{candidate.id}")
    return {"loss": quadratic(candidate)["loss"] + rng.gauss(0.0, 0.05)}
