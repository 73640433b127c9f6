"""The sqlite store: generic record operations shared by every resource, and accounts.

SQL text is assembled from table names, column names and field names that come from fixed
tables or were checked against a resource's schema (S608 noqa below); values are always bound.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from lexful_sandbox.db import connect
from lexful_sandbox.query import ListQuery
from lexful_sandbox.util import dumps, loads

# Indexed columns beside the JSON record: column -> record key.
EXTRAS: dict[str, dict[str, str]] = {
    "organizations": {"slug": "slug"},
    "organization_types": {"name": "name"},
    "asset_types": {"name": "name"},
    "users": {},
    "assets": {"type": "asset_type", "organization_id": "organization_id"},
    "files": {"asset_id": "asset_id"},
}
BASE_COLUMNS = ("id", "created_at", "updated_at", "deleted_at")


@dataclass(frozen=True)
class Account:
    id: str
    key_id: str
    key_secret: str
    user_id: str


class Store:
    """One sqlite connection under a re-entrant lock (tests touch it from their own thread)."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path
        self.conn = connect(path)
        self.lock = threading.RLock()
        self._depth = 0
        # Asset types by (account, name): every asset request needs its type definition.
        self.type_cache: dict[tuple[str, str], dict[str, Any]] = {}

    # --- plumbing ----------------------------------------------------------------------

    @contextmanager
    def tx(self) -> Iterator[None]:
        """A transaction; nested uses join the outer one."""
        with self.lock:
            self._depth += 1
            if self._depth == 1:
                self.conn.execute("BEGIN")
            try:
                yield
            except BaseException:
                if self._depth == 1:
                    self.conn.execute("ROLLBACK")
                raise
            else:
                if self._depth == 1:
                    self.conn.execute("COMMIT")
            finally:
                self._depth -= 1

    def query(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        with self.lock:
            return self.conn.execute(sql, params).fetchall()

    def execute(self, sql: str, params: tuple | list = ()) -> int:
        with self.lock:
            return self.conn.execute(sql, params).rowcount

    def meta(self, key: str, default: str | None = None) -> str | None:
        rows = self.query("SELECT value FROM meta WHERE key = ?", (key,))
        if rows:
            return rows[0][0]
        if default is not None:
            self.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, default))
        return default

    def signing_key(self) -> bytes:
        """Kept in the database so tokens and presigned URLs survive a restart with --db."""
        return bytes.fromhex(self.meta("signing_key", secrets.token_hex(32)) or "")

    # --- records -----------------------------------------------------------------------

    def _row(self, table: str, account_id: str, doc: dict[str, Any]) -> tuple:
        extras = tuple(doc.get(key) for key in EXTRAS[table].values())
        base = tuple(doc.get(c) for c in BASE_COLUMNS)
        return (account_id, *base, dumps(doc).decode(), *extras)

    def _insert_sql(self, table: str) -> str:
        cols = ["account_id", *BASE_COLUMNS, "doc", *EXTRAS[table]]
        marks = ", ".join("?" * len(cols))
        return f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})"  # noqa: S608

    def insert(self, table: str, account_id: str, doc: dict[str, Any]) -> dict[str, Any]:
        self.execute(self._insert_sql(table), self._row(table, account_id, doc))
        return doc

    def insert_many(self, table: str, account_id: str, docs: list[dict[str, Any]]) -> None:
        rows = [self._row(table, account_id, doc) for doc in docs]
        with self.tx():
            self.conn.executemany(self._insert_sql(table), rows)

    def save(self, table: str, account_id: str, doc: dict[str, Any]) -> dict[str, Any]:
        extras = EXTRAS[table]
        sets = ", ".join(f"{c} = ?" for c in ("updated_at", "deleted_at", "doc", *extras))
        values = [doc.get("updated_at"), doc.get("deleted_at"), dumps(doc).decode()]
        values += [doc.get(key) for key in extras.values()]
        self.execute(
            f"UPDATE {table} SET {sets} WHERE account_id = ? AND id = ?",  # noqa: S608
            [*values, account_id, doc["id"]],
        )
        return doc

    def get(
        self, table: str, account_id: str, record_id: str, *, include_deleted: bool = False
    ) -> dict[str, Any] | None:
        sql = f"SELECT doc FROM {table} WHERE account_id = ? AND id = ?"  # noqa: S608
        if not include_deleted:
            sql += " AND deleted_at IS NULL"
        rows = self.query(sql, (account_id, record_id))
        return loads(rows[0][0]) if rows else None

    def find(
        self, table: str, account_id: str, where: str, params: tuple | list = ()
    ) -> list[dict[str, Any]]:
        sql = f"SELECT doc FROM {table} WHERE account_id = ? AND {where}"  # noqa: S608
        return [loads(r[0]) for r in self.query(sql, (account_id, *params))]

    def list(
        self,
        table: str,
        account_id: str,
        q: ListQuery,
        where: list[str] | None = None,
        params: list[Any] | None = None,
    ) -> tuple[int, list[str]]:
        """(total, page of records as JSON text): sorting and paging happen in SQL."""
        clauses = ["account_id = ?", *(where or []), *q.where]
        values = [account_id, *(params or []), *q.params]
        if not q.include_deleted:
            clauses.append("deleted_at IS NULL")
        sql_where = " AND ".join(clauses)
        with self.lock:
            total = self.conn.execute(
                f"SELECT COUNT(*) FROM {table} WHERE {sql_where}",  # noqa: S608
                values,
            ).fetchone()[0]
            rows = self.conn.execute(
                f"SELECT doc FROM {table} WHERE {sql_where} ORDER BY {q.order_sql} "  # noqa: S608
                "LIMIT ? OFFSET ?",
                [*values, q.limit, q.offset],
            ).fetchall()
        return total, [r[0] for r in rows]

    # --- accounts ----------------------------------------------------------------------

    def add_account(self, account: Account, created_at: str) -> None:
        self.execute(
            "INSERT INTO accounts (id, key_id, key_secret, user_id, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (account.id, account.key_id, account.key_secret, account.user_id, created_at),
        )

    def account_by_key(self, key_id: str) -> Account | None:
        rows = self.query(
            "SELECT id, key_id, key_secret, user_id FROM accounts WHERE key_id = ?", (key_id,)
        )
        return Account(*rows[0]) if rows else None

    def account(self, account_id: str) -> Account | None:
        rows = self.query(
            "SELECT id, key_id, key_secret, user_id FROM accounts WHERE id = ?", (account_id,)
        )
        return Account(*rows[0]) if rows else None

    def first_account(self) -> Account | None:
        rows = self.query(
            "SELECT id, key_id, key_secret, user_id FROM accounts "
            "ORDER BY created_at, rowid LIMIT 1"
        )
        return Account(*rows[0]) if rows else None

    def close(self) -> None:
        with self.lock:
            self.conn.close()
