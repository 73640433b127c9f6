"""The plumbing of a sandbox's sqlite store: one connection, a re-entrant lock, nested transactions.

Each profile's ``Store`` subclasses ``SqliteStore`` and adds its own tables' operations; the
connection (its schema and pragmas) is the profile's, so it is handed in ready.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

Params = tuple[Any, ...] | list[Any]  # the values bound to a statement's placeholders


class SqliteStore:
    """One sqlite connection under a re-entrant lock (tests touch it from their own thread)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.lock = threading.RLock()
        self._depth = 0

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

    def query(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        with self.lock:
            return self.conn.execute(sql, params).fetchall()

    def execute(self, sql: str, params: Params = ()) -> int:
        with self.lock:
            return self.conn.execute(sql, params).rowcount

    def close(self) -> None:
        with self.lock:
            self.conn.close()
