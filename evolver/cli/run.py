"""`evolve --target=NAME [flags]`: start a run, with a progress bar and a final summary."""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from evolver.cli.progress import ProgressBar, print_summary
from evolver.config import BACKENDS, RunConfig, read_toml

#: flags that mirror RunConfig fields; a flag left out keeps the config file's or the default
FLAGS: list[tuple[str, dict[str, Any]]] = [
    ("--target", {"help": "what to evolve (mix, ...); required unless --config names it"}),
    ("--config", {"help": "a TOML file of RunConfig fields; flags override it"}),
    ("--budget", {"type": int, "help": "evaluations to run in all (default: the evaluator's "
                                       "suggestion, else 200; the default mix run: 30, finalists "
                                       "included)"}),
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
    ("--population", {"type": int, "help": "population per island (default: the evaluator's "
                                           "suggestion, else 16; the default mix run: 5)"}),
    ("--strategy", {"help": "how islands propose: variation, optuna, surrogate, ... (default: "
                            "the evaluator's suggestion, else variation; the default mix run: "
                            "surrogate)"}),
    ("--finalists", {"type": int,
                     "help": "re-evaluate this many of the best on --finalist-seeds more search "
                             "seeds and name the best by their mean (default: the evaluator's "
                             "suggestion, else 0; the default mix run: 3)"}),
    ("--finalist-seeds", {"type": int, "help": "extra search seeds per finalist (default 2)"}),
    ("--topology", {"help": "migration graph: ring, star, complete, torus, random"}),
    ("--timeout", {"type": float, "help": "seconds before an evaluation is killed (default 600)"}),
    ("--domains", {"help": "mix target: comma-separated domain names"}),
    ("--data", {"metavar": "DIR",
                "help": "the evaluator's data (sets evaluator_options.data): for target router "
                        "a RouterArena-format folder or hub:OWNER/NAME; without it the router "
                        "runs on generated synthetic data, and says so"}),
    ("--preset", {"help": "the evaluator's preset (sets evaluator_options.preset): for the "
                          "pretrain evaluator cpu-tiny (default) or gpu-70m, which trains a "
                          "70M model on the finepdfs, dclm and fineweb-edu 1B samples"}),
]
#: flags that set an evaluator option rather than a RunConfig field
EVALUATOR_FLAGS = ("data", "preset")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    for flag, options in FLAGS:
        parser.add_argument(flag, default=None, **options)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--tui", action="store_true",
                        help="watch the run in the TUI (evolve-tui); quitting it interrupts "
                             "the run, which `evolve resume` continues")


def config_from_args(args: argparse.Namespace) -> RunConfig:
    overrides = {
        flag.lstrip("-").replace("-", "_"): getattr(args, flag.lstrip("-").replace("-", "_"))
        for flag, _ in FLAGS if flag != "--config"
    }
    if overrides["domains"] is not None:
        overrides["domains"] = [d.strip() for d in overrides["domains"].split(",") if d.strip()]
    evaluator_flags = {k: overrides.pop(k) for k in EVALUATOR_FLAGS}
    evaluator_flags = {k: v for k, v in evaluator_flags.items() if v is not None}
    if "data" in evaluator_flags and Path(evaluator_flags["data"]).exists():
        # absolute, so `evolve resume` finds it from anywhere
        evaluator_flags["data"] = str(Path(evaluator_flags["data"]).resolve())
    data = read_toml(args.config) if args.config else {}
    data.update({k: v for k, v in overrides.items() if v is not None})
    if evaluator_flags:
        data["evaluator_options"] = {**data.get("evaluator_options", {}), **evaluator_flags}
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
    if args.tui:
        return run_watched(args, config)
    engine = Engine(config)
    if not args.quiet:
        engine.events.subscribe(ProgressBar(engine.config.budget, engine.objectives))
    result = engine.run()
    print_summary(result, engine.objectives)
    return 0


def run_watched(args: argparse.Namespace, config: RunConfig) -> int:
    """`--tui`: the same run in a child process (`--quiet`, its output kept in a log file)
    while the TUI, a second child, owns the terminal and watches the run directory."""
    from evolver.engine import default_run_dir

    run_dir = Path(config.run_dir or default_run_dir(config))
    argv = [f"{flag}={value}" for flag, _ in FLAGS if flag != "--run-dir"
            and (value := getattr(args, flag.lstrip("-").replace("-", "_"))) is not None]
    with tempfile.TemporaryFile("w+") as log:
        engine = subprocess.Popen(
            [sys.executable, "-m", "evolver.cli", *argv, f"--run-dir={run_dir}", "--quiet"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        try:
            if _wait_readable(run_dir, engine):  # False: it failed first; its log says why
                subprocess.run([sys.executable, "-m", "tui", str(run_dir)])
        finally:
            stopped = engine.poll() is None
            if stopped:
                engine.send_signal(signal.SIGINT)  # a run interrupted this way resumes
            engine.wait()
            log.seek(0)
            sys.stdout.write(log.read())
    if stopped:
        print(f"evolve: continue this run with `evolve resume {run_dir}`", file=sys.stderr)
    return engine.returncode


def _wait_readable(run_dir: Path, engine: subprocess.Popen) -> bool:
    """Until the child has created the run directory (True) or has exited without (False)."""
    from evolver.store import RunReader, RunStoreError

    while True:
        try:
            RunReader(run_dir).close()
            return True
        except RunStoreError:
            if engine.poll() is not None:
                return False
            time.sleep(0.2)
