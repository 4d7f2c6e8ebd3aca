"""The embedded offline domains: four distinct kinds of text every installation can build.

They need no network and no download, so `evolve --target=mix` runs anywhere: the standard
library's source ("code"), its docstrings and the `pydoc_data` help topics ("docs", technical
prose), the long descriptions of the installed distributions ("web", README-style markdown as
found on the web), and generated grade-school math word problems with worked answers
(`reasoning-gym`'s gsm_symbolic, "math"). The four differ in their byte statistics as real
pretraining domains do, so a mixture changes what a small model learns.

Each builder yields its documents in a fixed pseudo-random order (seeded, so every machine
with the same installation builds the same corpus): a prefix of the stream is then a uniform
sample, and `corpus.py` can stop reading once it has enough text instead of parsing the
whole standard library.
"""

from __future__ import annotations

import ast
import sysconfig
from collections.abc import Callable, Iterator, Sequence
from importlib import metadata
from pathlib import Path
from typing import TypeVar

import numpy as np

T = TypeVar("T")
#: the order of the offline documents is part of the corpus definition, not of a run
ORDER_SEED = 0

#: stdlib folders that are not library source (tests, IDLE, bundled wheels, site-packages)
_SKIP_PARTS = {"test", "tests", "idlelib", "site-packages", "dist-packages", "ensurepip",
               "lib2to3", "__pycache__", "turtledemo"}


def shuffled(items: Sequence[T]) -> list[T]:
    """`items` in the fixed pseudo-random order of the offline corpora."""
    order = np.random.default_rng(ORDER_SEED).permutation(len(items))
    return [items[i] for i in order]


def stdlib_files() -> list[Path]:
    """The standard library's modules, in the fixed shuffled order."""
    root = Path(sysconfig.get_paths()["stdlib"])
    files = [p for p in root.rglob("*.py") if not _SKIP_PARTS & set(p.relative_to(root).parts)]
    return shuffled(sorted(files))


def code_documents() -> Iterator[str]:
    """Each standard-library module's source is one document."""
    for path in stdlib_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        if text.strip():
            yield text


def docs_documents() -> Iterator[str]:
    """The help topics of `pydoc_data` and the docstrings of the standard library, mixed."""
    from pydoc_data.topics import topics

    sources: list[str | Path] = [topics[name] for name in sorted(topics)]
    for item in shuffled(sources + sorted(stdlib_files())):
        if isinstance(item, str):
            if item.strip():
                yield item
            continue
        path = item
        try:
            tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef,
                                 ast.AsyncFunctionDef)):
                doc = ast.get_docstring(node)
                if doc and len(doc) >= 80:  # one-liners are too short to be prose
                    yield doc


def web_documents() -> Iterator[str]:
    """The long description (README) of each installed distribution, once per project."""
    seen: set[str] = set()
    dists = sorted(metadata.distributions(), key=lambda d: (d.metadata["Name"] or "").lower())
    for dist in shuffled(dists):
        name = (dist.metadata["Name"] or "").lower()
        if name in seen:
            continue
        seen.add(name)
        text = dist.metadata["Description"] or dist.metadata.get_payload() or ""
        if isinstance(text, str) and len(text.strip()) >= 200:
            yield text


#: reasoning-gym tasks besides gsm_symbolic: short math problems with their answers; mixed
#: in so that the domain is not a few dozen templates, which a proxy learns in a sudden,
#: seed-dependent jump (measured: 4x the seed spread of the other domains)
MATH_TASKS = ("basic_arithmetic", "chain_sum", "simple_equations", "fraction_simplification",
              "prime_factorization", "gcd", "lcm", "products", "decimal_arithmetic",
              "time_intervals", "leg_counting", "simple_geometry", "coin_flip",
              "number_sequence", "complex_arithmetic", "polynomial_multiplication")


def math_documents(count: int = 6000, seed: int = 0) -> Iterator[str]:
    """Math word problems: gsm_symbolic's with step-by-step worked answers (half of them),
    interleaved with short problems of other reasoning-gym tasks and their answers."""
    import reasoning_gym

    word = reasoning_gym.create_dataset("gsm_symbolic", size=count // 2, seed=seed)
    per_task = max(1, count // 2 // len(MATH_TASKS))
    others = [reasoning_gym.create_dataset(t, size=per_task, seed=seed) for t in MATH_TASKS]
    for i in range(count // 2):
        entry = word[i]
        worked = entry["metadata"].get("answer_cot") or f"#### {entry['answer']}"
        yield f"Question: {entry['question']}\nAnswer: {worked}\n"
        task = others[i % len(others)]
        j = i // len(others)
        if j < per_task:
            yield f"Question: {task[j]['question']}\nAnswer: {task[j]['answer']}\n"


#: the builders by domain name; these are the mix target's DEFAULT_DOMAINS
OFFLINE_BUILDERS: dict[str, Callable[[], Iterator[str]]] = {
    "code": code_documents,
    "docs": docs_documents,
    "web": web_documents,
    "math": math_documents,
}
