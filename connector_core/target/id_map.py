"""The id map: source ids to destination ids, write intents, records waiting for a reference.

One SQLite file per destination account (a Lexful account, a Lightfield workspace). It is the
target's memory between runs:

- ``ids``: (source stream, source id) -> destination id, with the hash of the body last written
  (so an unchanged record costs no request) and a state: ``intent`` (a create was about to be
  sent: after a crash the record is looked up, or its create replayed, before it is created
  again), ``done`` or ``rejected``.
- a child record's entry (a Lexful link or file) also keeps the destination id of the record it
  hangs on (``parent_id``) and the ACTIVATE_VERSION it last came with (``version``): what a
  later run needs to delete it when the source's full set no longer holds it
  (``stale_children``).
- ``waiting`` / ``waiting_refs``: records whose references are not written yet. They wait on
  disk, not in memory, so a large out-of-order input does not grow the process. A waiting
  record stays here until it is written or rejected (``done``, ``rejected``): a run killed
  while it is being written finds it again. Its input position (this run's count of RECORD
  lines when it arrived) holds back every STATE read after it (see ``state_gate``).

WAL with ``synchronous=NORMAL``: a commit survives the process being killed (the case that
matters here) without an fsync per record. The tables, their states and the rows read back
(``Entry``, ``Waiting``) are ``id_map_schema``'s.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from connector_core import safe_files, scrub
from connector_core.target.id_map_lock import IdMapLock
from connector_core.target.id_map_schema import (
    DELETED_HASH,
    DONE,
    ENTRY_COLUMNS,
    INTENT,
    REJECTED,
    Entry,
    Waiting,
    connect,
)
from connector_core.target.values import is_uuid


class IdMap:
    """Thread-safe access to the id-map database of one account."""

    def __init__(self, path: str | Path, account_id: str, *, scratch_copy: bool = False) -> None:
        path = Path(path)
        self._scratch: Path | None = None
        if scratch_copy:
            # dry_run: work on a throw-away copy, so that the plan can remember what it would
            # create without the real map ever holding an id that does not exist.
            scratch = Path(tempfile.mkdtemp(prefix="target-dry-run-")) / path.name
            if path.exists():
                shutil.copyfile(path, scratch)
            path = self._scratch = scratch
        path.parent.mkdir(mode=safe_files.DIR_MODE, parents=True, exist_ok=True)
        # Record bodies: 0600 (SQLite's -wal and -shm too), never through a planted symlink.
        safe_files.touch_private(path, "id map")
        self._held = None if scratch_copy else IdMapLock(path)  # a dry run's copy is its own
        self.path = path
        self._account = account_id
        self._lock = threading.Lock()
        self._db = connect(path)
        self._run_id = uuid.uuid4().hex

    def close(self) -> None:
        with self._lock:
            self._db.close()
        if self._held is not None:
            self._held.release()
        if self._scratch is not None:
            shutil.rmtree(self._scratch.parent, ignore_errors=True)

    # -- ids ---------------------------------------------------------------------------------

    def get(self, stream: str, source_id: str) -> Entry | None:
        rows = self._query(
            f"SELECT {ENTRY_COLUMNS} FROM ids"  # noqa: S608
            " WHERE account_id=? AND stream=? AND source_id=?",
            (self._account, stream, source_id),
        )
        return Entry(*rows[0]) if rows else None

    def resolve(
        self, source_id: str, kinds: tuple[str, ...], *, strict: bool = False
    ) -> Entry | None:
        """The entry of ``source_id`` whose kind or asset type is one of ``kinds``.

        ``strict``: only those, unless ``source_id`` is a UUID (globally unique, so a reference
        resolves whatever stream wrote its target). Sources that number each table on their
        own (a PSA's companies 1, 2 and people 1, 2) need it: an equal id of another kind is
        another record. Not strict: any stream's, preferring one of ``kinds``.
        """
        rows = [
            Entry(*r)
            for r in self._query(
                f"SELECT {ENTRY_COLUMNS} FROM ids WHERE account_id=? AND source_id=?",  # noqa: S608
                (self._account, source_id),
            )
        ]

        def fits(entry: Entry) -> bool:
            return entry.kind in kinds or (entry.asset_type or "") in kinds

        if strict and not is_uuid(source_id):
            rows = [e for e in rows if fits(e)]
        rows.sort(key=lambda e: (not fits(e), e.state != DONE))
        return rows[0] if rows else None

    def intend(
        self,
        stream: str,
        source_id: str,
        kind: str,
        asset_type: str | None,
        note: str | None = None,
    ) -> None:
        """Note that a create is about to be sent (read back after a crash).

        ``note``: what the create needs to be sent again exactly as it was (Lightfield: the
        body, so that its idempotency key replays the first answer instead of a 422).
        """
        self._upsert(stream, source_id, kind, asset_type, None, INTENT, None, note)

    def done(
        self,
        stream: str,
        source_id: str,
        kind: str,
        asset_type: str | None,
        target_id: str,
        body_hash: str | None,
        *,
        version: int | None = None,
        parent_id: str | None = None,
    ) -> None:
        self._upsert(
            stream,
            source_id,
            kind,
            asset_type,
            target_id,
            DONE,
            body_hash,
            None,
            (version, parent_id),
        )

    def rejected(
        self,
        stream: str,
        source_id: str,
        kind: str,
        reason: str,
        *,
        version: int | None = None,
        asset_type: str | None = None,
    ) -> None:
        existing = self.get(stream, source_id)
        if existing and existing.state == DONE:
            # An update was refused: the record still exists under its old id, and the source
            # still has it (it came with ``version``), so no sweep may delete it.
            self._set_version(stream, source_id, version)
            self.unpark(stream, source_id)
            return
        self._upsert(stream, source_id, kind, asset_type, None, REJECTED, None, reason)

    # -- links and files the source no longer has ---------------------------------------------

    def stale_children(self, stream: str, version: int) -> list[Entry]:
        """The live entries of ``stream`` last seen before ``version`` (or never with one).

        An entry whose destination record (its id on the same parent) is also that of an entry
        seen with ``version`` is not one: the source still has it, under another source id.
        """
        rows = self._query(
            f"SELECT {ENTRY_COLUMNS} FROM ids AS old WHERE account_id=? AND stream=? AND state=?"  # noqa: S608
            " AND target_id IS NOT NULL AND COALESCE(body_hash, '') != ?"
            " AND (version IS NULL OR version < ?)"
            " AND NOT EXISTS (SELECT 1 FROM ids AS cur WHERE cur.account_id=old.account_id"
            " AND cur.stream=old.stream AND cur.target_id=old.target_id"
            " AND cur.parent_id=old.parent_id AND cur.state=?"
            " AND cur.version >= ?) ORDER BY source_id",
            (self._account, stream, DONE, DELETED_HASH, version, DONE, version),
        )
        return [Entry(*row) for row in rows]

    def mark_deleted(self, stream: str, source_id: str) -> None:
        """Deleted from the destination: never again, and written again if the source brings it."""
        with self._lock:
            self._db.execute(
                "UPDATE ids SET body_hash=?, changed_at=? WHERE account_id=? AND stream=?"
                " AND source_id=?",
                (DELETED_HASH, time.time(), self._account, stream, source_id),
            )

    # -- waiting records -----------------------------------------------------------------------

    def park(
        self,
        stream: str,
        source_id: str,
        record: dict[str, Any],
        key_properties: list[str],
        missing: list[dict[str, Any]],
        position: int,
    ) -> None:
        """Keep ``record`` until its ``missing`` references are written (replaces a copy).

        Each of ``missing`` is ``{"field", "id"}`` and may say the ``keys`` it waits on (the
        id in the namespaces it points to, see ``waves``); without, the bare id.
        """
        with self._lock:
            self._db.execute("BEGIN")
            self._drop_waiting(stream, source_id)
            cursor = self._db.execute(
                "INSERT INTO waiting (account_id, stream, source_id, record, key_properties,"
                " missing, run_id, position) VALUES (?,?,?,?,?,?,?,?)",
                (
                    self._account,
                    stream,
                    source_id,
                    scrub.mask(json.dumps(record, default=str)),  # no secret, encoded or not
                    json.dumps(list(key_properties)),
                    json.dumps(missing),
                    self._run_id,
                    position,
                ),
            )
            self._db.executemany(
                "INSERT INTO waiting_refs (seq, ref) VALUES (?,?)",
                [(cursor.lastrowid, k) for m in missing for k in m.get("keys") or [m["id"]]],
            )
            self._db.execute("COMMIT")

    def unpark(self, stream: str, source_id: str) -> None:
        """A newer copy of the record arrived: the parked one is obsolete."""
        with self._lock:
            self._drop_waiting(stream, source_id)

    def waiting_on(self, refs: set[str] | None = None) -> list[Waiting]:
        """The records waiting on any of ``refs`` (all of them: ``None``), oldest first.

        They stay parked: ``done``, ``rejected`` or a new ``park`` is what removes one.
        """
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
            rows = [
                self._db.execute(
                    "SELECT stream, source_id, record, key_properties, missing, run_id, position"
                    " FROM waiting WHERE seq=?",
                    (seq,),
                ).fetchone()
                for seq in seqs
            ]
        return [self._waiting(row) for row in rows if row is not None]

    def first_waiting_position(self) -> int | None:
        """The input position of the earliest record this run parked that is still waiting."""
        rows = self._query(
            "SELECT MIN(position) FROM waiting WHERE account_id=? AND run_id=?",
            (self._account, self._run_id),
        )
        position = rows[0][0]  # NULL when none is waiting
        return int(position) if position is not None else None

    def waiting_count(self) -> int:
        rows = self._query("SELECT COUNT(*) FROM waiting WHERE account_id=?", (self._account,))
        return int(rows[0][0])

    # -- rejects of an unfinished run ---------------------------------------------------------

    def first_reject(self, digest: str) -> bool:
        """False when the same reject was written since the last run that reached its end.

        A resumed run reads again what followed the last STATE: a record the interrupted run
        already rejected is not written to the rejects file twice.
        """
        with self._lock:
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO rejects_since_finish (account_id, digest) VALUES (?,?)",
                (self._account, digest),
            )
            return cursor.rowcount == 1

    def finished(self) -> None:
        """The input was read to its end: the next run reports every reject again."""
        with self._lock:
            self._db.execute(
                "DELETE FROM rejects_since_finish WHERE account_id=?", (self._account,)
            )

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

    def _waiting(self, row: tuple[Any, ...]) -> Waiting:
        stream, source_id, record, keys, missing, run_id, position = row
        ours = run_id == self._run_id
        return Waiting(
            stream,
            source_id,
            json.loads(record),
            json.loads(keys),
            json.loads(missing),
            position if ours else 0,
        )

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
        child: tuple[int | None, str | None] = (None, None),  # version, parent_id
    ) -> None:
        with self._lock:
            self._db.execute("BEGIN")
            if state != INTENT:  # settled: a parked copy of it goes in the same transaction
                self._drop_waiting(stream, source_id)
            self._db.execute(
                "INSERT OR REPLACE INTO ids (account_id, stream, source_id, kind, asset_type,"
                " target_id, state, body_hash, note, changed_at, version, parent_id)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    self._account,
                    stream,
                    source_id,
                    kind,
                    asset_type,
                    target_id,
                    state,
                    body_hash,
                    scrub.mask(note) if note else note,
                    time.time(),
                    *child,
                ),
            )
            self._db.execute("COMMIT")

    def _set_version(self, stream: str, source_id: str, version: int | None) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE ids SET version=? WHERE account_id=? AND stream=? AND source_id=?",
                (version, self._account, stream, source_id),
            )

    def _query(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()
