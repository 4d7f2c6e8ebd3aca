"""Engine overhead per evaluation, and the speed-up of 2 workers over 1.

    python bench/overhead.py [--evals 10000] [--sleep 0.5] [--slow-evals 16]

1. A no-op evaluator, `--evals` evaluations on the local and the Ray backend, store writes
   included: wall time per evaluation is the engine's overhead (goals: <= 2 ms local,
   <= 10 ms Ray).
2. A `--sleep` s evaluator, the same number of evaluations with 1 worker and with 2, side by
   side: the throughput ratio (goal >= 1.8x).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from evolver import Engine, RunConfig


def noop(candidate):  # noqa: ANN001, ANN201
    return {"loss": 0.0}


def sleeper(candidate, context):  # noqa: ANN001, ANN201
    time.sleep(SLEEP)
    return {"loss": sum(candidate.genome.values())}


SLEEP = 0.5




def main() -> None:
    global SLEEP
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evals", type=int, default=10_000)
    parser.add_argument("--sleep", type=float, default=0.5)
    parser.add_argument("--slow-evals", type=int, default=16)
    parser.add_argument("--backends", default="local,ray")
    args = parser.parse_args()
    SLEEP = args.sleep
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for backend in args.backends.split(","):
            if backend == "ray":  # start Ray first: its start-up is not per-evaluation cost
                import ray

                start = time.perf_counter()
                ray.init(include_dashboard=False, configure_logging=False, log_to_driver=False)
                print(f"ray: ray.init() took {time.perf_counter() - start:.2f} s (not counted)")
            start = time.perf_counter()
            Engine(RunConfig(target="mix", run_dir=str(tmp / backend), report_seeds=0,
                             budget=args.evals, backend=backend), evaluator=noop).run()
            wall = time.perf_counter() - start
            print(f"{backend}: {args.evals} no-op evaluations in {wall:.2f} s = "
                  f"{1000 * wall / args.evals:.3f} ms per evaluation (store writes included)")
        walls = {}
        for workers in (1, 2):
            start = time.perf_counter()
            Engine(RunConfig(target="mix", run_dir=str(tmp / f"w{workers}"), report_seeds=0,
                             budget=args.slow_evals, backend="local", workers=workers),
                   evaluator=sleeper).run()
            walls[workers] = time.perf_counter() - start
            print(f"local, {workers} worker(s): {args.slow_evals} x {args.sleep} s evaluations "
                  f"in {walls[workers]:.2f} s")
        print(f"ratio {walls[1] / walls[2]:.2f}")


if __name__ == "__main__":
    main()
