"""The sqlite store: generic record operations shared by every resource, and accounts.

SQL text is assembled from table names, column names and field names that come from fixed
tables or were checked against a resource's schema (S608 noqa below); values are always bound.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from lexful_sandbox.common.util import dumps, loads
from lexful_sandbox.storage.query import ListQuery
from lexful_sandbox.storage.schema import connect
from sandbox_core.keys import hash_key, hashed, matches
from sandbox_core.sqlite import Params, SqliteStore

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


KEYSET_COLUMNS = frozenset({"id", "created_at", "updated_at"})  # never NULL


def _keyset_order(terms: list[tuple[str, str]]) -> bool:
    """Bookmarks need never-NULL columns, all sorted the same way (row-value comparison)."""
    return all(e in KEYSET_COLUMNS for e, _ in terms) and len({d for _, d in terms}) == 1


@dataclass(frozen=True)
class Account:
    """A sandbox account: its id, its API key pair and the id of its admin user."""

    id: str
    key_id: str
    key_secret: str  # shown when the account is made; "" once read back (the store has a hash)
    user_id: str


_ACCOUNT = "SELECT id, key_id, key_secret, user_id FROM accounts"


def _account(row: tuple[Any, ...], key_secret: str = "") -> Account:
    return Account(str(row[0]), str(row[1]), key_secret, str(row[3]))


class Store(SqliteStore):
    """Lexful's records on ``sandbox_core.sqlite``'s plumbing."""

    def __init__(self, path: str | None = None) -> None:
        super().__init__(connect(path))
        self.path = path
        self._hash_plain_keys()
        # A test control: asset ids the lists leave out, though they exist (and the entity
        # counts count them): a list that loses records, as reconciliation must notice.
        self.hidden: set[str] = set()
        # Asset types by (account, name): every asset request needs its type definition.
        self.type_cache: dict[tuple[str, str], dict[str, Any]] = {}
        # List totals by query, valid while no write happened: a COUNT(*) over 100k rows
        # costs more than the page itself, and paging clients ask for the same total again.
        self._counts: dict[tuple[Any, ...], tuple[int, int]] = {}
        # Sort keys of the last record of pages served, by query and end offset: the next page
        # of a walk starts from there instead of stepping over every earlier index entry.
        self._bookmarks: dict[tuple[Any, ...], tuple[int, dict[int, tuple[Any, ...]]]] = {}

    # --- plumbing ----------------------------------------------------------------------

    @property
    def generation(self) -> int:
        """Changes with every row written through this connection, however it was written."""
        return self.conn.total_changes

    def meta(self, key: str, default: str | None = None) -> str | None:
        rows = self.query("SELECT value FROM meta WHERE key = ?", (key,))
        if rows:
            value: str = rows[0][0]  # a TEXT NOT NULL column
            return value
        if default is not None:
            self.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, default))
        return default

    def signing_key(self) -> bytes:
        """Kept in the database so tokens and presigned URLs survive a restart with --db."""
        return bytes.fromhex(self.meta("signing_key", secrets.token_hex(32)) or "")

    # --- records -----------------------------------------------------------------------

    def _row(self, table: str, account_id: str, doc: dict[str, Any]) -> tuple[Any, ...]:
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

    def secrets(self, account_id: str, asset_id: str) -> dict[str, str]:
        """The real values behind an asset's masked properties (tests read them here)."""
        sql = "SELECT name, value FROM secrets WHERE account_id = ? AND asset_id = ?"
        return dict(self.query(sql, (account_id, asset_id)))

    def put_secrets(self, account_id: str, asset_id: str, values: dict[str, str]) -> None:
        sql = "INSERT OR REPLACE INTO secrets (account_id, asset_id, name, value) VALUES (?,?,?,?)"
        for name, value in values.items():
            self.execute(sql, (account_id, asset_id, name, value))

    def get(
        self, table: str, account_id: str, record_id: str, *, include_deleted: bool = False
    ) -> dict[str, Any] | None:
        sql = f"SELECT doc FROM {table} WHERE account_id = ? AND id = ?"  # noqa: S608
        if not include_deleted:
            sql += " AND deleted_at IS NULL"
        rows = self.query(sql, (account_id, record_id))
        return loads(rows[0][0]) if rows else None

    def find(
        self, table: str, account_id: str, where: str, params: Params = ()
    ) -> list[dict[str, Any]]:
        sql = f"SELECT doc FROM {table} WHERE account_id = ? AND {where}"  # noqa: S608
        return [loads(r[0]) for r in self.query(sql, (account_id, *params))]

    def list_records(
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
        if self.hidden and table == "assets":
            clauses.append(f"id NOT IN ({','.join('?' * len(self.hidden))})")
            values += sorted(self.hidden)
        if not q.include_deleted:
            clauses.append("deleted_at IS NULL")
        sql_where = " AND ".join(clauses)
        with self.lock:
            total = self._count(table, sql_where, values)
            if total <= q.offset:
                return total, []
            return total, self._page(table, sql_where, values, q)

    def _count(self, table: str, sql_where: str, values: list[Any]) -> int:
        key = (table, sql_where, *values)
        cached = self._counts.get(key)
        if cached is not None and cached[0] == self.generation:
            return cached[1]
        sql = f"SELECT COUNT(*) FROM {table} WHERE {sql_where}"  # noqa: S608
        total: int = self.conn.execute(sql, values).fetchone()[0]
        if len(self._counts) > 10_000:
            self._counts.clear()
        self._counts[key] = (self.generation, total)
        return total

    def _page(self, table: str, sql_where: str, values: list[Any], q: ListQuery) -> list[str]:
        """One page; a deep offset starts from a bookmark left by an earlier page if it can."""
        exprs = [expr for expr, _ in q.order_terms]
        keyset = table in EXTRAS and _keyset_order(q.order_terms)
        query_key = (table, sql_where, q.order_sql, *values)
        start, after = self._bookmark(query_key, q.offset) if keyset else (0, None)
        where = sql_where
        if after is not None:
            cmp = "<" if q.order_terms[0][1] == "DESC" else ">"
            where += f" AND ({', '.join(exprs)}) {cmp} ({', '.join('?' * len(exprs))})"
            values = [*values, *after]
        sql = self._page_sql(table, where, q.order_sql, exprs if keyset else [])
        rows = self.conn.execute(sql, [*values, q.limit, q.offset - start]).fetchall()
        if keyset and rows:
            self._remember(query_key, q.offset + len(rows), tuple(rows[-1][1:]))
        return [r[0] for r in rows]

    def _bookmark(
        self, query_key: tuple[Any, ...], offset: int
    ) -> tuple[int, tuple[Any, ...] | None]:
        entry = self._bookmarks.get(query_key)
        if entry is None or entry[0] != self.generation or offset == 0:
            return 0, None
        marks = entry[1]
        if offset in marks:
            return offset, marks[offset]
        best = max((o for o in marks if o <= offset), default=0)
        return (best, marks[best]) if best else (0, None)

    def _remember(self, query_key: tuple[Any, ...], offset: int, sort_key: tuple[Any, ...]) -> None:
        entry = self._bookmarks.get(query_key)
        if entry is None or entry[0] != self.generation:
            if len(self._bookmarks) > 1_000:
                self._bookmarks.clear()
            entry = self._bookmarks[query_key] = (self.generation, {})
        entry[1][offset] = sort_key

    @staticmethod
    def _page_sql(table: str, sql_where: str, order_sql: str, exprs: list[str]) -> str:
        extra = "".join(f", {e}" for e in exprs)
        if table.startswith("("):  # a view as a subquery has no rowid
            return (
                f"SELECT doc{extra} FROM {table} WHERE {sql_where} "  # noqa: S608
                f"ORDER BY {order_sql} LIMIT ? OFFSET ?"
            )
        # Page over the index alone first, then read only the records of that page.
        return (
            f"SELECT doc{extra} FROM {table} WHERE rowid IN (SELECT rowid FROM {table} "  # noqa: S608
            f"WHERE {sql_where} ORDER BY {order_sql} LIMIT ? OFFSET ?) ORDER BY {order_sql}"
        )

    # --- accounts ----------------------------------------------------------------------

    def add_account(self, account: Account, created_at: str) -> None:
        """The account and the hash of its key secret (``sandbox_core.keys``)."""
        self.execute(
            "INSERT INTO accounts (id, key_id, key_secret, user_id, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (account.id, account.key_id, hash_key(account.key_secret), account.user_id, created_at),
        )

    def account_by_key(self, key_id: str, key_secret: str) -> Account | None:
        """The account of this key pair; None when the id is unknown or the secret wrong."""
        rows = self.query(f"{_ACCOUNT} WHERE key_id = ?", (key_id,))
        if not rows or not matches(key_secret, rows[0][2]):
            return None
        return _account(rows[0], key_secret)

    def account(self, account_id: str) -> Account | None:
        """An account without its key secret (the store keeps only its hash)."""
        rows = self.query(f"{_ACCOUNT} WHERE id = ?", (account_id,))
        return _account(rows[0]) if rows else None

    def first_account(self, known_secret: str | None = None) -> Account | None:
        """The first account; its key secret only if ``known_secret`` is it."""
        rows = self.query(f"{_ACCOUNT} ORDER BY created_at, rowid LIMIT 1")
        if not rows:
            return None
        if known_secret is None or not matches(known_secret, rows[0][2]):
            known_secret = ""
        return _account(rows[0], known_secret)

    def _hash_plain_keys(self) -> None:
        """A store written before keys were hashed: each plain secret becomes its hash."""
        rows = self.query("SELECT key_id, key_secret FROM accounts")
        plain = [(hashed(stored), key_id) for key_id, stored in rows if hashed(stored) != stored]
        if plain:
            self.execute("PRAGMA secure_delete=ON")  # the plain values' bytes are zeroed
            for row in plain:
                self.execute("UPDATE accounts SET key_secret = ? WHERE key_id = ?", row)
            self.execute("PRAGMA secure_delete=OFF")
