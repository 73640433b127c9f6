"""Marks of the destination account an id map was used with: a check that it is the same one.

An id map named by the operator (target-lightfield's ``workspace_name``) could be handed to
another account by mistake (two workspaces, one directory, the default name): its entries
would say every record is written already, and the run would skip them all. A target that
can read something stable and account-specific (Lightfield: its members' ids) keeps it here;
a later run that finds none of the marks in its account stops instead of skipping.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from connector_core.target.id_map_schema import connect

_TABLE = """
CREATE TABLE IF NOT EXISTS account_marks (
    account_id TEXT NOT NULL,
    mark TEXT NOT NULL,
    PRIMARY KEY (account_id, mark)
)
"""


def marks(path: Path, account: str) -> set[str]:
    """The marks kept for ``account`` (empty for a map that has none yet)."""
    db = connect(path)
    try:
        db.execute(_TABLE)
        rows = db.execute("SELECT mark FROM account_marks WHERE account_id=?", (account,))
        return {str(row[0]) for row in rows}
    finally:
        db.close()


def replace_marks(path: Path, account: str, current: Iterable[str]) -> None:
    """``account``'s marks become ``current`` (what the account holds now)."""
    db = connect(path)
    try:
        db.execute(_TABLE)
        db.execute("BEGIN IMMEDIATE")
        db.execute("DELETE FROM account_marks WHERE account_id=?", (account,))
        db.executemany(
            "INSERT OR IGNORE INTO account_marks (account_id, mark) VALUES (?, ?)",
            [(account, mark) for mark in current],
        )
        db.execute("COMMIT")
    finally:
        db.close()
