"""SQLite schema: one table per resource, indexed columns beside the record as JSON text."""

from __future__ import annotations

import sqlite3

from connector_core import safe_files

_COMMON = """
    account_id TEXT NOT NULL,
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    doc TEXT NOT NULL
"""

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
    id TEXT PRIMARY KEY, key_id TEXT UNIQUE NOT NULL, key_secret TEXT NOT NULL,
    user_id TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS organizations ({_COMMON}, slug TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS org_list ON organizations (account_id, deleted_at, created_at, id);
CREATE INDEX IF NOT EXISTS org_slug ON organizations (account_id, slug);
CREATE TABLE IF NOT EXISTS organization_types ({_COMMON}, name TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS orgtype_name ON organization_types (account_id, name);
CREATE TABLE IF NOT EXISTS asset_types ({_COMMON}, name TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS atype_name ON asset_types (account_id, name);
CREATE TABLE IF NOT EXISTS users ({_COMMON});
CREATE INDEX IF NOT EXISTS user_list ON users (account_id, created_at, id);
CREATE TABLE IF NOT EXISTS assets ({_COMMON}, type TEXT NOT NULL, organization_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS asset_list ON assets (account_id, type, deleted_at, created_at, id);
CREATE INDEX IF NOT EXISTS asset_upd ON assets (account_id, type, updated_at, id);
CREATE INDEX IF NOT EXISTS asset_org ON assets (account_id, organization_id);
CREATE TABLE IF NOT EXISTS files ({_COMMON}, asset_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS file_asset ON files (account_id, asset_id, created_at, id);
CREATE TABLE IF NOT EXISTS related (
    account_id TEXT NOT NULL, asset_id TEXT NOT NULL, related_id TEXT NOT NULL,
    description TEXT, created_at TEXT NOT NULL, seq INTEGER NOT NULL,
    PRIMARY KEY (account_id, asset_id, related_id)
);
CREATE TABLE IF NOT EXISTS blobs (key TEXT PRIMARY KEY, data BLOB NOT NULL);
-- The real values of secret and totp properties: records only ever hold the mask.
CREATE TABLE IF NOT EXISTS secrets (
    account_id TEXT NOT NULL, asset_id TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (account_id, asset_id, name)
);
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
        conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA temp_store=MEMORY")
    conn.execute("PRAGMA cache_size=-65536")
    conn.executescript(SCHEMA)
    return conn
