"""`evolve resume RUN_DIR`: continue a killed or interrupted run where it stopped."""

from __future__ import annotations

import argparse

from evolver.cli.progress import ProgressBar, print_summary


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "resume", help="continue a run from its directory",
        description="Continue a run: islands are restored from their last snapshots, "
        "evaluations completed before the stop are kept (none is run twice), those in "
        "flight are issued again, and the run ends at its budget.",
    )
    p.add_argument("run_dir", metavar="RUN_DIR", help="the run directory to continue")
    p.add_argument("--evaluator", default=None,
                   help="override the evaluator ('module:function' or 'file.py:function')")
    p.add_argument("--budget", type=int, default=None,
                   help="evaluations in all, to extend a run (default: the run's budget)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from evolver.engine import Engine
    from evolver.registry import make_evaluator

    engine = Engine.resume(args.run_dir, budget=args.budget)
    if args.evaluator:
        engine.evaluator = make_evaluator(args.evaluator, engine.config)
    if not args.quiet:
        engine.events.subscribe(ProgressBar(engine.config.budget, engine.objectives))
    result = engine.run()
    print_summary(result, engine.objectives)
    return 0
