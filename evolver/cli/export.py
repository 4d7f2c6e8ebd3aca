"""`evolve export RUN_DIR`: every evaluation as CSV or JSON lines; `--best FILE` writes the
run's best candidate as a file to deploy (through the target's `Deployable.export` hook, else
its genome as JSON)."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from evolver.store import RunReader

BASE_COLUMNS = ["id", "candidate_id", "island", "generation", "operator", "parent_ids",
                "split", "fidelity", "seed", "status", "error", "seconds", "cost_usd", "genome"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export", help="write all evaluations as CSV or JSONL",
        description="Write one row per evaluation (search and report splits) with the "
        "candidate's lineage fields, its genome and every metric.",
    )
    p.add_argument("run_dir", metavar="RUN_DIR")
    p.add_argument("--format", choices=["csv", "jsonl"], default="jsonl",
                   help="output format")
    p.add_argument("--output", "-o", default="-", help="file to write ('-' for stdout)")
    p.add_argument("--best", metavar="FILE",
                   help="instead, write the run's best candidate to FILE as the target "
                        "deploys it (a router file for target router; else its genome as JSON)")
    p.set_defaults(handler=run)


def rows(reader: RunReader) -> Iterator[dict[str, Any]]:
    candidates = {c.id: c for c in reader.candidates()}
    for _, ev in reader.evaluations(split=None):
        c = candidates[ev.candidate_id]
        yield {
            "id": ev.id, "candidate_id": c.id, "island": c.island, "generation": c.generation,
            "operator": c.operator, "parent_ids": list(c.parent_ids), "split": ev.split,
            "fidelity": ev.fidelity, "seed": ev.seed, "status": ev.status, "error": ev.error,
            "seconds": ev.seconds, "cost_usd": ev.cost_usd, "genome": c.genome,
            **{f"metric.{k}": v for k, v in ev.metrics.items()},
            **{f"artifact.{k}": v for k, v in ev.artifacts.items()},
        }


def run(args: argparse.Namespace) -> int:
    if args.best:
        return export_best(args.run_dir, Path(args.best))
    with RunReader(args.run_dir) as reader:
        data = list(rows(reader))
    if args.output == "-":
        write(data, args.format, sys.stdout)
    else:
        with Path(args.output).open("w", newline="") as out:
            write(data, args.format, out)
    return 0


def write(data: list[dict[str, Any]], fmt: str, out: TextIO) -> None:
    if fmt == "jsonl":
        for row in data:
            out.write(json.dumps(row) + "\n")
        return
    extra = sorted({k for row in data for k in row} - set(BASE_COLUMNS))
    writer = csv.DictWriter(out, fieldnames=BASE_COLUMNS + extra)
    writer.writeheader()
    for row in data:
        writer.writerow({k: json.dumps(v) if isinstance(v, (dict, list)) else v
                         for k, v in row.items()})


def export_best(run_dir: str, path: Path) -> int:
    from evolver.config import RunConfig
    from evolver.registry import make_target
    from evolver.store import RunStoreError
    from evolver.targets.base import Deployable

    with RunReader(run_dir) as reader:
        config = RunConfig.from_dict(reader.config_dict(), source=f"{run_dir}/config.toml")
        best = reader.best()
    if best is None:
        raise RunStoreError(f"{run_dir}: no candidate was evaluated successfully; no best "
                            "to export")
    candidate, evaluation = best
    target = make_target(config)
    if isinstance(target, Deployable):
        written = target.export(candidate.genome, path)
    else:
        path.write_text(json.dumps({"target": config.target, "candidate_id": candidate.id,
                                    "genome": candidate.genome}) + "\n")
        written = path
    values = ", ".join(f"{k}={v:.4g}" for k, v in evaluation.objectives.items())
    print(f"wrote best candidate {candidate.id} (search split: {values}) to {written}")
    return 0
