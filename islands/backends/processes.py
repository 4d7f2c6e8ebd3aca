"""Evaluations in worker processes, so that a hung or crashed one can be killed and replaced.

Each worker holds the evaluator from its start (inherited under `fork`, pickled under
`spawn`) and receives only candidates, so a job costs one small message each way.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import multiprocessing as mp
import os
import signal
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from evaluators.base import Evaluator, run_evaluation
from evolver.types import Candidate, EvalContext, Evaluation, Objective

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _die_with_parent() -> None:
    """On Linux, have the kernel kill this worker when the driver dies (even by kill -9), so
    no orphan goes on spending CPU or a GPU on a job nobody will record."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _worker_main(conn: Connection, parent_end: Connection, evaluator: Evaluator,
                 objectives: Sequence[Objective]) -> None:
    parent_pid = os.getppid()
    _die_with_parent()
    parent_end.close()  # the fork's copy of the driver's end; kept, it would hide the EOF
    while True:
        try:
            while not conn.poll(1.0):  # elsewhere than Linux: notice an orphaned worker
                if os.getppid() != parent_pid:
                    return
            job = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if job is None:
            return
        candidate, context = job
        conn.send(run_evaluation(evaluator, candidate, context, objectives))


@dataclass
class _Worker:
    process: Any
    conn: Connection
    job: tuple[Candidate, EvalContext] | None = None
    deadline: float = field(default=float("inf"))


class ProcessExecutor:
    def __init__(
        self,
        evaluator: Evaluator,
        objectives: Sequence[Objective],
        slots: int,
        timeout: float,
        start_method: str | None = None,
    ) -> None:
        methods = mp.get_all_start_methods()
        self._ctx = mp.get_context(start_method or ("fork" if "fork" in methods else "spawn"))
        self.evaluator = evaluator
        self.objectives = tuple(objectives)
        self.slots = slots
        self.timeout = timeout
        self._workers = [self._spawn() for _ in range(slots)]
        self._queue: list[tuple[Candidate, EvalContext]] = []

    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(
            target=_worker_main, args=(child, parent, self.evaluator, self.objectives),
            daemon=True,
        )
        proc.start()
        child.close()
        return _Worker(proc, parent)

    @property
    def in_flight(self) -> int:
        return len(self._queue) + sum(w.job is not None for w in self._workers)

    def submit(self, candidate: Candidate, context: EvalContext) -> None:
        self._queue.append((candidate, context))
        self._dispatch()

    def _dispatch(self) -> None:
        for w in self._workers:
            if not self._queue:
                return
            if w.job is None:
                w.job = self._queue.pop(0)
                w.deadline = time.monotonic() + self.timeout
                w.conn.send(w.job)

    def poll(self, timeout: float) -> list[Evaluation]:
        busy = [w for w in self._workers if w.job is not None]
        if not busy:
            return []
        soonest = min(w.deadline for w in busy)
        wait_for = max(0.0, min(timeout, soonest - time.monotonic()))
        ready = set(wait([w.conn for w in busy], timeout=wait_for))
        out: list[Evaluation] = []
        for i, w in enumerate(self._workers):
            if w.job is None:
                continue
            if w.conn in ready:
                try:
                    out.append(w.conn.recv())
                    w.job = None
                    continue
                except (EOFError, OSError):
                    out.append(self._replace(i, "failed", "the worker process died "
                                             f"(exit code {w.process.exitcode})"))
                    continue
            if time.monotonic() >= w.deadline:
                out.append(self._replace(i, "timeout",
                                         f"killed after the {self.timeout:g} s timeout"))
        self._dispatch()
        return out

    def _replace(self, i: int, status: str, error: str) -> Evaluation:
        """Kill worker i (hung or dead), start a fresh one, and report its job."""
        w = self._workers[i]
        assert w.job is not None
        candidate, context = w.job
        w.process.kill()
        w.process.join(timeout=5)
        w.conn.close()
        self._workers[i] = self._spawn()
        return Evaluation(
            candidate_id=candidate.id, status=status, error=error,  # type: ignore[arg-type]
            seconds=self.timeout if status == "timeout" else 0.0, fidelity=context.fidelity,
            seed=context.seed, split=context.split, island=candidate.island,
        )

    def close(self) -> None:
        for w in self._workers:
            with contextlib.suppress(BrokenPipeError, OSError):
                w.conn.send(None)
        for w in self._workers:
            w.process.join(timeout=2)
            if w.process.is_alive():
                w.process.kill()
                w.process.join()
            w.conn.close()
