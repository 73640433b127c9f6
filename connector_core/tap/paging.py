"""Walking one offset-paged list: offsets that overlap, pages fetched concurrently, emitted
in order.

Nothing here knows about streams or an API: a walker is given ``fetch(token) -> Page`` and
``position(record) -> Position``, so it can be tested with plain functions.

- ``PageWalker``: a list the API sorts on a key it can also filter on (``key[gte]``): a walk
  that finds the list changed re-reads from the last emitted key (Lexful).
- ``RereadPageWalker``: a list with no filter to re-read from (Lightfield): a walk that finds
  the list changed re-reads it from the start, emitting only the ids it has not emitted.
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from singer_sdk.exceptions import FatalAPIError
from typing_extensions import override

from connector_core.safe_http import DEFAULT_MAX_PAGES
from connector_core.tap.runtime import wait_for

if TYPE_CHECKING:
    import logging
    from collections.abc import Callable, Generator, Iterator
    from concurrent.futures import Future

    from connector_core.tap.runtime import Progress

MAX_STALLED_REWALKS = 20  # a list that changes faster than it can be read must end the sync
MIN_DEPTH = 2  # pages in flight at least, when concurrent: one arriving, one emitted
FIRST_DEPTH = 8  # pages in flight before the walk has timed a fetch and an emit, at most
# ... and records: pages of 1000 start with 2 in flight, not 8 (8,000 records parsed ahead
# of the emitter before it has asked for one: memory, and a first page served late by a
# server that shares its time between the 8)
FIRST_RECORDS = 800
Records = list[dict[str, Any]]


class PageToken(NamedTuple):
    """Where a page starts: an offset under a lower bound on the walked key."""

    offset: int
    since: str | None


@dataclass
class Page:
    """One page of a list answer: its records, and the list's ``total`` when the API sent one."""

    items: Records
    total: int | None


class Position(NamedTuple):
    """A record's place in the (key, id) order every list is walked in.

    ``key`` is the timestamp in one fixed-width UTC form (e.g. Lexful's
    ``contract.sortable_timestamp``), so that comparing the strings compares the moments;
    ``""`` sorts first.
    """

    key: str
    id: str


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

    def after_first(self, since: str | None, first: Page, start: int = 0) -> Iterator[PageToken]:
        """The pages after the first (at ``start``); without a ``total`` (tolerated), until a
        short page."""
        total = first.total
        step = self.step
        if total is not None and 1 < len(first.items) < min(total - start, self.page_size):
            step = len(first.items) - 1  # the server serves smaller pages than asked: follow it
        offset = start + step
        while total is None or offset < total - 1:
            yield PageToken(offset, since)
            offset += step


@dataclass
class Walk:
    """What a walker is told about the list it walks."""

    fetch: Callable[[PageToken], Page]
    position: Callable[[dict[str, Any]], Position]
    pager: OverlapPager
    progress: Progress
    logger: logging.Logger
    name: str  # for messages: the stream's name
    since: str | None = None  # the lower bound on the key (a bookmark)
    after: Position | None = None  # skip what is at or before it (the last record emitted)
    counts_total: bool = True  # a child's total is one parent's: not the stream's
    max_rewalks: int | None = None  # re-reads that emit records too, at most (None: no cap)
    max_pages: int = DEFAULT_MAX_PAGES  # pages of the list, all walks together: a peer's
    # ``total`` may never end
    # The first page of the first walk, already requested (``fetch(PageToken(0, since))``) so
    # that it travelled while something else ran; a re-read fetches its first page again.
    first: Future[Page] | None = None


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
        self, walk: Walk, submit: Callable[..., Future[Page]], window: int | Callable[[], int]
    ) -> None:
        self.walk = walk
        self.submit = submit
        # The most pages in flight: a number, or (max_concurrency: auto) what the client's
        # adaptive limit allows now.
        self._window = window
        # Pages in flight: the whole window while the API is the slower side; fewer while
        # the emitter is (at low latency), since idle fetching threads only contend for the
        # GIL with it. See ``_resize``.
        # Before a fetch and an emit are timed: no more than the old fixed default, so that a
        # fast API's big pages do not pile up ahead of the emitter (memory).
        self.depth = first_depth(self.window, walk.pager.page_size)
        self.last: Position | None = walk.after
        self._fetch_s: float | None = None  # a page fetch's time, smoothed
        self._emit_s: float | None = None  # the emitter's own time per page, smoothed
        self._returned_at: float | None = None
        self._first = walk.first  # used once: a re-read must see the list as it is now
        self._pages = 0
        self.start = 0  # where the next walk's first page is (a re-read may resume, not restart)
        self.boundary_at = 0  # the offset the last emitted record was read at
        self.last_resume_failed = False
        self._offsets: deque[int] = deque()  # the offsets of the pages in flight, in order

    @property
    def window(self) -> int:
        window = self._window
        return window() if callable(window) else window

    def pages(self) -> Iterator[Records]:
        since = self.walk.since
        stalled = rewalks = 0
        while True:
            before = self._emitted_mark()
            changed = yield from self._walk(since)
            if not changed:
                return
            # A busy account may change the list often: only re-reads that emit nothing count.
            stalled = stalled + 1 if self._emitted_mark() == before else 0
            if stalled >= MAX_STALLED_REWALKS:
                msg = f"Stream '{self.walk.name}': the list kept changing under {stalled} re-reads"
                raise FatalAPIError(msg)
            rewalks += 1
            if self.walk.max_rewalks is not None and rewalks > self.walk.max_rewalks:
                msg = f"Stream '{self.walk.name}': the list kept changing under {rewalks} re-reads"
                raise FatalAPIError(msg)
            since = self._reread_since(since)
            self.walk.logger.info(
                "Stream '%s': the list changed while it was paged; re-reading from %s",
                self.walk.name,
                since or "the start",
            )

    def _walk(self, since: str | None) -> Generator[Records, None, bool]:
        """One walk from ``since``; True when the list changed and must be read on from the
        last emitted record: offsets shifted before a page, or records came after the plan."""
        walk = self.walk
        ahead, self._first = self._first, None
        # A page requested ahead is checked like any other: the pages after it must overlap
        # it and keep its total, else the list changed since and the walk reads it again.
        start, self.start = self.start, 0
        if start or ahead is None:
            first = walk.fetch(PageToken(start, since))
        else:
            first = wait_for(ahead, walk.progress)
        if start and not self._resumes(first):
            self.last_resume_failed = True
            return True  # the list shifted past the page resumed at: from the start
        self._count_page()
        if walk.counts_total:
            walk.progress.expect(first.total)
        yield self._fresh(first.items)
        self.boundary_at = start + len(first.items) - 1
        size = walk.pager.page_size
        if not first.items or (first.total is None and len(first.items) < size):
            return False
        boundary = walk.position(first.items[-1])
        latest_total = first.total
        tokens = walk.pager.after_first(since, first, start)
        pending: deque[Future[Page]] = deque()
        self._offsets.clear()
        try:
            self._fill(pending, tokens)
            while pending:
                page = self._next(pending)
                self._count_page()
                offset = self._offsets.popleft()
                if first.total is None and not page.items:
                    return False  # tolerated: no total, and this was the end
                if not page.items or walk.position(page.items[0]) != boundary:
                    return True  # something was created or deleted before this page
                yield self._fresh(page.items)
                self.boundary_at = offset + len(page.items) - 1
                boundary = walk.position(page.items[-1])
                latest_total = page.total
                if first.total is None and len(page.items) < size:
                    return False
                self._fill(pending, tokens)
        finally:
            for future in pending:
                future.cancel()
        # Offsets held; a changed total means records beyond the planned pages.
        return latest_total != first.total

    def _count_page(self) -> None:
        self._pages += 1
        if self._pages > self.walk.max_pages:
            msg = (
                f"Stream '{self.walk.name}': more than {self.walk.max_pages} pages (max_pages): "
                "the API's list never ends; stopped"
            )
            raise FatalAPIError(msg)

    def _resumes(self, first: Page) -> bool:
        """A walk resumed mid-list may go on when its first page holds the last record
        emitted (``RereadPageWalker``): what comes after it is what is left to read."""
        return True

    def _emitted_mark(self) -> object:
        """What changes when a walk emits a record: the last position emitted."""
        return self.last

    def _reread_since(self, since: str | None) -> str | None:
        """The lower bound of a re-read: the last emitted key, which the list is sorted on."""
        if self.last is not None and self.last.key:
            # Milliseconds, rounded down: a lower bound, the rest is skipped by position.
            return self.last.key[:23] + "Z"
        return since

    def _next(self, pending: deque[Future[Page]]) -> Page:
        started = time.monotonic()
        if self._returned_at is not None:  # what the emitter did with the last page
            self._emit_s = _ewma(self._emit_s, started - self._returned_at)
        page = wait_for(pending.popleft(), self.walk.progress)
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
        page = self.walk.fetch(token)
        self._fetch_s = _ewma(self._fetch_s, time.monotonic() - started)
        return page

    def _fill(self, pending: deque[Future[Page]], tokens: Iterator[PageToken]) -> None:
        # A window of pages in flight bounds memory, however long the list.
        while len(pending) < min(self.depth, self.window):
            token = next(tokens, None)
            if token is None:
                return
            pending.append(self.submit(self._timed_fetch, token))
            self._offsets.append(token.offset)

    def _fresh(self, items: Records) -> Records:
        """The records after the last emitted position (the overlap and re-read ones go).

        A page is sorted like the list, so the new records are a tail of it: only the few
        records up to the first new one, and the last, need their position computed.
        """
        start = 0
        if self.last is not None:
            while start < len(items) and self.walk.position(items[start]) <= self.last:
                start += 1
        fresh = items[start:] if start else items
        if fresh:
            self.last = self.walk.position(fresh[-1])
        self.walk.progress.advance(len(fresh))
        return fresh


def first_depth(window: int, page_size: int) -> int:
    """Pages in flight before a fetch and an emit are timed: ``FIRST_RECORDS`` records' worth
    (``FIRST_DEPTH`` pages at most, ``MIN_DEPTH`` at least), within the window."""
    pages = max(MIN_DEPTH, min(FIRST_DEPTH, FIRST_RECORDS // max(page_size, 1)))
    return max(1, min(window, pages))


def pages_in_flight(fetch_s: float, emit_s: float, window: int) -> int:
    """The pages to keep in flight so that one is ready each time the emitter wants one."""
    return max(MIN_DEPTH, min(window, math.ceil(fetch_s / emit_s) + 1))


def _ewma(average: float | None, sample: float) -> float:
    return sample if average is None else 0.8 * average + 0.2 * sample


class RereadPageWalker(PageWalker):
    """Walks a list that has no filter to re-read from, in whatever order the API keeps.

    The overlap check is the same (``PageWalker``): each page after the first must start
    with the record the previous page ended with, and ``total`` must not change, else the
    list changed under the walk. Whether a record was created before the boundary (offsets
    shift up: a page would repeat a record) or deleted (offsets shift down: a record would
    be skipped), the walk reads the list again from around the last record it emitted, found
    again in the resumed page (else from the start). Records are emitted once per
    run by id (``seen``), whatever pass reads them; a record that exists for the whole run is
    in the first pass that sees no change, so none is lost. A list that changes under every
    pass ends the sync (``Walk.max_rewalks``) rather than emit an incomplete read.
    """

    def __init__(
        self,
        walk: Walk,
        submit: Callable[..., Future[Page]],
        window: int | Callable[[], int],
        id_of: Callable[[dict[str, Any]], str],
    ) -> None:
        super().__init__(walk, submit, window)
        self.id_of = id_of
        self.seen: set[str] = set()

    @override
    def _emitted_mark(self) -> object:
        return len(self.seen)  # every pass ends at the list's end: count the ids instead

    @override
    def _reread_since(self, since: str | None) -> str | None:
        """No filter: the re-read resumes around where the last emitted record was read (half
        a page before it), so a record created or deleted ahead of it moves it a few places
        and the walk goes on from it; if it moved further (``_resumes``), from the start.
        ``seen`` skips what was emitted either way."""
        if self.last is not None and not self.last_resume_failed:
            self.start = max(0, self.boundary_at - self.walk.pager.page_size // 2)
        self.last_resume_failed = False
        return None

    @override
    def _resumes(self, first: Page) -> bool:
        if self.last is None:
            return True
        return any(self.walk.position(item) == self.last for item in first.items)

    @override
    def _fresh(self, items: Records) -> Records:
        fresh = []
        for item in items:
            record_id = self.id_of(item)
            if record_id not in self.seen:
                self.seen.add(record_id)
                fresh.append(item)
        if items:
            self.last = self.walk.position(items[-1])
        self.walk.progress.advance(len(fresh))
        return fresh
