"""Reading proxy runs: a table of mixtures and the losses each run reached.

One file (CSV or JSONL) with mixture columns and loss columns, or two files (mixtures, losses)
joined on a key column, the way RegMix ships its runs. Every problem is a one-line error that
names the option, the file, the row or the column, and what is allowed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from evaluators.jsonl import read_jsonl

#: a mixture row may sum to 1 within this (RegMix rounds shares to 3 digits)
SUM_TOLERANCE = 0.02


class RunsError(ValueError):
    """Bad runs data; the message names the file, row or column."""


@dataclass(frozen=True)
class Runs:
    """Runs as arrays: `mixtures[i]` (shares over `domains`, summing to 1) reached
    `losses[i]` (one column per name in `loss_columns`); `ids[i]` names the run."""

    domains: tuple[str, ...]
    loss_columns: tuple[str, ...]
    mixtures: np.ndarray
    losses: np.ndarray
    ids: tuple[str, ...]
    source: str

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, rows: Sequence[int] | np.ndarray) -> Runs:
        rows = np.asarray(rows, dtype=int)
        return Runs(self.domains, self.loss_columns, self.mixtures[rows], self.losses[rows],
                    tuple(self.ids[i] for i in rows), self.source)

    @property
    def target(self) -> np.ndarray:
        """The objective of each run: the mean of its loss columns."""
        return self.losses.mean(axis=1)


def load_runs(
    domains: Sequence[str],
    loss_columns: Sequence[str],
    *,
    runs: str | None = None,
    mixtures: str | None = None,
    losses: str | None = None,
    join: str = "index",
    mixture_prefix: str = "",
    option: str = "runs",
) -> Runs:
    """Read `runs`, or `mixtures` and `losses` joined on `join`. `option` names the setting
    in error messages (`runs` or `report_runs`)."""
    if runs is not None and (mixtures is not None or losses is not None):
        raise RunsError(f"evaluator_options.{option}: give either {option} or "
                        f"{option.replace('runs', 'mixtures')} and "
                        f"{option.replace('runs', 'losses')}, not both")
    if runs is not None:
        table = read_table(runs, option)
        source = str(runs)
    elif mixtures is not None and losses is not None:
        left = read_table(mixtures, option.replace("runs", "mixtures"))
        right = read_table(losses, option.replace("runs", "losses"))
        for name, t, path in (("mixtures", left, mixtures), ("losses", right, losses)):
            if join not in t.columns:
                raise RunsError(f"evaluator_options.join: {path} has no column {join!r} to join "
                                f"{name} on; its columns: {_some(t.columns)}")
        overlap = (set(left.columns) & set(right.columns)) - {join}
        table = left.merge(right.drop(columns=sorted(overlap)), on=join, how="inner",
                           validate="one_to_one")
        if len(table) < min(len(left), len(right)):
            raise RunsError(f"evaluator_options.join: {len(table)} of {len(left)} runs in "
                            f"{mixtures} have a row with the same {join!r} in {losses}")
        source = f"{mixtures} + {losses}"
    else:
        raise RunsError(f"evaluator_options.{option}: missing; give {option} (one CSV/JSONL "
                        f"file) or {option.replace('runs', 'mixtures')} and "
                        f"{option.replace('runs', 'losses')} (joined on 'join')")
    return _to_runs(table, tuple(domains), tuple(loss_columns), mixture_prefix, join, source)


def read_table(path: str | Path, option: str) -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise RunsError(f"evaluator_options.{option}: no such file {path}")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return pd.read_csv(path)
    if suffix in (".jsonl", ".ndjson"):
        rows = [record for _, record in read_jsonl(path, RunsError)]
        return pd.json_normalize(rows)  # nested {"mixture": {...}} becomes "mixture.<domain>"
    raise RunsError(f"evaluator_options.{option}: {path} is neither .csv nor .jsonl")


def _to_runs(table: pd.DataFrame, domains: tuple[str, ...], loss_columns: tuple[str, ...],
             prefix: str, join: str, source: str) -> Runs:
    columns = [prefix + d for d in domains]
    missing = [c for c in columns if c not in table.columns]
    if missing:
        found = [c[len(prefix):] for c in table.columns if c.startswith(prefix) and c != join]
        raise RunsError(f"{source}: no mixture column {missing[0]!r} for domain "
                        f"{missing[0][len(prefix):]!r}; with mixture_prefix {prefix!r} the "
                        f"domains found are: {_some(found)}")
    if prefix:
        extra = [c for c in table.columns
                 if c.startswith(prefix) and c not in columns and c != join]
        if extra:
            raise RunsError(f"{source}: mixture column {extra[0]!r} is not one of the run's "
                            f"domains ({', '.join(domains)}); add it to domains")
    absent = [c for c in loss_columns if c not in table.columns]
    if absent:
        raise RunsError(f"evaluator_options.target: {source} has no column {absent[0]!r}; "
                        f"its other columns: {_some(c for c in table.columns if c not in columns)}")
    if not len(table):
        raise RunsError(f"{source}: no runs")
    mixtures = _numbers(table, columns, source)
    losses = _numbers(table, list(loss_columns), source)
    if (mixtures < 0).any():
        row, col = np.argwhere(mixtures < 0)[0]
        raise RunsError(f"{source} row {row + 1}: share {columns[col]!r} is {mixtures[row, col]}"
                        "; shares must be >= 0")
    sums = mixtures.sum(axis=1)
    off = np.flatnonzero(np.abs(sums - 1.0) > SUM_TOLERANCE)
    if off.size:
        raise RunsError(f"{source} row {off[0] + 1}: the shares sum to {sums[off[0]]:.4f}; "
                        f"a mixture sums to 1 (within {SUM_TOLERANCE})")
    ids = table[join].astype(str) if join in table.columns else pd.Series(range(len(table)))
    return Runs(domains, loss_columns, mixtures / sums[:, None], losses,
                tuple(str(i) for i in ids), source)


def _numbers(table: pd.DataFrame, columns: list[str], source: str) -> np.ndarray:
    values = table[columns].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    bad = np.argwhere(~np.isfinite(values))
    if bad.size:
        row, col = bad[0]
        cell = table[columns[col]].iloc[row]
        shown = "missing (empty or NaN)" if pd.isna(cell) else repr(str(cell))
        raise RunsError(f"{source} row {row + 1}: column {columns[col]!r} is {shown}; "
                        "expected a finite number")
    return values


def _some(names: object, k: int = 8) -> str:
    names = list(names)  # type: ignore[call-overload]
    more = f", ... ({len(names)} in all)" if len(names) > k else ""
    return ", ".join(map(str, names[:k])) + more
