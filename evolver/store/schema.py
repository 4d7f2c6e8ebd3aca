"""The run database's schema. Bump SCHEMA_VERSION with any change; readers refuse newer ones."""

SCHEMA_VERSION = 2

#: statements that bring a database of version N - 1 to version N
MIGRATIONS = {
    # 2: search evaluation ids name their seed (c@1/search0, not c@1), as report ids did,
    # since a search may now evaluate a candidate at one fidelity on several seeds
    2: [f"UPDATE {table} SET id = id || '/search' || seed WHERE split = 'search'"
        " AND id NOT LIKE '%/%'" for table in ("evaluations", "pending")],
}

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS candidates (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE NOT NULL,
    target TEXT NOT NULL,
    island INTEGER NOT NULL,
    generation INTEGER NOT NULL,
    operator TEXT NOT NULL,
    parent_ids TEXT NOT NULL,
    genome TEXT NOT NULL,
    model TEXT,
    proposal_cost_usd REAL NOT NULL DEFAULT 0,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS evaluations (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE NOT NULL,
    candidate_id TEXT NOT NULL REFERENCES candidates(id),
    island INTEGER NOT NULL,
    fidelity INTEGER NOT NULL,
    split TEXT NOT NULL,
    seed INTEGER NOT NULL,
    status TEXT NOT NULL,
    metrics TEXT NOT NULL,
    objectives TEXT NOT NULL,
    error TEXT NOT NULL,
    seconds REAL NOT NULL,
    cost_usd REAL NOT NULL,
    artifacts TEXT NOT NULL,
    finished REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS evaluations_candidate ON evaluations(candidate_id);
CREATE TABLE IF NOT EXISTS pending (
    id TEXT PRIMARY KEY,
    candidate_id TEXT NOT NULL REFERENCES candidates(id),
    island INTEGER NOT NULL,
    fidelity INTEGER NOT NULL,
    split TEXT NOT NULL,
    seed INTEGER NOT NULL,
    issued REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS snapshots (
    island INTEGER PRIMARY KEY,
    eval_seq INTEGER NOT NULL,
    state TEXT NOT NULL,
    saved REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    time REAL NOT NULL,
    kind TEXT NOT NULL,
    island INTEGER,
    message TEXT NOT NULL,
    data TEXT
);
"""
