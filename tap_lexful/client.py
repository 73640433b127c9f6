"""REST client handling, including the LexfulStream base class and its concurrent page walker.

Every request goes through ``lexful_api.LexfulClient`` (one pooled session, one shared token,
retries, client-side rate budget), so the SDK's own request loop and backoff are replaced by
``request_records``/``get_records`` below, while requests are still built by the SDK's public
``get_http_request`` hook.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, TypeVar

import msgspec
from singer_sdk import metrics
from singer_sdk.exceptions import FatalAPIError
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.streams import RESTStream
from singer_sdk.streams.rest import PageContext
from typing_extensions import override

from lexful_api import LexfulClient, LexfulError, contract
from lexful_api.auth import LexfulTokenAuth
from tap_lexful.schemas import stream_schema

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterable, Iterator

    import requests
    from singer_sdk import Tap
    from singer_sdk import typing as th
    from singer_sdk.helpers.types import Context

_NO_KEY = ""  # sorts before every timestamp
_CANONICAL_MS = len("2024-01-15T10:30:00.000Z")
MAX_STALLED_REWALKS = 20  # a list that changes faster than it can be read must end the sync
PROGRESS_EVERY_S = 10.0
#: The stream state's record of the last record emitted: its replication key value and id.
#: The walk starts at the bookmark (``[gte]``, as records can share a moment) and skips what
#: is at or before this place in (key, id) order, so a run emits each record once.
LAST_EMITTED = "last_emitted"
MIN_DEPTH = 2  # pages in flight at least, when concurrent: one arriving, one emitted
T = TypeVar("T")
M = TypeVar("M", bound=metrics.Meter)
# The per-parent METRIC lines of child streams: a logger of their own that drops INFO.
_PER_PARENT_METRICS = logging.getLogger(f"{metrics.METRICS_LOGGER_NAME}.per_parent")
_PER_PARENT_METRICS.setLevel(logging.WARNING)


@dataclass
class Runtime:
    """What every stream of one tap run shares: the HTTP client and the worker pool."""

    client: LexfulClient
    max_concurrency: int
    pool: ThreadPoolExecutor = field(init=False)

    def __post_init__(self) -> None:
        # Idle workers end when the pool is collected with its tap; no explicit close needed.
        self.pool = ThreadPoolExecutor(self.max_concurrency, thread_name_prefix="lexful")


class LexfulStreamError(FatalAPIError):
    """A request of a stream failed for good: one line naming the stream and the request."""

    def __init__(self, stream: str, cause: LexfulError) -> None:
        self.cause = cause
        super().__init__(f"Stream '{stream}': {cause}")


class PageToken(NamedTuple):
    """Where a page starts: an offset under a lower bound on the walked key."""

    offset: int
    since: str | None


@dataclass
class Page:
    items: list[dict[str, Any]]
    total: int | None


class Position(NamedTuple):
    """A record's place in the (key, id) order every list is walked in.

    ``key`` is the timestamp in one fixed-width UTC form (microseconds), so that comparing
    the strings compares the moments.
    """

    key: str
    id: str


def sort_key(value: object) -> str:
    """A timestamp as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``; the API's own form takes a fast path."""
    if not isinstance(value, str) or not value:
        return _NO_KEY
    if len(value) == _CANONICAL_MS and value[19] == "." and value[-1] == "Z":
        return value[:23] + "000Z"
    moment = contract.parse_timestamp(value)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def bookmark_value(value: str) -> str:
    """The replication key value in the API's own form, so bookmarks compare as text."""
    if len(value) == _CANONICAL_MS and value[19] == "." and value[-1] == "Z":
        return value
    return contract.format_timestamp(contract.parse_timestamp(value))


def filter_value(value: object) -> str:
    """A filter value as the API reads it: booleans ``true``/``false``, lists comma-joined."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(filter_value(item) for item in value)
    return str(value)


class Progress:
    """Counts a stream's records, requests, retries and parents (from any thread); logs a
    progress line at most every 10 s, and the stream's summary at its end."""

    def __init__(self, logger: logging.Logger, name: str) -> None:
        self._logger = logger
        self._name = name
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._logged = self._started
        self.done = 0
        self.expected: int | None = None
        self.requests = 0
        self.retries = 0
        self.parents = 0

    def start(self) -> None:
        with self._lock:
            self._started = self._logged = time.monotonic()

    def requested(self) -> None:
        with self._lock:
            self.requests += 1

    def retried(self) -> None:
        with self._lock:
            self.retries += 1

    def parent_done(self) -> None:
        with self._lock:
            self.parents += 1

    def summary(self, *, child: bool = False) -> None:
        """One line: what the stream read and what it cost."""
        seconds = time.monotonic() - self._started
        records = f"{self.done} records" + (f" from {self.parents} parents" if child else "")
        self._logger.info(
            "Stream '%s' done: %s, %d requests, %d retries, %.1f s",
            self._name,
            records,
            self.requests,
            self.retries,
            seconds,
        )

    def expect(self, total: int | None) -> None:
        with self._lock:
            if total is not None and self.expected is None:
                self.expected = total

    def advance(self, count: int) -> None:
        with self._lock:
            self.done += count
            now = time.monotonic()
            if now - self._logged < PROGRESS_EVERY_S:
                return
            self._logged = now
            elapsed = max(now - self._started, 1e-6)
        rate = self.done / elapsed
        if self.expected:
            left = max(self.expected - self.done, 0)
            eta = timedelta(seconds=round(left / rate)) if rate else "?"
            self._logger.info(
                "Stream '%s': %d of %d records (%.0f%%), %.0f records/s, ETA %s",
                self._name,
                self.done,
                self.expected,
                100.0 * self.done / self.expected,
                rate,
                eta,
            )
        else:
            self._logger.info(
                "Stream '%s': %d records, %.0f records/s", self._name, self.done, rate
            )


class OverlapPager:
    """Plans the offsets of a list walk so that each page repeats the last record of the last.

    The repeated record proves that nothing was inserted or deleted before it between the two
    requests, so offsets stay valid (``total`` alone would miss a delete plus a create). When
    it does not match, the walker re-reads from its last emitted key (``key[gte]``) instead of
    trusting offsets that have shifted.
    """

    def __init__(self, page_size: int) -> None:
        self.page_size = page_size
        self.step = max(page_size - 1, 1)

    def after_first(self, since: str | None, first: Page) -> Iterator[PageToken]:
        """The pages after the first; without a ``total`` (tolerated), until a short page."""
        total = first.total
        step = self.step
        if total is not None and 1 < len(first.items) < min(total, self.page_size):
            step = len(first.items) - 1  # the server serves smaller pages than asked: follow it
        offset = step
        while total is None or offset < total - 1:
            yield PageToken(offset, since)
            offset += step


class LexfulStream(RESTStream[PageToken]):
    """A Lexful list endpoint, walked in ``(walk_key, id)`` order with concurrent pages.

    Records are emitted strictly in that order (so incremental state is resumable), the pages
    after the first are fetched ``max_concurrency`` at a time once the first page tells the
    ``total``, and the child streams' records for a page of parents are fetched concurrently
    while the parents are emitted.
    """

    primary_keys: ClassVar[tuple[str, ...]] = ("id",)
    # Records are parsed JSON, already of JSON types, under a schema built from the same
    # definitions: the SDK's per-field conformance pass (40% of the CPU time) adds nothing.
    # Properties outside the schema are kept, not dropped, and reported once (post_process).
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE
    #: The field the list is sorted on when the stream is not incremental.
    walk_key: ClassVar[str] = "created_at"
    #: The unique field that breaks ties in the sort.
    id_field: ClassVar[str] = "id"
    #: Where the sync puts the stream: dependencies first, so a loader can write them back.
    sync_order: ClassVar[int] = 50
    #: The field ``organization_ids`` restricts, when the resource belongs to organizations.
    organization_field: ClassVar[str | None] = None
    #: Whether the endpoint takes ``fields=`` and ``include_deleted=`` [D for assets, A else].
    selects_fields: ClassVar[bool] = True
    #: Whether the stream is incremental, on the ``replication_key`` setting.
    incremental: ClassVar[bool] = False
    #: The record's properties; the schema adds ``_sdc_deleted_at`` with ``include_deleted``.
    properties: th.PropertiesList

    def __init__(self, tap: Tap, runtime: Runtime, **kwargs: Any) -> None:
        self.runtime = runtime
        include_deleted = self.selects_fields and bool(tap.config.get("include_deleted"))
        schema = stream_schema(self.properties, include_deleted=include_deleted)
        super().__init__(tap, schema=schema, **kwargs)
        if self.incremental:
            self.replication_key = self.config.get("replication_key", "created_at")
        self.pager = OverlapPager(int(self.config.get("page_size", 100)))
        self.progress = Progress(self.logger, self.name)
        self._prefetched: dict[tuple[str, ...], Future[list[dict[str, Any]]]] = {}
        self._reported_fields: set[str] = set()
        self._emitting: dict[str, Any] | None = None  # with children: the record being synced

    # --- request building -------------------------------------------------------------------

    @property
    @override
    def url_base(self) -> str:
        return str(self.config.get("api_url", contract.DEFAULT_API_URL)).rstrip("/")

    @property
    @override
    def authenticator(self) -> LexfulTokenAuth:
        return self.runtime.client.auth  # one token for every stream and thread

    @property
    @override
    def requests_session(self) -> requests.Session:
        return self.runtime.client.session  # one connection pool

    @property
    @override
    def is_sorted(self) -> bool:
        return True  # the walker guarantees (key, id) order, across pages and re-walks

    @property
    @override
    def check_sorted(self) -> bool:
        # A lookback window deliberately starts before the bookmark.
        return not self.config.get("lookback_seconds")

    @override
    def get_replication_key_signpost(self, context: Context | None = None) -> None:
        # Records are emitted sorted, so the last one is an exact bookmark: no cap is needed,
        # and a signpost in another timestamp format would compare wrongly as text.
        return None

    @property
    def sort_key(self) -> str:
        return self.replication_key or self.walk_key

    @override
    def get_url_params(self, context: Context | None, next_page_token: PageToken | None) -> dict:
        token = next_page_token or PageToken(0, None)
        params: dict[str, Any] = {
            "limit": self.pager.page_size,
            "offset": token.offset,
            **contract.sort_params(self.sort_key, self.id_field),
        }
        for key, value in self.config.get("filters", {}).get(self.name, {}).items():
            params[key] = filter_value(value)
        organization_ids = self.config.get("organization_ids")
        if organization_ids and self.organization_field:
            params[f"{self.organization_field}[in]"] = ",".join(organization_ids)
        if self.selects_fields and self.config.get("include_deleted"):
            params["include_deleted"] = "true"
        if token.since:
            params[f"{self.sort_key}[gte]"] = token.since
        fields = self.api_fields()
        if fields:
            params["fields"] = ",".join(fields)
        return params

    def api_fields(self) -> list[str] | None:
        """The selected properties to ask for; None when all are selected (the default)."""
        if not self.selects_fields:
            return None
        names = [name for name in self.schema["properties"] if not name.startswith("_sdc_")]
        selected = [name for name in names if self.mask.get(("properties", name), True)]
        if len(selected) == len(names):
            return None
        needed = {self.id_field, self.sort_key, *self.primary_keys}
        if self.config.get("include_deleted"):
            needed.add("deleted_at")
        return sorted(set(selected) | (needed & set(names)))

    def lower_bound(self, context: Context | None) -> str | None:
        """Where an incremental walk starts: the bookmark (or start_date) less the lookback."""
        if not self.replication_key:
            return None
        start = self.get_starting_timestamp(context)
        if start is None:
            return None
        lookback = timedelta(seconds=int(self.config.get("lookback_seconds") or 0))
        return contract.format_timestamp(start - lookback)

    # --- responses ------------------------------------------------------------------------

    @override
    def parse_response(self, response: requests.Response) -> Iterable[dict]:
        return self.parse_page(response).items

    def parse_page(self, response: requests.Response) -> Page:
        body = _decode(response)
        return Page(contract.list_items(body), contract.list_total(body))

    def fetch_page(self, context: Context | None, token: PageToken) -> Page:
        """One page, through the shared client; errors name the stream and the request."""
        request = self.get_http_request(page=PageContext(context, token))
        self.progress.requested()
        try:
            response = self.runtime.client.request(
                request.method,
                request.url,
                params=request.params,
                headers=request.headers,
                on_retry=self.progress.retried,
            )
        except LexfulError as exc:
            raise LexfulStreamError(self.name, exc) from None
        return self.parse_page(response)

    def position(self, item: dict[str, Any]) -> Position:
        return Position(sort_key(item.get(self.sort_key)), str(item.get(self.id_field, "")))

    @override
    def post_process(self, row: dict, context: Context | None = None) -> dict | None:
        key = self.replication_key
        if key and isinstance(row.get(key), str):
            row[key] = bookmark_value(row[key])
        if "_sdc_deleted_at" in self.known_fields:
            row["_sdc_deleted_at"] = row.get("deleted_at")
        if not self.known_fields.issuperset(row):  # no set is built for the usual record
            self._report_unknown(row.keys() - self.known_fields)
        if key:
            self._note_emitting(row, context)
        return row

    def _note_emitting(self, row: dict, context: Context | None) -> None:
        """Keep in the state the exact place of the last record emitted (see ``LAST_EMITTED``).

        Children are synced, and their STATE written, between this call and the parent's
        RECORD: with children the place noted is the previous record's, the one written.
        """
        if self.selected_children:
            previous, self._emitting = self._emitting, row
            if previous is not None:
                self._mark_emitted(previous, context)
        else:
            self._mark_emitted(row, context)

    def _mark_emitted(self, row: dict, context: Context | None) -> None:
        key = self.replication_key
        assert key is not None
        self.get_context_state(context)[LAST_EMITTED] = {
            "replication_key_value": row.get(key),
            "id": row.get(self.id_field),
        }

    def resume_position(self, context: Context | None) -> Position | None:
        """Where the last run stopped, to skip what it emitted at its bookmark's moment.

        None without a bookmark, with ``lookback_seconds`` (a deliberate re-read), or with a
        state of an older version (which then re-reads the records at its bookmark).
        """
        if not self.replication_key or self.config.get("lookback_seconds"):
            return None
        state = self.get_context_state(context)
        last = state.get(LAST_EMITTED)
        if state.get("replication_key") != self.replication_key or not isinstance(last, dict):
            return None
        value, record_id = last.get("replication_key_value"), last.get("id")
        if not isinstance(value, str) or not isinstance(record_id, str):
            return None
        return Position(sort_key(value), record_id)

    @cached_property
    def known_fields(self) -> frozenset[str]:
        """The properties the target is told of: the input catalog's when there is one
        (read at sync time, after the catalog was applied)."""
        return frozenset(self.effective_schema["properties"])

    def _report_unknown(self, names: set[str]) -> None:
        if names <= self._reported_fields:
            return
        self._reported_fields |= names
        self.logger.warning(
            "Stream '%s': the API returned properties the schema does not declare: %s "
            "(kept in the records; run discovery again to type them)",
            self.name,
            ", ".join(sorted(names)),
        )

    # --- records ----------------------------------------------------------------------------

    @override
    def request_records(self, context: Context | None) -> Iterable[dict]:
        for page in self.walk(context, concurrent=True):
            yield from page

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        if self.parent_stream_type is not None:
            yield from self._child_records(context)
            return
        self._emitting = None
        self.progress.start()
        pages = self.walk(context, concurrent=True)
        try:
            current = next(pages, [])
            self.prefetch_children(current, context)
            for upcoming in pages:
                # The next page's children start while this page is emitted: the pool never
                # drains between pages.
                self.prefetch_children(upcoming, context)
                yield from current
                current = upcoming
            yield from current
            if self._emitting is not None:  # the last record is written now
                self._mark_emitted(self._emitting, context)
            self.progress.summary()
        finally:  # an aborted sync (--test, an error) must not leave requests queued
            for child in self.selected_children:
                child.cancel_prefetched()

    def walk(self, context: Context | None, *, concurrent: bool) -> Iterator[list[dict]]:
        """The pages of the list, in order; see ``PageWalker``."""
        submit = self.runtime.pool.submit if concurrent else _run_now
        window = self.runtime.max_concurrency if concurrent else 1
        return PageWalker(self, context, submit, window).pages()

    def collect(self, context: Context | None) -> list[dict[str, Any]]:
        """All the records of a (small, child) list, fetched on the calling thread."""
        return [item for page in self.walk(context, concurrent=False) for item in page]

    def prefetch_key(self, context: Context) -> tuple[str, ...]:
        return tuple(str(value) for value in context.values())

    def prefetch(self, context: Context) -> None:
        """Start fetching this child's records for one parent, to be taken by get_records."""
        self._prefetched[self.prefetch_key(context)] = self.runtime.pool.submit(
            self.collect, context
        )

    @cached_property
    def selected_children(self) -> list[LexfulStream]:
        """The child streams to sync (read at sync time, after the catalog was applied)."""
        return [c for c in self.child_streams if c.selected and isinstance(c, LexfulStream)]

    def prefetch_children(self, page: list[dict], context: Context | None) -> None:
        if not self.selected_children:
            return
        for record in page:
            for child_context in self.generate_child_contexts(record, context):
                if child_context is not None:
                    for child in self.selected_children:
                        child.prefetch(child_context)

    def cancel_prefetched(self) -> None:
        for future in self._prefetched.values():
            future.cancel()
        self._prefetched.clear()

    def _child_records(self, context: Context | None) -> list[dict[str, Any]]:
        future = self._prefetched.pop(self.prefetch_key(context), None) if context else None
        records = wait_for(future, self.progress) if future is not None else self.collect(context)
        self.progress.parent_done()
        return records

    # --- logs -------------------------------------------------------------------------------

    @property
    def quiet(self) -> bool:
        """A child stream syncs once per parent: its per-parent lines only at DEBUG, or with
        ``log_child_syncs``; the stream's summary says what they would have."""
        return (
            self.parent_stream_type is not None
            and not self.config.get("log_child_syncs")
            and not self.logger.isEnabledFor(logging.DEBUG)
        )

    @override
    def log(self, message: str, *args: Any, level: int = logging.INFO, **kwargs: Any) -> None:
        if self.quiet and level == logging.INFO:
            level = logging.DEBUG
        super().log(message, *args, level=level, **kwargs)

    @override
    def get_record_counter(
        self, *, endpoint: str | None = None, log_interval: float = metrics.DEFAULT_LOG_INTERVAL
    ) -> metrics.Counter:
        return self._quieted(
            super().get_record_counter(endpoint=endpoint, log_interval=log_interval)
        )

    @override
    def get_sync_timer(self) -> metrics.Timer:
        return self._quieted(super().get_sync_timer())

    def _quieted(self, meter: M) -> M:
        if self.quiet:
            meter.logger = _PER_PARENT_METRICS  # dropped at INFO
        return meter


class PageWalker:
    """Walks one list in (key, id) order: pages fetched concurrently, emitted in order.

    Offset paging is only right while the list does not change. Each page after the first
    overlaps the previous one by a record (``OverlapPager``); when that record is not where it
    should be, something was created or deleted before it, and when ``total`` changed, records
    came after the planned pages. Either way the walk goes on from the last emitted key
    (``key[gte]=last``), skipping what was already emitted at that key: nothing is lost and
    nothing is emitted twice.
    """

    def __init__(
        self,
        stream: LexfulStream,
        context: Context | None,
        submit: Callable[..., Future[Page]],
        window: int,
    ) -> None:
        self.stream = stream
        self.context = context
        self.submit = submit
        self.window = window
        # Pages in flight: the whole window while the API is the slower side; fewer while
        # the emitter is (at low latency), since idle fetching threads only contend for the
        # GIL with it. See ``_resize``.
        self.depth = window
        self.last: Position | None = stream.resume_position(context)
        self._fetch_s: float | None = None  # a page fetch's time, smoothed
        self._emit_s: float | None = None  # the emitter's own time per page, smoothed
        self._returned_at: float | None = None

    def pages(self) -> Iterator[list[dict[str, Any]]]:
        since = self.stream.lower_bound(self.context)
        stalled = 0
        while True:
            before = self.last
            changed = yield from self._walk(since)
            if not changed:
                return
            # A busy account may change the list often: only re-reads that emit nothing count.
            stalled = stalled + 1 if self.last == before else 0
            if stalled >= MAX_STALLED_REWALKS:
                msg = (
                    f"Stream '{self.stream.name}': the list kept changing under {stalled} re-reads"
                )
                raise FatalAPIError(msg)
            if self.last is not None and self.last.key != _NO_KEY:
                # Milliseconds, rounded down: a lower bound, the rest is skipped by position.
                since = self.last.key[:23] + "Z"
            self.stream.logger.info(
                "Stream '%s': the list changed while it was paged; re-reading from %s",
                self.stream.name,
                since or "the start",
            )

    def _walk(self, since: str | None) -> Generator[list[dict[str, Any]], None, bool]:
        """One walk from ``since``; True when the list changed and must be read on from the
        last emitted record: offsets shifted before a page, or records came after the plan."""
        first = self.stream.fetch_page(self.context, PageToken(0, since))
        if self.stream.parent_stream_type is None:  # a child's total is one parent's
            self.stream.progress.expect(first.total)
        yield self._fresh(first.items)
        size = self.stream.pager.page_size
        if not first.items or (first.total is None and len(first.items) < size):
            return False
        boundary = self.stream.position(first.items[-1])
        latest_total = first.total
        tokens = self.stream.pager.after_first(since, first)
        pending: deque[Future[Page]] = deque()
        try:
            self._fill(pending, tokens)
            while pending:
                page = self._next(pending)
                if first.total is None and not page.items:
                    return False  # tolerated: no total, and this was the end
                if not page.items or self.stream.position(page.items[0]) != boundary:
                    return True  # something was created or deleted before this page
                yield self._fresh(page.items)
                boundary = self.stream.position(page.items[-1])
                latest_total = page.total
                if first.total is None and len(page.items) < size:
                    return False
                self._fill(pending, tokens)
        finally:
            for future in pending:
                future.cancel()
        # Offsets held; a changed total means records beyond the planned pages.
        return latest_total != first.total

    def _next(self, pending: deque[Future[Page]]) -> Page:
        started = time.monotonic()
        if self._returned_at is not None:  # what the emitter did with the last page
            self._emit_s = _ewma(self._emit_s, started - self._returned_at)
        page = wait_for(pending.popleft(), self.stream.progress)
        self._returned_at = time.monotonic()
        self._resize()
        return page

    def _resize(self) -> None:
        """Pages in flight: enough to cover a fetch while pages are emitted (Little's law).

        Only the emitter's own time per page counts, never its wait for a page: a starved
        pipe must widen, not read its wait as a slow emitter and narrow further.
        """
        if self._fetch_s is not None and self._emit_s:
            self.depth = pages_in_flight(self._fetch_s, self._emit_s, self.window)

    def _timed_fetch(self, token: PageToken) -> Page:
        started = time.monotonic()
        page = self.stream.fetch_page(self.context, token)
        self._fetch_s = _ewma(self._fetch_s, time.monotonic() - started)
        return page

    def _fill(self, pending: deque[Future[Page]], tokens: Iterator[PageToken]) -> None:
        # A window of pages in flight bounds memory, however long the list.
        while len(pending) < min(self.depth, self.window):
            token = next(tokens, None)
            if token is None:
                return
            pending.append(self.submit(self._timed_fetch, token))

    def _fresh(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The records after the last emitted position (the overlap and re-read ones go).

        A page is sorted like the list, so the new records are a tail of it: only the few
        records up to the first new one, and the last, need their position computed.
        """
        start = 0
        if self.last is not None:
            while start < len(items) and self.stream.position(items[start]) <= self.last:
                start += 1
        fresh = items[start:] if start else items
        if fresh:
            self.last = self.stream.position(fresh[-1])
        self.stream.progress.advance(len(fresh))
        return fresh


def pages_in_flight(fetch_s: float, emit_s: float, window: int) -> int:
    """The pages to keep in flight so that one is ready each time the emitter wants one."""
    return max(MIN_DEPTH, min(window, math.ceil(fetch_s / emit_s) + 1))


def _ewma(average: float | None, sample: float) -> float:
    return sample if average is None else 0.8 * average + 0.2 * sample


def wait_for(future: Future[T], progress: Progress) -> T:
    """The future's result; while it takes long (retries, backoff), progress lines go on."""
    while True:
        try:
            return future.result(timeout=PROGRESS_EVERY_S or None)
        except FutureTimeout:
            progress.advance(0)


def _decode(response: requests.Response) -> Any:
    """The JSON body; msgspec parses a page several times faster than the json module."""
    try:
        return msgspec.json.decode(response.content)
    except msgspec.DecodeError:
        return response.json()  # raises the usual, readable error


def _run_now(fn: Callable[..., Page], *args: Any) -> Future[Page]:
    """Run on the calling thread: worker threads never wait on the pool they run in."""
    future: Future[Page] = Future()
    try:
        future.set_result(fn(*args))
    except BaseException as exc:  # handed to whoever reads the result, as a pool would
        future.set_exception(exc)
    return future
