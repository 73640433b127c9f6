"""SQLite schema: one records table for every kind, beside the versions the list index serves."""

from __future__ import annotations

import sqlite3

from connector_core import safe_files

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS workspaces (id TEXT PRIMARY KEY, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS api_keys (
    key TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, member_id TEXT NOT NULL,
    scopes TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
    workspace_id TEXT NOT NULL, kind TEXT NOT NULL, id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL, deleted_ms INTEGER, doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS record_list ON records (workspace_id, kind, created_at, id);
-- What the search index serves: every write of a record, in order; doc NULL once trashed.
CREATE TABLE IF NOT EXISTS versions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, workspace_id TEXT NOT NULL, kind TEXT NOT NULL,
    id TEXT NOT NULL, written_ms INTEGER NOT NULL, doc TEXT
);
CREATE INDEX IF NOT EXISTS version_kind ON versions (workspace_id, kind, written_ms);
CREATE TABLE IF NOT EXISTS list_members (
    workspace_id TEXT NOT NULL, list_id TEXT NOT NULL, record_id TEXT NOT NULL,
    PRIMARY KEY (list_id, record_id)
);
CREATE TABLE IF NOT EXISTS object_types (
    workspace_id TEXT NOT NULL, slug TEXT NOT NULL, label TEXT NOT NULL,
    PRIMARY KEY (workspace_id, slug)
);
CREATE TABLE IF NOT EXISTS idempotency (
    workspace_id TEXT NOT NULL, operation TEXT NOT NULL, key TEXT NOT NULL,
    fingerprint TEXT NOT NULL, status INTEGER NOT NULL, body BLOB NOT NULL,
    created_ms INTEGER NOT NULL, PRIMARY KEY (workspace_id, operation, key)
);
CREATE TABLE IF NOT EXISTS blobs (key TEXT PRIMARY KEY, data BLOB NOT NULL);
"""


def connect(path: str | None) -> sqlite3.Connection:
    """One connection shared under a lock: the server is one event loop, so no pool is needed.

    The file is 0600 (SQLite gives its -wal and -shm the same mode): it holds the key that
    signs tokens and presigned URLs."""
    if path:
        safe_files.touch_private(path, "sandbox database")
    conn = sqlite3.connect(path or ":memory:", check_same_thread=False, isolation_level=None)
    if path:
        conn.execute("PRAGMA journal_mode=WAL")
    conn.executescript(SCHEMA)
    return conn
