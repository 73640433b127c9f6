"""The id map: source ids to Lexful ids, write intents, and records waiting for a reference.

One SQLite file per target account. It is the target's memory between runs:

- ``ids``: (source stream, source id) -> Lexful id, with the hash of the body last written (so
  an unchanged record costs no request) and a state: ``intent`` (a create was about to be sent:
  after a crash the record is looked up before it is created again), ``done`` or ``rejected``.
- ``waiting`` / ``waiting_refs``: records whose references are not written yet. They wait on
  disk, not in memory, so a large out-of-order input does not grow the process, and a STATE
  emitted while they wait does not lose them.

WAL with ``synchronous=NORMAL``: a commit survives the process being killed (the case that
matters here) without an fsync per record.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import threading
import time
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
CREATE TABLE IF NOT EXISTS waiting (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL,
    stream TEXT NOT NULL,
    source_id TEXT NOT NULL,
    record TEXT NOT NULL,
    key_properties TEXT NOT NULL,
    missing TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS waiting_by_key ON waiting (account_id, stream, source_id);
CREATE TABLE IF NOT EXISTS waiting_refs (seq INTEGER NOT NULL, ref TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS waiting_refs_by_ref ON waiting_refs (ref);
"""

INTENT, DONE, REJECTED = "intent", "done", "rejected"


@dataclass(frozen=True)
class Entry:
    stream: str
    source_id: str
    kind: str
    asset_type: str | None
    target_id: str | None
    state: str
    body_hash: str | None
    note: str | None
    changed_at: float


@dataclass(frozen=True)
class Waiting:
    stream: str
    source_id: str
    record: dict[str, Any]
    key_properties: list[str]
    missing: list[dict[str, str]]


def default_path(account_id: str) -> Path:
    return Path(".target-lexful") / f"id-map-{account_id}.sqlite"


class IdMap:
    """Thread-safe access to the id-map database of one account."""

    def __init__(self, path: str | Path, account_id: str, *, scratch_copy: bool = False) -> None:
        path = Path(path)
        self._scratch: Path | None = None
        if scratch_copy:
            # dry_run: work on a throw-away copy, so that the plan can remember what it would
            # create without the real map ever holding an id that does not exist.
            scratch = Path(tempfile.mkdtemp(prefix="target-lexful-dry-run-")) / path.name
            if path.exists():
                shutil.copyfile(path, scratch)
            path = self._scratch = scratch
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._account = account_id
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()
        if self._scratch is not None:
            shutil.rmtree(self._scratch.parent, ignore_errors=True)

    # -- ids ---------------------------------------------------------------------------------

    def get(self, stream: str, source_id: str) -> Entry | None:
        rows = self._query(
            "SELECT * FROM ids WHERE account_id=? AND stream=? AND source_id=?",
            (self._account, stream, source_id),
        )
        return _entry(rows[0]) if rows else None

    def resolve(self, source_id: str, kinds: tuple[str, ...]) -> Entry | None:
        """The entry of ``source_id`` in any stream, preferring a stream of one of ``kinds``.

        UUIDs are globally unique, so a reference resolves whatever stream wrote its target;
        the kind only breaks ties between non-UUID keys (a CRM's ``42`` in two streams).
        """
        rows = [
            _entry(r)
            for r in self._query(
                "SELECT * FROM ids WHERE account_id=? AND source_id=?", (self._account, source_id)
            )
        ]
        rows.sort(key=lambda e: (e.kind not in kinds, e.state != DONE))
        return rows[0] if rows else None

    def intend(self, stream: str, source_id: str, kind: str, asset_type: str | None) -> None:
        """Note that a create is about to be sent (read back after a crash)."""
        self._upsert(stream, source_id, kind, asset_type, None, INTENT, None, None)

    def done(
        self,
        stream: str,
        source_id: str,
        kind: str,
        asset_type: str | None,
        target_id: str,
        body_hash: str | None,
    ) -> None:
        self._upsert(stream, source_id, kind, asset_type, target_id, DONE, body_hash, None)

    def rejected(self, stream: str, source_id: str, kind: str, reason: str) -> None:
        existing = self.get(stream, source_id)
        if existing and existing.state == DONE:
            return  # an update was refused: the record still exists under its old id
        self._upsert(stream, source_id, kind, None, None, REJECTED, None, reason)

    # -- waiting records -----------------------------------------------------------------------

    def park(
        self,
        stream: str,
        source_id: str,
        record: dict[str, Any],
        key_properties: list[str],
        missing: list[dict[str, str]],
    ) -> None:
        with self._lock:
            self._db.execute("BEGIN")
            self._drop_waiting(stream, source_id)
            cursor = self._db.execute(
                "INSERT INTO waiting (account_id, stream, source_id, record, key_properties,"
                " missing) VALUES (?,?,?,?,?,?)",
                (
                    self._account,
                    stream,
                    source_id,
                    json.dumps(record, default=str),
                    json.dumps(list(key_properties)),
                    json.dumps(missing),
                ),
            )
            self._db.executemany(
                "INSERT INTO waiting_refs (seq, ref) VALUES (?,?)",
                [(cursor.lastrowid, m["id"]) for m in missing],
            )
            self._db.execute("COMMIT")

    def unpark(self, stream: str, source_id: str) -> None:
        """A newer copy of the record arrived: the parked one is obsolete."""
        with self._lock:
            self._drop_waiting(stream, source_id)

    def take_waiting(self, refs: set[str] | None = None) -> list[Waiting]:
        """Remove and return the records waiting on any of ``refs`` (all of them: ``None``)."""
        with self._lock:
            if refs is None:
                seqs = [
                    r[0]
                    for r in self._db.execute(
                        "SELECT seq FROM waiting WHERE account_id=? ORDER BY seq", (self._account,)
                    )
                ]
            else:
                seqs = sorted(self._seqs_waiting_on(refs))
            taken = []
            self._db.execute("BEGIN")
            for seq in seqs:
                row = self._db.execute(
                    "SELECT stream, source_id, record, key_properties, missing FROM waiting"
                    " WHERE seq=?",
                    (seq,),
                ).fetchone()
                if row is None:
                    continue
                taken.append(
                    Waiting(
                        row[0], row[1], json.loads(row[2]), json.loads(row[3]), json.loads(row[4])
                    )
                )
                self._delete_waiting(seq)
            self._db.execute("COMMIT")
            return taken

    def waiting_count(self) -> int:
        rows = self._query("SELECT COUNT(*) FROM waiting WHERE account_id=?", (self._account,))
        return rows[0][0]

    # -- internals ---------------------------------------------------------------------------

    def _seqs_waiting_on(self, refs: set[str]) -> set[int]:
        seqs: set[int] = set()
        ref_list = list(refs)
        for start in range(0, len(ref_list), 500):  # SQLite's bound-parameter limit
            chunk = ref_list[start : start + 500]
            marks = ",".join("?" * len(chunk))
            seqs.update(
                r[0]
                for r in self._db.execute(
                    f"SELECT seq FROM waiting_refs WHERE ref IN ({marks})",  # noqa: S608
                    chunk,
                )
            )
        return seqs

    def _drop_waiting(self, stream: str, source_id: str) -> None:
        seqs = [
            r[0]
            for r in self._db.execute(
                "SELECT seq FROM waiting WHERE account_id=? AND stream=? AND source_id=?",
                (self._account, stream, source_id),
            )
        ]
        for seq in seqs:
            self._delete_waiting(seq)

    def _delete_waiting(self, seq: int) -> None:
        self._db.execute("DELETE FROM waiting WHERE seq=?", (seq,))
        self._db.execute("DELETE FROM waiting_refs WHERE seq=?", (seq,))

    def _upsert(
        self,
        stream: str,
        source_id: str,
        kind: str,
        asset_type: str | None,
        target_id: str | None,
        state: str,
        body_hash: str | None,
        note: str | None,
    ) -> None:
        self._execute(
            "INSERT OR REPLACE INTO ids (account_id, stream, source_id, kind, asset_type,"
            " target_id, state, body_hash, note, changed_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                self._account,
                stream,
                source_id,
                kind,
                asset_type,
                target_id,
                state,
                body_hash,
                note,
                time.time(),
            ),
        )

    def _execute(self, sql: str, params: tuple[Any, ...]) -> None:
        with self._lock:
            self._db.execute(sql, params)

    def _query(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()


def _entry(row: tuple[Any, ...]) -> Entry:
    return Entry(*row[1:])
