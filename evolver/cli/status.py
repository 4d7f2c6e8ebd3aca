"""`evolve status RUN_DIR`: where a run stands, read while it runs or after."""

from __future__ import annotations

import argparse
import json
import time

from evolver.store import RunReader
from evolver.store.reader import search_seeds


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "status", help="show a run's state, counts, islands and best",
        description="Show a run's state (running / finished / interrupted), evaluations "
        "done, failed and in flight against the budget, each island, the best candidate and "
        "the elapsed time. Reads run.db without locking out the writer.",
    )
    p.add_argument("run_dir", metavar="RUN_DIR")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=run)


def gather(reader: RunReader) -> dict:
    meta = reader.meta()
    counts = reader.counts()
    best = reader.best()
    snapshots = reader.snapshots()
    end = float(meta.get("finished", 0)) or float(meta.get("heartbeat", 0)) or time.time()
    return {
        "run_dir": str(reader.run_dir),
        "target": meta.get("target"),
        "state": reader.state(),
        "budget": int(meta.get("budget", 0)),
        **counts,
        "elapsed_s": round(end - float(meta.get("created", end)), 1),
        "islands": [
            {"island": i, "strategy": s["strategy"], "population": len(s["population"]),
             "told": s["told"],
             "best": s["population"][0]["objectives"] if s["population"] else None}
            for i, (_, s) in snapshots.items()
        ],
        "best": None if best is None else {
            "candidate_id": best[0].id, "island": best[0].island,
            "objectives": best[1].objectives, "genome": best[0].genome,
            "search_seeds": search_seeds(best[1]),
        },
    }


def run(args: argparse.Namespace) -> int:
    with RunReader(args.run_dir) as reader:
        info = gather(reader)
    if args.json:
        print(json.dumps(info))
        return 0
    print(f"{info['run_dir']}: {info['target']} run, {info['state']}, "
          f"elapsed {info['elapsed_s']:.0f} s")
    print(f"evaluations: {info['done']}/{info['budget']} done ({info['ok']} ok, "
          f"{info['failed']} failed, {info['timeout']} timed out, {info['invalid']} invalid), "
          f"{info['in_flight']} in flight")
    for isl in info["islands"]:
        print(f"  island {isl['island']}: {isl['strategy']}, population {isl['population']}, "
              f"told {isl['told']}, best {isl['best']}")
    if info["best"]:
        b = info["best"]
        seeds = f", mean of {b['search_seeds']} search seeds" if b["search_seeds"] > 1 else ""
        print(f"best: {b['candidate_id']} (island {b['island']}{seeds}) {b['objectives']}")
        print(f"  genome: {b['genome']}")
    return 0
