"""`evolve score FILE --data DIR`: score an exported candidate (a router) on any data.

The file names its target; the target loads it (`Deployable.load`) and the target's default
evaluator scores it on the data given, beside that evaluator's baselines. `--json` prints one
JSON object: the candidate's figures at the top level and `baselines` as name -> figures.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from evolver.config import ConfigError, RunConfig
from evolver.registry import make_evaluator, make_target
from evolver.targets.base import Deployable

HEADLINE = ("accuracy", "cost_per_1k", "arena_score")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "score", help="score an exported candidate (a router file) on data",
        description="Score a file written by `evolve export RUN_DIR --best FILE` on data of "
        "the target's evaluator: for a router, RouterArena-format results (a folder of "
        "<model>.jsonl files and cost.json). Prints the figures beside the baselines "
        "(each single model, random routing, the unevolved router, the oracle).",
    )
    p.add_argument("file", metavar="FILE", help="an exported candidate, such as a router")
    p.add_argument("--data", required=True, metavar="DIR",
                   help="the data to score on: a RouterArena-format folder, hub:OWNER/NAME, "
                        "or 'synthetic' for the generated default")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=run)


def _target_of(path: Path) -> str:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not an exported candidate (not JSON: {exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("target"), str):
        raise ConfigError(f"{path}: not an exported candidate (no 'target' field)")
    return data["target"]


def score(path: Path, data: str) -> dict[str, Any]:
    config = RunConfig(target=_target_of(path), evaluator_options={"data": data})
    target = make_target(config)
    if not isinstance(target, Deployable):
        raise ConfigError(f"{path}: target {config.target!r} has no deployable files to score")
    try:
        candidate = target.load(path)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    evaluator = make_evaluator(target.default_evaluator, config)
    if not hasattr(evaluator, "score"):
        raise ConfigError(f"evaluator {target.default_evaluator!r} cannot score files")
    try:
        result = evaluator.score(candidate)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return {"file": str(path), **result}


def run(args: argparse.Namespace) -> int:
    data = args.data
    if Path(data).exists():
        data = str(Path(data).resolve())
    result = score(Path(args.file), data)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{result['file']} on {result['data']} ({result['split']})")
    print(_line("candidate", result))
    extra = ", ".join(f"{k}={result[k]:.4g}" for k in ("opt_sel", "opt_cost", "opt_acc")
                      if k in result)
    if extra:
        print(f"  {'':<24} {extra}")
    print("baselines on the same queries:")
    for name, figures in result.get("baselines", {}).items():
        print(_line(name, figures))
    if result.get("baselines_note"):
        print(f"  ({result['baselines_note']})")
    return 0


def _line(name: str, figures: dict[str, Any]) -> str:
    return (f"  {name:<24} accuracy {figures['accuracy']:.4f}  "
            f"cost ${figures['cost_per_1k']:.4f}/1K  arena score {figures['arena_score']:.4f}")
