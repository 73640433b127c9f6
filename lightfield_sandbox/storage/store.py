"""The sqlite store: workspaces and API keys, records of every kind, and the list index.

Every write of a record is also appended to ``versions``: lists read the records as that
index saw them some milliseconds ago (``index_view``), retrieve reads the record itself. SQL
text is built from fixed strings only; values are always bound.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from lightfield_api.contract import NEWEST_FIRST
from lightfield_sandbox.storage.schema import connect
from sandbox_core.clock import Clock
from sandbox_core.codec import dumps, loads
from sandbox_core.keys import hash_key, hashed, matches
from sandbox_core.sqlite import SqliteStore


@dataclass(frozen=True)
class Key:
    """An API key: the workspace it opens, the member it acts as, its scopes (empty: all)."""

    key: str  # shown when it is made; "" once read back without it (the store has a hash)
    workspace_id: str
    member_id: str
    scopes: tuple[str, ...] = ()


def _key(row: tuple[Any, ...], text: str) -> Key:
    return Key(text, str(row[1]), str(row[2]), tuple(loads(row[3])))


def _order(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(docs, key=lambda d: (d["createdAt"], d["id"]), reverse=NEWEST_FIRST)


class Store(SqliteStore):
    """Lightfield's tables on ``sandbox_core.sqlite``'s plumbing."""

    def __init__(self, path: str | None = None, clock: Clock | None = None) -> None:
        super().__init__(connect(path))
        self.path = path
        self.clock = clock or Clock()
        self._hash_plain_keys()

    # --- plumbing ----------------------------------------------------------------------

    def signing_key(self) -> bytes:
        """Kept in the database so presigned URLs survive a restart with --db."""
        rows = self.query("SELECT value FROM meta WHERE key = 'signing_key'")
        if rows:
            return bytes.fromhex(rows[0][0])
        value = secrets.token_hex(32)
        self.execute("INSERT INTO meta (key, value) VALUES ('signing_key', ?)", (value,))
        return bytes.fromhex(value)

    # --- workspaces and keys -------------------------------------------------------------

    def add_workspace(self, workspace_id: str, created_at: str) -> None:
        self.execute(
            "INSERT INTO workspaces (id, created_at) VALUES (?, ?)", (workspace_id, created_at)
        )

    def add_key(self, key: Key) -> None:
        """The key's hash, never the key (``sandbox_core.keys``)."""
        sql = "INSERT INTO api_keys (key, workspace_id, member_id, scopes) VALUES (?, ?, ?, ?)"
        scopes = dumps(list(key.scopes)).decode()
        self.execute(sql, (hash_key(key.key), key.workspace_id, key.member_id, scopes))

    def key(self, key: str) -> Key | None:
        """The key whose hash is stored; found by hash, compared in constant time."""
        sql = "SELECT key, workspace_id, member_id, scopes FROM api_keys WHERE key = ?"
        rows = self.query(sql, (hash_key(key),))
        if not rows or not matches(key, rows[0][0]):
            return None
        return _key(rows[0], key)

    def first_key(self, known: str | None = None) -> Key | None:
        """The first key made; its text only if ``known`` is it (the store has its hash)."""
        sql = "SELECT key, workspace_id, member_id, scopes FROM api_keys ORDER BY rowid LIMIT 1"
        rows = self.query(sql)
        if not rows:
            return None
        if known is None or not matches(known, rows[0][0]):
            known = ""
        return _key(rows[0], known)

    def _hash_plain_keys(self) -> None:
        """A store written before keys were hashed: each plain key becomes its hash."""
        rows = self.query("SELECT key FROM api_keys")
        plain = [(hashed(stored), stored) for (stored,) in rows if hashed(stored) != stored]
        if plain:
            self.execute("PRAGMA secure_delete=ON")  # the plain keys' bytes are zeroed
            for row in plain:
                self.execute("UPDATE api_keys SET key = ? WHERE key = ?", row)
            self.execute("PRAGMA secure_delete=OFF")

    # --- records -------------------------------------------------------------------------

    def _version(self, ws: str, kind: str, record_id: str, doc: dict[str, Any] | None) -> None:
        sql = "INSERT INTO versions (workspace_id, kind, id, written_ms, doc) VALUES (?,?,?,?,?)"
        text = dumps(doc).decode() if doc is not None else None
        self.execute(sql, (ws, kind, record_id, self.clock.now_ms(), text))

    def insert(self, ws: str, kind: str, doc: dict[str, Any]) -> dict[str, Any]:
        sql = "INSERT INTO records (workspace_id, kind, id, created_at, doc) VALUES (?,?,?,?,?)"
        with self.tx():
            self.execute(sql, (ws, kind, doc["id"], doc["createdAt"], dumps(doc).decode()))
            self._version(ws, kind, doc["id"], doc)
        return doc

    def save(self, ws: str, kind: str, doc: dict[str, Any]) -> dict[str, Any]:
        sql = "UPDATE records SET doc = ? WHERE workspace_id = ? AND kind = ? AND id = ?"
        with self.tx():
            self.execute(sql, (dumps(doc).decode(), ws, kind, doc["id"]))
            self._version(ws, kind, doc["id"], doc)
        return doc

    def trash(self, ws: str, kind: str, record_id: str, doc: dict[str, Any] | None = None) -> None:
        """Soft delete: the record stays (as ``doc`` when given), retrieve and lists no longer
        see it; ``trashed`` does."""
        sql = "UPDATE records SET deleted_ms = ? WHERE workspace_id = ? AND kind = ? AND id = ?"
        with self.tx():
            if doc is not None:
                self.execute(
                    "UPDATE records SET doc = ? WHERE workspace_id = ? AND kind = ? AND id = ?",
                    (dumps(doc).decode(), ws, kind, record_id),
                )
            self.execute(sql, (self.clock.now_ms(), ws, kind, record_id))
            self._version(ws, kind, record_id, None)

    def untrash(self, ws: str, kind: str, doc: dict[str, Any]) -> None:
        """Restore: the record is live again, as ``doc``."""
        sql = "UPDATE records SET deleted_ms = NULL WHERE workspace_id = ? AND kind = ? AND id = ?"
        with self.tx():
            self.execute(sql, (ws, kind, doc["id"]))
            self.save(ws, kind, doc)

    def trashed(self, ws: str, kind: str) -> list[dict[str, Any]]:
        """The trashed records of a kind, newest first (the list of ``status=trashed``)."""
        sql = (
            "SELECT doc FROM records WHERE workspace_id = ? AND kind = ? AND deleted_ms IS NOT NULL"
        )
        return _order([loads(r[0]) for r in self.query(sql, (ws, kind))])

    def is_trashed(self, ws: str, kind: str, record_id: str) -> bool:
        sql = "SELECT deleted_ms FROM records WHERE workspace_id = ? AND kind = ? AND id = ?"
        rows = self.query(sql, (ws, kind, record_id))
        return bool(rows) and rows[0][0] is not None

    def get(
        self, ws: str, kind: str, record_id: str, *, include_deleted: bool = False
    ) -> dict[str, Any] | None:
        sql = "SELECT doc, deleted_ms FROM records WHERE workspace_id = ? AND kind = ? AND id = ?"
        rows = self.query(sql, (ws, kind, record_id))
        if not rows or (rows[0][1] is not None and not include_deleted):
            return None
        doc: dict[str, Any] = loads(rows[0][0])
        return doc

    def kind_of(self, ws: str, record_id: str) -> str | None:
        """The kind of a live record of the workspace, or None: relationships check targets."""
        sql = "SELECT kind FROM records WHERE workspace_id = ? AND id = ? AND deleted_ms IS NULL"
        rows = self.query(sql, (ws, record_id))
        return str(rows[0][0]) if rows else None

    def index_view(self, ws: str, kind: str, cutoff_ms: int | None) -> list[dict[str, Any]]:
        """The live records of a kind, as the index saw them at ``cutoff_ms`` (None: now)."""
        if cutoff_ms is None:
            sql = (
                "SELECT doc FROM records WHERE workspace_id = ? AND kind = ? AND deleted_ms IS NULL"
            )
            return _order([loads(r[0]) for r in self.query(sql, (ws, kind))])
        sql = (
            "SELECT id, doc FROM versions WHERE workspace_id = ? AND kind = ?"
            " AND written_ms <= ? ORDER BY seq"
        )
        latest: dict[str, str | None] = {}
        for record_id, doc in self.query(sql, (ws, kind, cutoff_ms)):
            latest[record_id] = doc  # later versions replace earlier ones
        return _order([loads(doc) for doc in latest.values() if doc is not None])

    # --- list members, custom object types, blobs -----------------------------------------

    def add_members(self, ws: str, list_id: str, record_ids: list[str]) -> None:
        sql = "INSERT OR IGNORE INTO list_members (workspace_id, list_id, record_id) VALUES (?,?,?)"
        with self.tx():
            for record_id in record_ids:
                self.execute(sql, (ws, list_id, record_id))

    def remove_members(self, ws: str, list_id: str, record_ids: list[str]) -> None:
        sql = "DELETE FROM list_members WHERE workspace_id = ? AND list_id = ? AND record_id = ?"
        with self.tx():
            for record_id in record_ids:
                self.execute(sql, (ws, list_id, record_id))

    def members(self, ws: str, list_id: str) -> set[str]:
        sql = "SELECT record_id FROM list_members WHERE workspace_id = ? AND list_id = ?"
        return {r[0] for r in self.query(sql, (ws, list_id))}

    def add_object_type(self, ws: str, slug: str, label: str) -> None:
        sql = "INSERT OR IGNORE INTO object_types (workspace_id, slug, label) VALUES (?, ?, ?)"
        self.execute(sql, (ws, slug, label))

    def object_types(self, ws: str) -> list[tuple[str, str]]:
        sql = "SELECT slug, label FROM object_types WHERE workspace_id = ? ORDER BY slug"
        return [(str(s), str(label)) for s, label in self.query(sql, (ws,))]

    def put_blob(self, key: str, data: bytes) -> None:
        self.execute("INSERT OR REPLACE INTO blobs (key, data) VALUES (?, ?)", (key, data))

    def blob(self, key: str) -> bytes | None:
        rows = self.query("SELECT data FROM blobs WHERE key = ?", (key,))
        return bytes(rows[0][0]) if rows else None

    # --- idempotency ---------------------------------------------------------------------

    def remembered(
        self, ws: str, operation: str, key: str, since_ms: int
    ) -> tuple[str, int, bytes] | None:
        """(fingerprint, status, body) of a request answered under this key since ``since_ms``."""
        sql = (
            "SELECT fingerprint, status, body FROM idempotency WHERE workspace_id = ?"
            " AND operation = ? AND key = ? AND created_ms >= ?"
        )
        rows = self.query(sql, (ws, operation, key, since_ms))
        return (str(rows[0][0]), int(rows[0][1]), bytes(rows[0][2])) if rows else None

    def remember(
        self, ws: str, operation: str, key: str, fingerprint: str, status: int, body: bytes
    ) -> None:
        sql = (
            "INSERT OR REPLACE INTO idempotency (workspace_id, operation, key, fingerprint,"
            " status, body, created_ms) VALUES (?,?,?,?,?,?,?)"
        )
        now = self.clock.now_ms()
        self.execute(sql, (ws, operation, key, fingerprint, status, body, now))
