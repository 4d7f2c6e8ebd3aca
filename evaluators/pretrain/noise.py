"""Noise study: is a fidelity's loss informative about the mixture, or mostly seed noise?

For one fidelity it trains a reference mixture (uniform) on several seeds, and a set of
candidate mixtures on a shared seed (as the search does, with common random numbers), then
compares the spread across candidates with the seed-to-seed spread of one mixture. A ratio
well above 1 (the house goal is 3) means the search ranks mixtures, not seeds. It also
reports the paired spread: the seed-to-seed spread of the *difference* between two
mixtures, which is what common random numbers make small.

    python -m evaluators.pretrain.noise --fidelity 0 --candidates 10 --seeds 4
    python -m evaluators.pretrain.noise --fidelities 49152 196608 --fidelity 0 1

`--paired MIXTURE ...` asks instead whether given mixtures beat the uniform one: each is
trained beside uniform on every seed, and the difference is reported seed by seed.

    python -m evaluators.pretrain.noise --seeds 4 --paired .3,.3,.3,.1 .2,.2,.4,.2
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections.abc import Mapping, Sequence
from typing import Any

from evaluators.pretrain.evaluator import PretrainEvaluator
from evolver.types import Candidate, EvalContext


def losses(evaluator: PretrainEvaluator, genome: Mapping[str, float], seeds: Sequence[int],
           fidelity: int, split: str = "search") -> list[float]:
    out = []
    for seed in seeds:
        metrics = evaluator.evaluate(Candidate("noise", "mix", dict(genome)),
                                     EvalContext(fidelity=fidelity, seed=seed, split=split))
        out.append(float(metrics["loss"]))  # type: ignore[index]
    return out


def study(evaluator: PretrainEvaluator, reference: Mapping[str, float],
          candidates: Sequence[Mapping[str, float]], seeds: Sequence[int],
          fidelity: int, repeated: int = 2) -> dict[str, Any]:
    """Spread across `candidates` at seeds[0] against the seed-to-seed spread.

    The seed spread depends on the mixture (a lopsided one is noisier), so it is pooled
    over the reference and the first `repeated` candidates, each trained on every seed.
    The paired spread is that of (candidate - reference) over seeds, for those candidates.
    """
    start = time.perf_counter()
    ref = losses(evaluator, reference, seeds, fidelity)
    repeats = [losses(evaluator, g, seeds, fidelity) for g in candidates[:repeated]]
    cand = [r[0] for r in repeats]
    cand += [losses(evaluator, g, seeds[:1], fidelity)[0] for g in candidates[repeated:]]
    seed_std = math.sqrt(statistics.fmean(statistics.variance(r) for r in [ref, *repeats]))
    paired = [statistics.stdev([a - b for a, b in zip(r, ref, strict=True)]) for r in repeats]
    cand_std = statistics.stdev(cand)
    return {
        "fidelity": fidelity, "tokens": evaluator.fidelities[fidelity], "seeds": list(seeds),
        "reference_mean": statistics.fmean(ref), "reference_std": statistics.stdev(ref),
        "seed_std": seed_std, "candidate_std": cand_std,
        "candidate_range": max(cand) - min(cand),
        "ratio": cand_std / seed_std if seed_std > 0 else float("inf"),
        "paired_std": math.sqrt(statistics.fmean(p * p for p in paired)) if paired else 0.0,
        "beats_reference": sum(c < statistics.fmean(ref) for c in cand),
        "seconds": time.perf_counter() - start,
    }


def paired_study(evaluator: PretrainEvaluator, reference: Mapping[str, float],
                 mixtures: Sequence[Mapping[str, float]], seeds: Sequence[int],
                 fidelity: int) -> list[list[float]]:
    """For each mixture, its loss minus the reference's on each seed (common random numbers)."""
    ref = losses(evaluator, reference, seeds, fidelity)
    return [[a - b for a, b in zip(losses(evaluator, m, seeds, fidelity), ref, strict=True)]
            for m in mixtures]


def parse_mixture(text: str, domains: Sequence[str]) -> dict[str, float]:
    """`.3,.3,.3,.1`: shares in the evaluator's domain order."""
    try:
        shares = [float(x) for x in text.split(",")]
    except ValueError:
        shares = []
    if len(shares) != len(domains) or min(shares) < 0 or sum(shares) <= 0:
        raise SystemExit(f"--paired {text!r}: give {len(domains)} shares >= 0 separated by "
                         f"commas, in the order {', '.join(domains)}")
    return {d: x / sum(shares) for d, x in zip(domains, shares, strict=True)}


def main(argv: Sequence[str] | None = None) -> None:
    import numpy as np

    from evolver.targets.mix import MixTarget

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fidelity", type=int, nargs="+", default=[0])
    parser.add_argument("--candidates", type=int, default=10)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--mixing", default=None, help="sample or reweight")
    parser.add_argument("--fidelities", type=int, nargs="+", default=None,
                        help="token budgets (default: the evaluator's)")
    parser.add_argument("--paired", nargs="+", metavar="MIXTURE", default=None,
                        help="mixtures as comma-separated shares in domain order; each is "
                             "compared with uniform seed by seed instead of the noise study")
    args = parser.parse_args(argv)
    options: dict[str, Any] = {"threads": args.threads}
    if args.fidelities:
        options["fidelities"] = args.fidelities
    if args.mixing:
        options["mixing"] = args.mixing
    evaluator = PretrainEvaluator(**options)
    evaluator.prepare()
    target = MixTarget(domains=evaluator.domains)
    if args.paired:
        mixtures = [parse_mixture(m, evaluator.domains) for m in args.paired]
        seeds = list(range(args.seeds))
        for fidelity in args.fidelity:
            print(f"fidelity {fidelity} ({evaluator.fidelities[fidelity]} tokens), split "
                  f"search, seeds {seeds}: mixture minus uniform", flush=True)
            diffs = paired_study(evaluator, target.uniform(), mixtures, seeds, fidelity)
            for text, d in zip(args.paired, diffs, strict=True):
                spread = statistics.stdev(d) if len(d) > 1 else 0.0
                print(f"  {text}: {statistics.fmean(d):+.4f} ± {spread:.4f} (per seed "
                      f"{' '.join(f'{x:+.3f}' for x in d)})", flush=True)
        return
    rng = np.random.default_rng(0)  # the default run's first random candidates
    candidates = [target.random_genome(rng) for _ in range(args.candidates)]
    seeds = list(range(args.seeds))
    print(f"preset {evaluator.preset.name}, split search, seeds {seeds}, "
          f"{args.candidates} random candidates (MixTarget, rng 0), reference uniform")
    for fidelity in args.fidelity:
        r = study(evaluator, target.uniform(), candidates, seeds, fidelity)
        print(f"fidelity {fidelity} ({r['tokens']} tokens): uniform loss "
              f"{r['reference_mean']:.4f} ± {r['reference_std']:.4f}, pooled seed std "
              f"{r['seed_std']:.4f}, candidate std "
              f"{r['candidate_std']:.4f} (range {r['candidate_range']:.4f}), ratio "
              f"{r['ratio']:.1f}x; paired std {r['paired_std']:.4f}; "
              f"{r['beats_reference']}/{len(candidates)} beat uniform; {r['seconds']:.0f} s",
              flush=True)


if __name__ == "__main__":
    main()
