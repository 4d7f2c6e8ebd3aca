"""An example evaluator for the mix target: a synthetic mixture law, NOT a real training run.

Loss is a sum of per-domain power laws in the domain's share (the shape of data-mixing laws)
with an optimum away from the uniform mix, plus noise drawn from the evaluation's seed, so
common random numbers and report seeds behave as with a real evaluator. The `report` split
uses a slightly different law (a held-out "validation set"), so the report shows whether the
search over-fitted the search split. Use it to try the engine in seconds:

    evolve --target=mix --evaluator examples/toy_mix.py:evaluate --budget 100
"""

from __future__ import annotations

import math
import random

#: per-domain (scale, exponent); the optimum lies where the marginal losses balance
_LAW = {"code": (0.9, 0.35), "docs": (0.7, 0.30), "web": (1.2, 0.25), "math": (0.4, 0.45)}


def evaluate(candidate, context):  # noqa: ANN001, ANN201 - a plain user function
    weights = candidate.genome
    shift = 0.05 if context.split == "report" else 0.0
    loss = 2.0
    for domain, w in weights.items():
        scale, exponent = _LAW.get(domain, (1.0, 0.3))
        loss += (scale + shift) * (max(w, 1e-6) ** -exponent - 1.0) / 10.0
    # str seeds are hashed with SHA-512: the same in every process, unlike hash()
    rng = random.Random(f"{context.seed}|{context.split}|{sorted(weights.items())}")
    noise = rng.gauss(0.0, 0.002)
    return {"loss": loss + noise, "log_loss": math.log(loss)}
