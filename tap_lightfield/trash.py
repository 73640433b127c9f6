"""Deletes: the records moved to the trash since the bookmark, with ``_sdc_deleted_at``.

Lightfield lists a type's trashed records with ``status=trashed`` [D]; that list needs the
type's ``restore`` scope [D]. Moving a record to the trash sets its ``updatedAt`` [A
contract.TRASH_SETS_UPDATED_AT], so a trashed record whose ``modifiedAt`` is after the bookmark
was trashed since the last run: it is emitted once more, ``_sdc_deleted_at`` set to that
moment (what SQL loaders turn into a soft delete). A key without the scope gets one warning
naming it, and the run goes on without deletes. Should the trash leave ``updatedAt`` alone
(a trashed record without one proves it; the ``trash-keeps-updated-at`` sandbox variant),
every trashed record is emitted each run, with one warning: a delete is never lost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lightfield_api import adapt, contract
from lightfield_api.errors import LightfieldError, LightfieldHTTPError
from lightfield_api.http import list_page
from tap_lightfield import bookmarks

if TYPE_CHECKING:
    from collections.abc import Iterator
    from concurrent.futures import Future

    from singer_sdk.helpers.types import Context

    from tap_lightfield.client import LightfieldStream

DELETED_AT = "_sdc_deleted_at"
#: The collections with a trash [D]: accounts, contacts, opportunities, tasks, notes, meetings.
WITH_TRASH = tuple(contract.COLLECTIONS)


Page = tuple[list[dict[str, Any]], int | None] | Exception


def request_page(stream: LightfieldStream, collection: str, offset: int) -> Page:
    """One page of the trashed list and its total, or the error it met (raised where it is
    read)."""
    params = {"status": contract.TRASHED, "limit": contract.MAX_PAGE_SIZE, "offset": offset}
    try:
        path = contract.collection_path(collection)
        return list_page(stream.runtime.client.get_json(path, params=params))
    except (LightfieldError, ValueError) as exc:
        return exc


def request_first(stream: LightfieldStream, collection: str) -> Future[Page]:
    """The first page, on the pool: asked for when the stream starts, read when it ends."""
    return stream.runtime.pool.submit(request_page, stream, collection, 0)


def trashed_since(
    stream: LightfieldStream,
    collection: str,
    context: Context | None,
    after: str | None,
    first: Future[Page] | None = None,
) -> Iterator[dict[str, Any]]:
    """The records of ``collection`` trashed after ``after`` (all of them on a first run)."""
    items = _read_all(stream, collection, first)
    if items is None:
        return
    # [A contract.TRASH_SETS_UPDATED_AT] A trashed record without updatedAt proves the trash
    # leaves it alone: when any record went to the trash is then unknown, so every trashed
    # record is emitted, each run (adapt.trash_stamp_missing).
    every = any(adapt.trash_stamp_missing(item) for item in items)
    if every:
        stream.logger.warning(
            "Stream '%s': Lightfield left updatedAt unset on trashed records (the trash does "
            "not stamp them): every trashed record is emitted each run",
            stream.name,
        )
    seen: set[str] = set()
    for item in items:
        stamp = bookmarks.modified_at(item)
        if str(item.get("id")) in seen or not (every or bookmarks.after_bookmark(stamp, after)):
            continue
        seen.add(str(item.get("id")))
        record = stream.post_process(item, context)
        if record is not None:
            record[DELETED_AT] = stamp
            yield record


def _read_all(
    stream: LightfieldStream, collection: str, first: Future[Page] | None
) -> list[dict[str, Any]] | None:
    """Every trashed record of ``collection``; None (warned) when the key may not list them."""
    limit, offset = contract.MAX_PAGE_SIZE, 0
    found: list[dict[str, Any]] = []
    for _page in range(stream.runtime.client.max_pages):
        page = first.result() if first is not None and offset == 0 else None
        if page is None:
            page = request_page(stream, collection, offset)
        try:
            if isinstance(page, Exception):
                raise page
            items, total = page
        except LightfieldHTTPError as exc:
            if exc.status != 403:
                raise
            scope = f"{collection}:{contract.RESTORE_SCOPE}"
            stream.logger.warning(
                "Stream '%s': the API key lacks the %s scope: records deleted in Lightfield "
                "are not read (grant %s to have them as _sdc_deleted_at)",
                stream.name,
                scope,
                scope,
            )
            return None
        except (LightfieldError, ValueError) as exc:
            msg = f"Stream '{stream.name}': trashed records: {exc}"
            raise LightfieldError(msg) from None
        found += items
        # A smaller page than asked is followed while the total says more [adapt.more_after].
        if not adapt.more_after(len(items), limit, offset, total):
            return found
        offset += len(items)
    msg = f"Stream '{stream.name}': trashed records: more than max_pages pages"
    raise LightfieldError(msg)
