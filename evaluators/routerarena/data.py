"""RouterArena-format data: per model a `cached_results` JSONL, and the price table `cost.json`.

A data source is one of:
- a directory with `<model>.jsonl` files and `cost.json` beside them, or RouterArena's own
  layout (`cached_results/*.jsonl`, `model_cost/cost.json`);
- `hub:OWNER/NAME`, a dataset repository on the hub in one of those layouts (online only);
- None or "synthetic": the generated default (see `synthetic.py`).

Every model must answer the same queries. Bad input stops with a `DataError` naming the file
and the line, before any work starts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from evaluators.jsonl import read_jsonl


class DataError(ValueError):
    """RouterArena data that cannot be used; the message names the file and the row."""


@dataclass
class RouterData:
    """Queries x models: who answered how well, at what cost."""

    models: list[str]
    ids: list[str]                 # global_index of each query
    questions: list[str]
    scores: np.ndarray             # (n, M) evaluation_result.score
    costs: np.ndarray              # (n, M) USD per query
    prices: dict[str, dict[str, float]]
    source: str
    synthetic: bool = False

    @property
    def families(self) -> list[str]:
        return [family_of(i) for i in self.ids]

    def __len__(self) -> int:
        return len(self.ids)


def family_of(global_index: str) -> str:
    """The query family: everything before the last `_` of the global index."""
    return global_index.rsplit("_", 1)[0] if "_" in global_index else global_index


def is_synthetic(spec: str | None) -> bool:
    return spec in (None, "", "synthetic")


def load_data(spec: str | None, seed: int = 0, queries: int = 809) -> RouterData:
    if is_synthetic(spec):
        from evaluators.routerarena.synthetic import generate

        return generate(seed=seed, n=queries)
    assert spec is not None
    if spec.startswith("hub:"):
        return load_dir(_download(spec[4:]), source=spec)
    return load_dir(spec)


def model_names(spec: str | None) -> list[str]:
    """The models of a source without reading its rows (the target needs only the names)."""
    if is_synthetic(spec):
        from evaluators.routerarena.synthetic import MODELS

        return list(MODELS)
    assert spec is not None
    if spec.startswith("hub:"):
        return load_data(spec).models
    return sorted(_results_files(Path(spec)))


def _download(repo: str) -> Path:
    """A hub dataset repository's files, through the hub cache (needs the network)."""
    from huggingface_hub import snapshot_download

    return Path(snapshot_download(repo_id=repo, repo_type="dataset",
                                  allow_patterns=["*.jsonl", "*.json"]))


def _layout(root: Path) -> tuple[Path, Path]:
    """(folder of results files, cost.json) in the flat or RouterArena layout."""
    if not root.is_dir():
        raise DataError(f"data: {root} is not a directory")
    if (root / "cached_results").is_dir():
        return root / "cached_results", root / "model_cost" / "cost.json"
    return root, root / "cost.json"


def _results_files(root: Path) -> dict[str, Path]:
    folder, _ = _layout(root)
    files = {p.stem: p for p in sorted(folder.glob("*.jsonl"))}
    if not files:
        raise DataError(f"data: no <model>.jsonl results files in {folder}")
    return files


def load_dir(root: str | Path, source: str | None = None) -> RouterData:
    root = Path(root)
    files = _results_files(root)
    _, cost_path = _layout(root)
    prices = _read_prices(cost_path)
    for model, path in files.items():
        if model not in prices:
            raise DataError(f"{cost_path}: no price for model {model!r} (results file "
                            f"{path.name}); cost.json names {len(prices)} models")
    models = sorted(files)
    tables = {m: _read_results(files[m], prices[m]) for m in models}
    ids = list(tables[models[0]])
    first = set(ids)
    for m in models[1:]:
        other = tables[m]
        extra = next((i for i in other if i not in first), None)
        lost = next((i for i in ids if i not in other), None)
        if extra is not None or lost is not None:
            where, qid = (files[m], extra) if extra is not None else (files[models[0]], lost)
            line = tables[m][qid]["line"] if extra is not None else tables[models[0]][qid]["line"]
            other_file = files[models[0]] if extra is not None else files[m]
            raise DataError(f"{where} line {line}: query {qid!r} is not in {other_file.name}; "
                            "every model must answer the same queries")
    scores = np.array([[tables[m][i]["score"] for m in models] for i in ids], dtype=float)
    costs = np.array([[tables[m][i]["cost"] for m in models] for i in ids], dtype=float)
    questions = [tables[models[0]][i]["question"] for i in ids]
    return RouterData(models=models, ids=ids, questions=questions, scores=scores, costs=costs,
                      prices={m: prices[m] for m in models}, source=source or str(root))


def _read_prices(path: Path) -> dict[str, dict[str, float]]:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise DataError(f"{path}: missing; RouterArena data needs the price table "
                        "cost.json beside the results files") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise DataError(f"{path}: expected an object model -> prices")
    out: dict[str, dict[str, float]] = {}
    for model, entry in data.items():
        try:
            out[model] = {"input": float(entry["input_token_price_per_million"]),
                          "output": float(entry["output_token_price_per_million"])}
        except (TypeError, KeyError, ValueError):
            raise DataError(f"{path}: model {model!r} needs numbers "
                            "input_token_price_per_million and output_token_price_per_million"
                            ) from None
    return out


def _field(row: dict[str, Any], dotted: str, path: Path, line: int) -> Any:
    value: Any = row
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            raise DataError(f"{path} line {line}: missing field {dotted!r}")
        value = value[part]
    return value


def _number(value: Any, dotted: str, path: Path, line: int) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
        raise DataError(f"{path} line {line}: field {dotted!r} is {value!r}; expected a number")
    return float(value)


def _read_results(path: Path, price: dict[str, float]) -> dict[str, dict[str, Any]]:
    """global_index -> {question, score, cost (USD), line}, in file order."""
    out: dict[str, dict[str, Any]] = {}
    for line, row in read_jsonl(path, DataError):
        if not isinstance(row, dict):
            raise DataError(f"{path} line {line}: expected a JSON object")
        qid = str(_field(row, "global_index", path, line))
        question = _field(row, "question", path, line)
        score = _number(_field(row, "evaluation_result.score", path, line),
                        "evaluation_result.score", path, line)
        result = row["evaluation_result"]
        if "inference_cost" in result:
            cost = _number(result["inference_cost"], "evaluation_result.inference_cost",
                           path, line)
        else:  # priced from the token counts, as RouterArena does
            usage = _field(row, "token_usage", path, line)
            tokens_in = _number(usage.get("input_tokens"), "token_usage.input_tokens",
                                path, line)
            tokens_out = _number(usage.get("output_tokens"), "token_usage.output_tokens",
                                 path, line)
            cost = (tokens_in * price["input"] + tokens_out * price["output"]) / 1e6
        if qid in out:
            raise DataError(f"{path} line {line}: query {qid!r} repeats line "
                            f"{out[qid]['line']}")
        out[qid] = {"question": str(question), "score": score, "cost": cost, "line": line}
    if not out:
        raise DataError(f"{path}: no rows")
    return out
