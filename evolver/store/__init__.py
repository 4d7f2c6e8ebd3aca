"""The run directory: `config.toml`, `run.db` (SQLite, WAL) and `artifacts/`."""

from evolver.store.reader import RunReader, RunStoreError
from evolver.store.writer import RunStore

__all__ = ["RunReader", "RunStore", "RunStoreError"]
