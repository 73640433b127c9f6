"""Where a record's references point in the target: the id map first, then the account itself.

A reference whose source id the id map does not know may already be an id of the target
account (a copy back into the account it came from, a record that names a Lexful id): those
are looked up in bulk, once, and remembered for the run.
"""

from __future__ import annotations

import time

from connector_core.target import DONE, REJECTED, IdMap, Pool, RecordError, is_uuid
from lexful_api import LexfulClient, LexfulHTTPError, contract
from target_lexful.engine.model import ASSET, Destination, Job, Ref, rejectable


class References:
    """Resolves a record's references to target ids: the id map first, then the account, cached."""

    def __init__(self, client: LexfulClient, ids: IdMap, pool: Pool) -> None:
        self._client = client
        self._ids = ids
        self._pool = pool
        self._known: dict[str, Destination | None] = {}  # ids looked up in the target account
        # A reject of an earlier run (another setting, a fixed source) may be written in this
        # one, later in its input: only this run's rejects are final for what refers to them.
        self._run_started = time.time()

    def resolve(self, job: Job, batch: set[str]) -> list[Ref]:
        """Fill ``job.resolved``; return the references that are not written yet."""
        waits = []
        own = job.keys
        for ref in job.refs:
            if ref.key in job.resolved:
                continue
            if ref.keys & batch and not ref.keys & own:
                waits.append(ref)  # written (again) in this batch: wait for that copy
                continue
            entry = self._ids.resolve(ref.source_id, ref.spaces, strict=True)
            if entry and entry.state == DONE and entry.target_id:
                job.resolved[ref.key] = Destination(entry.target_id, entry.asset_type)
            elif entry and entry.state == REJECTED and entry.changed_at >= self._run_started:
                msg = f"{ref.field} {ref.source_id} was rejected: {entry.note}"
                raise RecordError(msg)
            elif (known := self._known.get(ref.source_id)) is not None:
                job.resolved[ref.key] = known
            else:
                waits.append(ref)
        return waits

    def look_up(self, jobs: list[Job]) -> None:
        """Which referenced ids, unknown to the id map, are already ids of the target account."""
        wanted: dict[str | None, set[str]] = {}  # where to look (an asset type, or None) -> ids
        for job in jobs:
            for ref in job.refs:
                sid = ref.source_id
                if not is_uuid(sid) or sid in self._known or ref.key in job.resolved:
                    continue
                if self._ids.resolve(sid, ref.spaces, strict=True) is not None:
                    continue
                # An asset is looked for among the types the record names; None: organizations.
                for place in ref.asset_types if ASSET in ref.kinds else (None,):
                    wanted.setdefault(place, set()).add(sid)
        chunks = [
            (place, sorted(ids)[i : i + contract.BULK_LIMIT])
            for place, ids in wanted.items()
            for i in range(0, len(ids), contract.BULK_LIMIT)
        ]
        found = self._pool.map(lambda c: self._find_ids(*c), chunks)
        for (place, chunk), hits in zip(chunks, found, strict=True):
            for sid in chunk:
                if isinstance(hits, set) and sid in hits:
                    self._known[sid] = Destination(sid, place)
                else:
                    self._known.setdefault(sid, None)

    def _find_ids(self, place: str | None, chunk: list[str]) -> set[str]:
        """The ids of ``chunk`` that are assets of type ``place`` (None: organizations)."""
        path = contract.assets_path(place) if place else contract.organizations_path()
        try:
            body = self._client.get_json(path, {"id[in]": ",".join(chunk), "limit": len(chunk)})
        except LexfulHTTPError as exc:
            if rejectable(exc):
                return set()  # e.g. an asset type that does not exist here
            raise
        return {item["id"] for item in contract.list_items(body)}
