"""The `evolve` command as a user runs it: bad input, status, export, kill and resume."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evolver import RunReader
from tests.conftest import REPO

EVOLVE = [sys.executable, "-m", "evolver.cli"]
TOY = f"{REPO}/tests/evalfns.py:slow_quadratic"


def evolve(*args: str, **kw) -> subprocess.CompletedProcess:  # noqa: ANN003
    return subprocess.run([*EVOLVE, *args], capture_output=True, text=True, cwd=REPO,
                          timeout=300, **kw)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--target=nope"], "target: unknown 'nope'; allowed: "),
        (["--target=mix", "--budget", "-5"], "budget: -5 is too small"),
        (["--target=mix", "--islands", "0"], "islands: 0 is too small"),
        (["--target=mix", "--backend", "slurm"], "invalid choice: 'slurm'"),
        (["--target=mix", "--topology", "hypercube"], "topology: unknown 'hypercube'"),
        (["--target=mix", "--strategy", "annealing"], "strategy: unknown 'annealing'"),
        (["--target=mix", "--evaluator", "nowhere.py:f"], "nowhere.py:f': no file"),
        (["--budget", "3"], "target: required"),
        (["status", "/nonexistent/run"], "no such directory"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_no_traceback(args: list[str], needle: str) -> None:
    p = evolve(*args)
    assert p.returncode == 2, p.stderr
    assert needle in p.stderr
    assert "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) <= 2  # argparse prints its usage line first


def test_bad_config_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("target = 'mix'\nbudget = [\n")
    p = evolve("--config", str(bad))
    assert p.returncode == 2 and "is not valid TOML" in p.stderr and "Traceback" not in p.stderr
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("target = 'mix'\nbudgett = 5\n")
    p = evolve("--config", str(unknown))
    assert p.returncode == 2 and "unknown field 'budgett'; allowed: " in p.stderr
    typed = tmp_path / "typed.toml"
    typed.write_text("target = 'mix'\nbudget = 'many'\n")
    p = evolve("--config", str(typed))
    assert p.returncode == 2 and "budget: 'many' is a str; allowed: int" in p.stderr


def test_help_explains_every_flag() -> None:
    out = evolve("--help").stdout
    for flag in ("--target", "--budget", "--islands", "--backend", "--address", "--run-dir",
                 "--seed", "--config"):
        assert flag in out
    for sub in ("resume", "status", "export"):
        assert evolve(sub, "--help").returncode == 0


def test_kill_9_then_resume_loses_nothing_and_runs_nothing_twice(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    budget = 60
    env = {**os.environ, "ARCHIPELAGO_TEST_SLEEP": "0.05"}
    proc = subprocess.Popen(
        [*EVOLVE, "--target=mix", "--backend", "local", "--evaluator", TOY, "--budget",
         str(budget), "--run-dir", str(run_dir), "--quiet", "--seed", "3"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    kill_after = random.randint(5, 30)  # a random moment after some evaluations completed
    deadline = time.monotonic() + 120
    done = 0
    while done < kill_after and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
        if (run_dir / "run.db").exists():
            try:
                with RunReader(run_dir) as r:
                    done = r.counts()["done"]
            except Exception:  # noqa: BLE001 - the schema may not be there yet
                done = 0
    assert proc.poll() is None, f"run ended before the kill: {proc.stderr.read()}"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert _processes_running(str(run_dir)) == [], "worker processes outlived their driver"
    with RunReader(run_dir) as r:
        before = {ev.id: ev for _, ev in r.evaluations()}
        assert r.state() == "interrupted"
    assert len(before) >= kill_after
    status = evolve("status", str(run_dir))
    assert "interrupted" in status.stdout

    resumed = evolve("resume", str(run_dir), "--quiet", env=env)
    assert resumed.returncode == 0, resumed.stderr
    with RunReader(run_dir) as r:
        after = [ev for _, ev in r.evaluations()]
        assert r.state() == "finished"
        assert r.counts()["in_flight"] == 0
    ids = [ev.id for ev in after]
    assert len(ids) == len(set(ids)) == budget  # none twice, budget honoured
    assert len({ev.candidate_id for ev in after}) == budget
    after_by_id = {ev.id: ev for ev in after}
    for eid, ev in before.items():  # every evaluation completed before the kill is kept
        assert after_by_id[eid] == ev


def _processes_running(needle: str, wait: float = 5.0) -> list[int]:
    """Pids whose command line names `needle`, after giving them `wait` seconds to exit."""
    deadline = time.monotonic() + wait
    while True:
        pids = []
        for proc_dir in Path("/proc").glob("[0-9]*"):
            try:
                cmdline = (proc_dir / "cmdline").read_bytes().decode(errors="replace")
                state = (proc_dir / "stat").read_text().split(")")[-1].split()[0]
            except OSError:
                continue
            if needle in cmdline and state != "Z":
                pids.append(int(proc_dir.name))
        if not pids or time.monotonic() > deadline:
            return pids
        time.sleep(0.1)


def test_export_jsonl_has_one_line_per_evaluation(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    p = evolve("--target=mix", "--backend", "local", "--evaluator", TOY, "--budget", "12",
               "--run-dir", str(run_dir), "--quiet")
    assert p.returncode == 0, p.stderr
    assert "report split, fresh seeds" in p.stdout and "uniform" in p.stdout
    assert re.search(r"best - uniform: loss [-+]\S+ ± \S+, better on \d of 3 seeds \((better "
                     r"beyond the seed spread|not shown better)", p.stdout), p.stdout
    lines = [json.loads(x) for x in evolve("export", str(run_dir)).stdout.splitlines()]
    search = [x for x in lines if x["split"] == "search"]
    assert len(search) == 12
    assert len({x["id"] for x in lines}) == len(lines)
    for row in lines:
        assert {"id", "candidate_id", "status", "metric.loss", "genome"} <= set(row)
    csv_out = evolve("export", str(run_dir), "--format", "csv").stdout.splitlines()
    assert csv_out[0].startswith("id,candidate_id") and len(csv_out) == len(lines) + 1
    status = json.loads(evolve("status", str(run_dir), "--json").stdout)
    assert status["state"] == "finished" and status["done"] == 12 and status["budget"] == 12


def test_bad_strategy_options_stop_before_any_work(tmp_path: Path) -> None:
    config = tmp_path / "run.toml"
    config.write_text("target = 'mix'\nstrategy = 'surrogate'\n"
                      "[strategy_options.surrogate]\npoool = 3\n")
    p = evolve("--config", str(config), "--backend", "local", "--run-dir", str(tmp_path / "r"))
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "strategy_options.surrogate: unknown 'poool'" in p.stderr
    assert "allowed: inner" in p.stderr
    assert not (tmp_path / "r").exists()
