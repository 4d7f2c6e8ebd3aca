"""`evolve --target=NAME [flags]`: start a run, with a progress bar and a final summary."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from evolver.cli.progress import ProgressBar, print_summary
from evolver.config import BACKENDS, RunConfig, read_toml

#: flags that mirror RunConfig fields; a flag left out keeps the config file's or the default
FLAGS: list[tuple[str, dict[str, Any]]] = [
    ("--target", {"help": "what to evolve (mix, ...); required unless --config names it"}),
    ("--config", {"help": "a TOML file of RunConfig fields; flags override it"}),
    ("--budget", {"type": int, "help": "evaluations to run in all (default 200)"}),
    ("--islands", {"type": int, "help": "number of islands (default 2)"}),
    ("--backend", {"choices": BACKENDS,
                   "help": "where islands and evaluations run; the CLI defaults to ray "
                           "(a local Ray instance), the Python API to local"}),
    ("--address", {"help": "join an existing Ray cluster at this address"}),
    ("--run-dir", {"help": "the run directory (default runs/TARGET-TIME-sSEED)"}),
    ("--seed", {"type": int,
                "help": "seed of the islands' RNGs and of the evaluations (default 0)"}),
    ("--evaluator", {"help": "an evaluator name or 'module:function' / 'file.py:function' "
                             "(default: the target's)"}),
    ("--workers", {"type": int, "help": "evaluations in parallel (default 2)"}),
    ("--population", {"type": int, "help": "population per island (default 16)"}),
    ("--strategy", {"help": "how islands propose: variation, ... (default variation)"}),
    ("--topology", {"help": "migration graph: ring, star, complete, torus, random"}),
    ("--timeout", {"type": float, "help": "seconds before an evaluation is killed (default 600)"}),
    ("--domains", {"help": "mix target: comma-separated domain names"}),
    ("--data", {"metavar": "DIR",
                "help": "the evaluator's data (sets evaluator_options.data): for target router "
                        "a RouterArena-format folder or hub:OWNER/NAME; without it the router "
                        "runs on generated synthetic data, and says so"}),
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    for flag, options in FLAGS:
        parser.add_argument(flag, default=None, **options)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def config_from_args(args: argparse.Namespace) -> RunConfig:
    overrides = {
        flag.lstrip("-").replace("-", "_"): getattr(args, flag.lstrip("-").replace("-", "_"))
        for flag, _ in FLAGS if flag != "--config"
    }
    if overrides["domains"] is not None:
        overrides["domains"] = [d.strip() for d in overrides["domains"].split(",") if d.strip()]
    data_source = overrides.pop("data")
    data = read_toml(args.config) if args.config else {}
    data.update({k: v for k, v in overrides.items() if v is not None})
    if data_source is not None:  # absolute, so `evolve resume` finds it from anywhere
        if Path(data_source).exists():
            data_source = str(Path(data_source).resolve())
        data["evaluator_options"] = {**data.get("evaluator_options", {}), "data": data_source}
    data.setdefault("backend", "ray")
    if "target" not in data:
        from evolver.config import ConfigError
        from evolver.registry import target_names

        raise ConfigError(f"target: required; allowed: {', '.join(target_names())} "
                          "(evolve --target=mix), or --config FILE")
    return RunConfig.from_dict(data, source=args.config or "command line")


def run(args: argparse.Namespace) -> int:
    from evolver.engine import Engine

    config = config_from_args(args)
    engine = Engine(config)
    if not args.quiet:
        engine.events.subscribe(ProgressBar(config.budget, engine.objectives))
    result = engine.run()
    print_summary(result, engine.objectives)
    return 0
