"""Domain specs: where each named domain's text comes from, checked before a run starts.

A domain is an embedded offline corpus (code, docs, web, math), a Hugging Face dataset by
name/config/split/field (streamed, so a sample of a huge set costs no full download), or
local files (txt, md, jsonl, parquet, or a folder of them). `check_domain` opens each source
and reads its first document, so a missing file, an unknown field or an empty source fails
with one clear line before any model is trained, not an hour into a run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from evaluators.jsonl import read_jsonl
from evaluators.pretrain.offline import OFFLINE_BUILDERS

#: hub samples known by a short name: the three 1B-token samples of the seed's 50-30-20 mix
#: (50k documents each, ~50M tokens: a uniform mix of the three at gpu-70m's dearest fidelity
#: reads each less than once)
HUB_DOMAINS: dict[str, dict[str, Any]] = {
    "finepdfs": {"dataset": "codelion/finepdfs-1B", "docs": 50_000},
    "dclm": {"dataset": "codelion/dclm-baseline-1B", "docs": 50_000},
    "fineweb-edu": {"dataset": "codelion/fineweb-edu-1B", "docs": 50_000},
}
SPEC_KEYS = ("dataset", "config", "split", "field", "path", "docs", "scan")
TEXT_SUFFIXES = (".txt", ".md")
RECORD_SUFFIXES = (".jsonl", ".parquet")


class DomainError(ValueError):
    """A domain spec that cannot be used; the message names the domain and the fix."""


@dataclass(frozen=True)
class DomainSpec:
    """One domain's source. `docs` is the reservoir size; `scan` caps the documents read."""

    name: str
    kind: str  # "offline", "hub" or "local"
    dataset: str | None = None
    config: str | None = None
    split: str = "train"
    field: str = "text"
    path: str | None = None
    docs: int = 10_000
    scan: int | None = None

    def key(self) -> str:
        """A short stable hash of the spec, part of the cache file's name."""
        blob = json.dumps(asdict(self), sort_keys=True).encode()
        return hashlib.sha1(blob).hexdigest()[:12]

    def describe(self) -> str:
        if self.kind == "hub":
            return f"hub dataset {self.dataset!r} (config {self.config}, split {self.split})"
        if self.kind == "local":
            return f"{self.path}"
        return f"the offline {self.name!r} corpus"


def resolve_domains(names: Sequence[str], sources: Mapping[str, Any] | None) -> list[DomainSpec]:
    """Specs for `names`: from `sources[name]`, else a known hub name, else an offline one.

    A source is a path string, `"hf:owner/name"` (optionally `"hf:owner/name:config"`), or a
    table of SPEC_KEYS.
    """
    sources = dict(sources or {})
    stray = sorted(set(sources) - set(names))
    if stray:
        raise DomainError(f"sources: {stray[0]!r} is not a domain of this run; "
                          f"domains: {', '.join(names)}")
    return [resolve_one(name, sources.get(name)) for name in names]


def resolve_one(name: str, source: Any) -> DomainSpec:
    if source is None:
        if name in OFFLINE_BUILDERS:
            return DomainSpec(name, "offline")
        if name in HUB_DOMAINS:
            return DomainSpec(name, "hub", **HUB_DOMAINS[name])
        raise DomainError(
            f"domain {name!r}: no source; give evaluator_options.sources.{name} (a path, "
            f"'hf:owner/name' or a table of {', '.join(SPEC_KEYS)}), or use an offline domain "
            f"({', '.join(OFFLINE_BUILDERS)}) or a hub sample ({', '.join(HUB_DOMAINS)})"
        )
    if isinstance(source, str):
        if source.startswith("hf:"):
            dataset, _, config = source[3:].partition(":")
            source = {"dataset": dataset, "config": config or None}
        else:
            source = {"path": source}
    if not isinstance(source, Mapping):
        raise DomainError(f"sources.{name}: {source!r}; allowed: a path, 'hf:owner/name' or a "
                          f"table of {', '.join(SPEC_KEYS)}")
    unknown = sorted(set(source) - set(SPEC_KEYS))
    if unknown:
        raise DomainError(f"sources.{name}: unknown key {unknown[0]!r}; "
                          f"allowed: {', '.join(SPEC_KEYS)}")
    if ("dataset" in source) == ("path" in source):
        raise DomainError(f"sources.{name}: give exactly one of 'dataset' (hub) or 'path' (local)")
    for key in ("docs", "scan"):
        value = source.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or value < 1):
            raise DomainError(f"sources.{name}.{key}: {value!r}; allowed: an integer >= 1")
    kind = "hub" if "dataset" in source else "local"
    spec = DomainSpec(name, kind, **dict(source))
    if kind == "local":  # absolute, so a worker started elsewhere finds the same file
        spec = DomainSpec(**{**asdict(spec), "path": str(Path(str(spec.path)).resolve())})
    return spec


# --- reading ----------------------------------------------------------------------------
def local_files(spec: DomainSpec) -> list[Path]:
    path = Path(str(spec.path))
    if not path.exists():
        raise DomainError(f"domain {spec.name!r}: no such file or folder {path}")
    allowed = TEXT_SUFFIXES + RECORD_SUFFIXES
    if path.is_file():
        if path.suffix not in allowed:
            raise DomainError(f"domain {spec.name!r}: {path} has suffix {path.suffix!r}; "
                              f"allowed: {', '.join(allowed)}, or a folder of them")
        return [path]
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in allowed)
    if not files:
        raise DomainError(f"domain {spec.name!r}: folder {path} holds no "
                          f"{', '.join(allowed)} files")
    return files


def _records(spec: DomainSpec, path: Path) -> Iterator[str]:
    """The text of each record of one local file (a text file is one record)."""
    if path.suffix in TEXT_SUFFIXES:
        yield path.read_text(encoding="utf-8", errors="replace")
        return
    if path.suffix == ".jsonl":
        for line_no, record in read_jsonl(path, DomainError, f"domain {spec.name!r}: "):
            yield _field(spec, record, f"{path} line {line_no}")
        return
    import pyarrow.parquet as pq

    table = pq.ParquetFile(path)
    if spec.field not in table.schema_arrow.names:
        raise DomainError(f"domain {spec.name!r}: unknown field {spec.field!r} in {path}; "
                          f"fields: {', '.join(table.schema_arrow.names)}")
    for batch in table.iter_batches(columns=[spec.field]):
        for value in batch.column(0).to_pylist():
            yield value if isinstance(value, str) else ""


def _field(spec: DomainSpec, record: Any, where: str) -> str:
    if not isinstance(record, Mapping) or spec.field not in record:
        fields = ", ".join(map(str, record)) if isinstance(record, Mapping) else "none"
        raise DomainError(f"domain {spec.name!r}: unknown field {spec.field!r} in {where}; "
                          f"fields: {fields}")
    value = record[spec.field]
    return value if isinstance(value, str) else ""


def _hub_records(spec: DomainSpec) -> Iterator[str]:
    import datasets

    try:
        data = datasets.load_dataset(spec.dataset, spec.config, split=spec.split, streaming=True)
        for i, record in enumerate(data):
            yield _field(spec, record, f"hub dataset {spec.dataset!r} record {i}")
    except DomainError:
        raise
    except Exception as exc:  # noqa: BLE001 - hub errors come in many types; name the source
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise DomainError(f"domain {spec.name!r}: cannot read {spec.describe()}: {first}"
                          ) from None


def iter_documents(spec: DomainSpec) -> Iterator[str]:
    """Every non-empty document of the source, in the source's order."""
    if spec.kind == "offline":
        docs: Iterator[str] = OFFLINE_BUILDERS[spec.name]()
    elif spec.kind == "hub":
        docs = _hub_records(spec)
    else:
        docs = (text for path in local_files(spec) for text in _records(spec, path))
    return (d for d in docs if d.strip())


def check_domain(spec: DomainSpec) -> None:
    """Open the source and read up to its first document; raise DomainError if unusable."""
    if spec.kind == "offline":
        return  # built from this installation; nothing to find
    for _ in iter_documents(spec):
        return
    records = spec.kind == "hub" or any(p.suffix in RECORD_SUFFIXES for p in local_files(spec))
    hint = f" (field {spec.field!r} is empty in every record)" if records else ""
    raise DomainError(f"domain {spec.name!r}: {spec.describe()} has no text{hint}")
