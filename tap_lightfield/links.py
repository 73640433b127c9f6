"""Links changed from the other side: what each record's relationships were last run.

Lightfield keeps both sides of a relationship in step, but only the side written gets a new
``updatedAt`` [A contract.INVERSE_WRITES_TOUCH_UPDATED_AT]: a contact moved from account A to
account B moves the contact's ``updatedAt`` only, while A's and B's ``$contact`` lists change
too. The bookmark alone would never send A or B again, and a warehouse would keep their old
lists. An incremental stream reads its whole list every run anyway (``client``), so each run
also checks every record's relationships against what they were when last read: a record
whose links changed is emitted although its ``modifiedAt`` did not move.

What is remembered is one fingerprint per record: 8 bytes of BLAKE2b over the record's id and
its relationships (each list's ids sorted: their order means nothing), kept in the stream's
state (``links_seen``) as the sorted fingerprints in base64, about 11 characters a record. A
record is unchanged iff its fingerprint is in last run's set; the set is replaced by this
run's once the walk has read the whole list (a run that stops midway leaves the old one, so
the next run sends those records again: a loader's merge on the key takes them once).
Without a set in the state (a first run, or state written before this), emission is by
``modifiedAt`` alone, and the set is recorded for the next run.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

#: The stream state's key of the fingerprint set.
STATE_KEY = "links_seen"
_SIZE = 8  # bytes a fingerprint: a changed record taken for unchanged once in 2**64 / records


def relationship_ids(record: dict[str, Any]) -> dict[str, list[str]] | None:
    """A record's relationships as ``{slug: sorted ids}``, raw (``{values}``) or flattened;
    None when the record has no ``relationships`` object."""
    relationships = record.get("relationships")
    if not isinstance(relationships, dict):
        return None
    ids: dict[str, list[str]] = {}
    for slug, item in relationships.items():
        values = item.get("values") if isinstance(item, dict) else item
        if isinstance(values, list):
            ids[str(slug)] = sorted(str(v) for v in values)
        elif values is not None:
            ids[str(slug)] = [str(values)]
    return ids


def fingerprint(record_id: str, ids: dict[str, list[str]]) -> bytes:
    text = json.dumps([record_id, ids], sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=_SIZE).digest()


class LinksSeen:
    """Last run's fingerprints (``before``; None: none recorded) and this run's, as read."""

    def __init__(self, stream_state: dict[str, Any]) -> None:
        self.before = _decode(stream_state.get(STATE_KEY))
        self.now: set[bytes] = set()

    def changed(self, record: dict[str, Any]) -> bool:
        """Record this record's links; whether they differ from last run's (False without a
        set from last run, or for a record without relationships)."""
        ids = relationship_ids(record)
        if ids is None:
            return False
        mark = fingerprint(str(record.get("id")), ids)
        self.now.add(mark)
        return self.before is not None and mark not in self.before

    def save(self, stream_state: dict[str, Any]) -> None:
        """This run's set into the state, for the next run (once the whole list was read)."""
        stream_state[STATE_KEY] = base64.b64encode(b"".join(sorted(self.now))).decode("ascii")


def _decode(value: Any) -> set[bytes] | None:
    if not isinstance(value, str):
        return None
    try:
        packed = base64.b64decode(value.encode("ascii"), validate=True)
    except ValueError:
        return None  # not ours: as if none were recorded
    if len(packed) % _SIZE:
        return None
    return {packed[i : i + _SIZE] for i in range(0, len(packed), _SIZE)}
