"""The base stream of tap-lightfield: how a Lightfield list is requested, paged and read.

Every request goes through ``lightfield_api.LightfieldClient`` (the core client: one pooled
session, retries, the client-side rate budget), so the SDK's request loop and backoff are not
used: ``get_records`` walks the list with the core's ``RereadPageWalker``, and each page's
request is still built by the SDK's public ``get_http_request`` hook (URL, params).

How a run reads a list, and why nothing is lost or doubled:

- Lightfield documents no sort parameter and no filter on ``createdAt``/``updatedAt``, so an
  incremental stream reads the whole list every run and emits only the records created or
  updated after the bookmark (``modifiedAt`` > bookmark; ``bookmarks`` holds that logic).
- The list is offset-paged, newest first [A], from an index that may lag writes [D]. A record
  created while the tap pages pushes every later record one place down (a page would repeat
  one); a deleted one pulls them up (a record would be skipped). Pages overlap by a record, so
  the walker sees either; it then reads the list again from around the last record it emitted
  (half a page before it, going on once that record is found again; else from the start),
  emitting only ids it has not emitted (``RereadPageWalker``): each id once per run, every
  record that exists for the whole run read, and a list that gains a record a second still
  read to its end.
- The bookmark is the latest ``modifiedAt`` emitted, capped at the run's start less
  ``index_lag_seconds`` (the replication signpost, ``bookmarks.signpost``): a write the index
  had not shown yet has a ``modifiedAt`` after that cap, so the next run emits it.
- A link made or removed from the other side moves no ``updatedAt`` on this side: a record
  whose relationships differ from last run's is emitted too (``links``).

Most lists of a workspace are one page, and a stream's pages can only be planned once its
first page (its total) is back: read one after the other, those first pages would leave the
rate budget idle for a round trip each. So a stream's first page is requested ahead
(``Walk.first``): the next streams' when a stream starts, and the members of each list as
soon as a page of lists arrives (even one requested ahead). The walk checks it like any
page, so this changes when a page is requested, never what is emitted.
"""

from __future__ import annotations

import copy
import json
import threading
from datetime import datetime, timezone
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from singer_sdk.helpers.conform import TypeConformanceLevel
from typing_extensions import override

from connector_core.tap import (
    OverlapPager,
    Page,
    PagedStream,
    PageToken,
    Position,
    Progress,
    Records,
    RereadPageWalker,
    Runtime,
    StreamError,
    Walk,
    run_now,
)
from lightfield_api import contract
from lightfield_api.errors import LightfieldError
from lightfield_api.http import list_page
from tap_lightfield import bookmarks
from tap_lightfield.links import LinksSeen
from tap_lightfield.schemas import MODIFIED_AT

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from concurrent.futures import Future

    from singer_sdk import Tap
    from singer_sdk import typing as th
    from singer_sdk.helpers.types import Context

#: Re-reads of one list in one run, at most: a list that changes under every pass ends the
#: sync with an error rather than emit a read that may miss records.
MAX_REREADS = 50
#: Streams whose first page is requested ahead of them. Requested only when a stream starts,
#: a few would leave the budget idle when a long stream ends (its last page is back before the
#: next stream asks for more); one page each, so many cost little memory.
STREAMS_AHEAD = 16


class LightfieldStreamError(StreamError):
    """A request of a Lightfield stream failed for good; ``cause``: the ``LightfieldError``."""

    cause: LightfieldError  # only ever raised with one (``PagedStream.fetch_page``)


class LightfieldStream(PagedStream):
    """A Lightfield list endpoint, read whole with concurrent pages, each id emitted once."""

    api_error = LightfieldError
    stream_error = LightfieldStreamError

    primary_keys: ClassVar[tuple[str, ...]] = ("id",)
    # Records are parsed JSON under a schema built from the same definitions: the SDK's
    # per-field conformance pass adds nothing but CPU time.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE
    #: Whether the stream is incremental on ``modifiedAt``.
    incremental: ClassVar[bool] = True
    properties: th.PropertiesList

    def __init__(self, tap: Tap, runtime: Runtime, **kwargs: Any) -> None:
        self.runtime = runtime
        super().__init__(tap, schema=self.properties.to_dict(), **kwargs)
        if self.incremental:
            self.replication_key = MODIFIED_AT
        self.pager = OverlapPager(int(self.config.get("page_size") or contract.MAX_PAGE_SIZE))
        self.progress = Progress(self.logger, self.name)
        # The run's start, for the signpost: the SDK asks for it before the first record.
        self._started_at = datetime.now(timezone.utc)
        # First pages requested ahead, by context (module docstring); the keys ever requested,
        # so that a late request (a parent page's callback) never repeats a page already read.
        # Workers add (callbacks), the sync loop takes: under a lock.
        self._ahead: dict[str, Future[Page]] = {}
        self._requested: set[str] = set()
        self._ahead_lock = threading.Lock()

    # --- requests ---------------------------------------------------------------------------

    @property
    @override
    def url_base(self) -> str:
        return str(self.config.get("api_url") or contract.DEFAULT_API_URL).rstrip("/")

    @override
    def get_url_params(
        self, context: Context | None, next_page_token: PageToken | None
    ) -> dict[str, Any]:
        token = next_page_token or PageToken(0, None)
        return {"limit": self.pager.page_size, "offset": token.offset}

    @override
    def page_of(self, body: Any) -> Page:
        items, total = list_page(body)
        return Page(items, total)

    # --- incremental ------------------------------------------------------------------------

    @property
    @override
    def is_sorted(self) -> bool:
        return False  # newest first, not by modifiedAt: the bookmark is promoted at the end

    @override
    def get_replication_key_signpost(self, context: Context | None = None) -> str | None:
        """The highest bookmark this run may write (``bookmarks.signpost``)."""
        return bookmarks.signpost(self, self._started_at)

    # --- records ----------------------------------------------------------------------------

    def unsettled(self, record: dict[str, Any]) -> bool:
        """A record whose state may change without a timestamp: emitted every run."""
        return False

    @property
    def tracks_links(self) -> bool:
        """Whether records whose links changed are emitted although their ``modifiedAt`` did
        not move (``links``): an incremental stream of records with relationships."""
        properties = self.schema.get("properties") or {}
        return bool(self.replication_key) and "relationships" in properties

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        self.progress.start()
        if self.parent_stream_type is None:
            for stream in self._streams_after():
                stream.request_ahead(None)
        after = bookmarks.emit_after(self, context)
        seen = LinksSeen(self.get_context_state(context)) if self.tracks_links else None
        try:
            for page in self.walk(context, concurrent=self.parent_stream_type is None):
                self._request_children_ahead(page, context)
                for record in page:
                    relinked = seen is not None and seen.changed(record)
                    new = bookmarks.after_bookmark(bookmarks.modified_at(record), after)
                    if new or self.unsettled(record) or relinked:
                        yield record
            if seen is not None:  # the whole list was read: its links are next run's
                seen.save(self.get_context_state(context))
        finally:
            # Children sync while their parent's records are emitted: what is left was
            # never asked for (a record a stream map filtered out, or an ended sync).
            for child in self.child_streams:
                if isinstance(child, LightfieldStream):
                    child.drop_ahead()
        if self.parent_stream_type is None:
            self.progress.summary(note=self.runtime.client.concurrency_note())
        else:
            self.progress.parent_done()

    def request_ahead(self, context: Context | None) -> None:
        """Request the first page of this stream's list for ``context`` now, on the pool,
        so that it is back when the stream (or this parent's child) is synced."""
        key = _context_key(context)
        with self._ahead_lock:
            if key in self._requested:
                return
            self._requested.add(key)
            token = PageToken(0, None)  # the first walk's first page (``Walk.since`` is None)
            future = self.runtime.pool.submit(self.fetch_page, context, token)
            self._ahead[key] = future
        if self.child_streams:
            future.add_done_callback(partial(self._children_ahead_of, context))

    def take_ahead(self, context: Context | None) -> Future[Page] | None:
        key = _context_key(context)
        with self._ahead_lock:
            self._requested.add(key)  # read now: never requested ahead again
            return self._ahead.pop(key, None)

    def drop_ahead(self) -> None:
        with self._ahead_lock:
            for future in self._ahead.values():
                future.cancel()
            self._ahead.clear()
            self._requested.clear()

    def _children_ahead_of(self, context: Context | None, future: Future[Page]) -> None:
        """A parent page requested ahead is back: request its children's first pages too."""
        if not future.cancelled() and future.exception() is None:
            self._request_children_ahead(future.result().items, context)

    def _streams_after(self) -> list[LightfieldStream]:
        """The next top-level streams the SDK will sync after this one (``STREAMS_AHEAD``)."""
        order = [
            stream
            for stream in self._tap.streams.values()
            if stream.parent_stream_type is None
            and (stream.selected or stream.has_selected_descendents)
        ]
        if self not in order:
            return []
        after = order[order.index(self) + 1 : order.index(self) + 1 + STREAMS_AHEAD]
        return [stream for stream in after if isinstance(stream, LightfieldStream)]

    def _request_children_ahead(self, page: Records, context: Context | None) -> None:
        """Request the first page of each child of this page's records (a list's members)."""
        children = [
            child
            for child in self.child_streams
            if isinstance(child, LightfieldStream)
            and (child.selected or child.has_selected_descendents)
        ]
        if not children:
            return
        for record in page:
            # The SDK derives a child's context from the post-processed record: a copy,
            # since the record itself is post-processed once more when it is emitted.
            row = self.post_process(copy.deepcopy(record), context)
            if row is None:
                continue
            for child_context in self.generate_child_contexts(row, context):
                for child in children:
                    child.request_ahead(child_context)

    def walk(self, context: Context | None, *, concurrent: bool) -> Iterator[Records]:
        """The pages of the list, each id once; see ``RereadPageWalker``."""
        walk = Walk(
            fetch=partial(self.fetch_page, context),
            position=position,
            pager=self.pager,
            progress=self.progress,
            logger=self.logger,
            name=self.name,
            counts_total=self.parent_stream_type is None,
            max_rewalks=MAX_REREADS,
            max_pages=self.runtime.client.max_pages,
            first=self.take_ahead(context),
        )
        if concurrent:
            walker = RereadPageWalker(
                walk, self.runtime.pool.submit, self.runtime.window, id_of=record_id
            )
        else:  # a child's list, per parent: on the calling thread
            walker = RereadPageWalker(walk, run_now, 1, id_of=record_id)
        return walker.pages()

    @override
    def post_process(
        self, row: dict[str, Any], context: Context | None = None
    ) -> dict[str, Any] | None:
        if self.replication_key:
            row[MODIFIED_AT] = bookmarks.modified_at(row)
        fields = row.get("fields")
        if isinstance(fields, dict):
            row["fields"] = {
                slug: item.get("value") if isinstance(item, dict) else item
                for slug, item in fields.items()
            }
        relationships = row.get("relationships")
        if isinstance(relationships, dict):
            row["relationships"] = {
                slug: list(item.get("values") or []) if isinstance(item, dict) else item
                for slug, item in relationships.items()
            }
        return row


def _context_key(context: Context | None) -> str:
    """A context as a key: the SDK hands a child a copy of the context it was derived as."""
    return json.dumps(context or {}, sort_keys=True, default=str)


def record_id(item: dict[str, Any]) -> str:
    return str(item["id"])


def position(item: dict[str, Any]) -> Position:
    """A record's place in the list: (createdAt, id), the order the API keeps [A]."""
    return Position(str(item.get("createdAt") or ""), str(item.get("id", "")))
