"""The id map's SQLite file: its tables, the columns added since, and the rows read back.

``ids`` maps (account, source stream, source id) to the destination's id, with a state (``INTENT``,
``DONE``, ``REJECTED``), the hash of the body last written, and for a link or a file the asset
it hangs on and the ACTIVATE_VERSION it last came with. ``waiting`` and ``waiting_refs`` hold
the records whose references are not written yet; ``rejects_since_finish`` the rejects of a run
that has not reached its end. ``IdMap`` (``id_map``) is the only code that reads or writes them.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ids (
    account_id TEXT NOT NULL,
    stream TEXT NOT NULL,
    source_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    asset_type TEXT,
    target_id TEXT,
    state TEXT NOT NULL,
    body_hash TEXT,
    note TEXT,
    changed_at REAL NOT NULL,
    PRIMARY KEY (account_id, stream, source_id)
);
CREATE INDEX IF NOT EXISTS ids_by_source ON ids (account_id, source_id);
CREATE INDEX IF NOT EXISTS ids_by_target ON ids (account_id, stream, target_id);
CREATE TABLE IF NOT EXISTS waiting (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL,
    stream TEXT NOT NULL,
    source_id TEXT NOT NULL,
    record TEXT NOT NULL,
    key_properties TEXT NOT NULL,
    missing TEXT NOT NULL,
    run_id TEXT,
    position INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS waiting_by_key ON waiting (account_id, stream, source_id);
CREATE TABLE IF NOT EXISTS waiting_refs (seq INTEGER NOT NULL, ref TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rejects_since_finish (
    account_id TEXT NOT NULL,
    digest TEXT NOT NULL,
    PRIMARY KEY (account_id, digest)
);
CREATE INDEX IF NOT EXISTS waiting_refs_by_ref ON waiting_refs (ref);
"""

# Columns added after the first release, per table: a map written by an older version gains
# them when it is opened. A new map gains them the same way, so its columns are in the same
# order (ALTER TABLE appends).
_ADDED_COLUMNS = {
    "waiting": {"run_id": "TEXT", "position": "INTEGER NOT NULL DEFAULT 0"},
    "ids": {"version": "INTEGER", "parent_id": "TEXT"},
}
ENTRY_COLUMNS = (
    "stream, source_id, kind, asset_type, target_id, state, body_hash, note, changed_at,"
    " version, parent_id"
)

INTENT, DONE, REJECTED = "intent", "done", "rejected"
# The body hash of a record deleted from the destination because the source deleted it. Its
# entry stays DONE: a reference to a deleted record still resolves, and nothing deletes it twice.
DELETED_HASH = "deleted"


@dataclass(frozen=True)
class Entry:
    """A row of ``ids``: what the target wrote (or refused) for one source record."""

    stream: str
    source_id: str
    kind: str
    asset_type: str | None
    target_id: str | None
    state: str
    body_hash: str | None
    note: str | None
    changed_at: float
    version: int | None = None  # the ACTIVATE_VERSION its record last came with
    parent_id: str | None = None  # what a child record hangs on, as a destination id


@dataclass(frozen=True)
class Waiting:
    """A row of ``waiting``: a record parked until its references are written."""

    stream: str
    source_id: str
    record: dict[str, Any]
    key_properties: list[str]
    missing: list[dict[str, Any]]
    position: int  # in this run's input; 0 for a record parked by an earlier run


def connect(path: Path) -> sqlite3.Connection:
    """Open (or create) the file, in WAL mode, with every table and column of this version."""
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.executescript(_SCHEMA)
    for table, added in _ADDED_COLUMNS.items():
        columns = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        for column, decl in added.items():
            if column not in columns:  # a new map, or one written by an older version
                db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {decl}")
    return db


def retag(path: Path, old: str, new: str) -> int:
    """The rows of account ``old`` become account ``new``'s (an id map whose account was named
    another way before); rows ``new`` already has win. The number of ids carried over."""
    db = connect(path)
    try:
        db.execute("BEGIN IMMEDIATE")
        counts = {}
        for table in ("ids", "rejects_since_finish"):
            sql = f"UPDATE OR IGNORE {table} SET account_id=? WHERE account_id=?"  # noqa: S608
            counts[table] = db.execute(sql, (new, old)).rowcount
            db.execute(f"DELETE FROM {table} WHERE account_id=?", (old,))  # noqa: S608
        db.execute("UPDATE waiting SET account_id=? WHERE account_id=?", (new, old))
        db.execute("COMMIT")
    finally:
        db.close()
    return int(counts["ids"])
