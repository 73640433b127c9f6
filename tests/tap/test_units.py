"""The small pure pieces: timestamp keys, page plans, filter values, schema mapping."""

from __future__ import annotations

import logging
import threading
from collections import deque
from concurrent.futures import Future
from types import SimpleNamespace

from singer_sdk import typing as th

from tap_lexful.client import (
    OverlapPager,
    Page,
    PageToken,
    PageWalker,
    Position,
    Progress,
    filter_value,
    pages_in_flight,
    sort_key,
)
from tap_lexful.schemas import asset_type_properties


def test_sort_keys_order_moments_whatever_the_format() -> None:
    stamps = [
        "2024-01-15T10:30:00Z",
        "2024-01-15T10:30:00.000500+00:00",
        "2024-01-15T10:30:00.001Z",
        "2024-01-15T11:30:00.002+01:00",
        "2024-01-15T10:30:01.000Z",
    ]
    keys = [sort_key(s) for s in stamps]
    assert keys == sorted(keys)
    assert keys[3] == "2024-01-15T10:30:00.002000Z"
    assert sort_key(None) < sort_key("1970-01-01T00:00:00.000Z")
    assert Position(keys[0], "b") > Position(keys[0], "a")


def test_pages_overlap_by_one_record() -> None:
    pager = OverlapPager(10)
    first = Page(items=[{}] * 10, total=30)
    offsets = [t.offset for t in pager.after_first("2024-01-01", first)]
    assert offsets == [9, 18, 27]  # each page starts on the last record of the one before
    assert all(t.since == "2024-01-01" for t in pager.after_first("2024-01-01", first))
    assert list(pager.after_first(None, Page(items=[{}] * 10, total=10))) == []


def test_pager_follows_a_server_that_serves_smaller_pages() -> None:
    pager = OverlapPager(100)
    offsets = [t.offset for t in pager.after_first(None, Page(items=[{}] * 20, total=50))]
    assert offsets == [19, 38]


def test_pager_without_total_goes_on() -> None:
    tokens = OverlapPager(5).after_first(None, Page(items=[{}] * 5, total=None))
    assert [next(tokens) for _ in range(3)] == [
        PageToken(4, None),
        PageToken(8, None),
        PageToken(12, None),
    ]


def test_filter_values() -> None:
    assert filter_value(True) == "true"
    assert filter_value(["a", "b"]) == "a,b"
    assert filter_value(3) == "3"


def test_unknown_property_type_is_kept_as_any() -> None:
    properties = asset_type_properties(
        {"name": "x", "properties": [{"name": "future", "type": "hologram"}]}
    )
    schema = th.PropertiesList(*properties).to_dict()
    assert schema["properties"]["future"] == {}  # any JSON value: typed later, never dropped


def test_pages_in_flight_cover_a_fetch_while_pages_are_emitted() -> None:
    # A slow API (50 ms a page, 5 ms to emit one): the whole window, however many pages
    # happen to be ready at once.
    assert pages_in_flight(fetch_s=0.050, emit_s=0.005, window=8) == 8
    # A fast API: the emitter is the slower side; two pages in flight keep it fed.
    assert pages_in_flight(fetch_s=0.002, emit_s=0.005, window=8) == 2
    assert pages_in_flight(fetch_s=0.012, emit_s=0.005, window=8) == 4


def test_a_wait_for_a_page_is_not_counted_as_emitting() -> None:
    """A starved emitter must not look slow: only its own time between pages counts."""
    stream = SimpleNamespace(
        progress=Progress(logging.getLogger("test"), "s"), resume_position=lambda _context: None
    )
    walker = PageWalker(stream, None, submit=_unused, window=8)  # type: ignore[arg-type]
    walker._fetch_s = 0.05
    late: Future[Page] = Future()
    threading.Timer(0.2, late.set_result, [Page([], 0)]).start()
    walker._next(deque([late]))  # waited 0.2 s
    ready: Future[Page] = Future()
    ready.set_result(Page([], 0))
    walker._next(deque([ready]))
    assert walker._emit_s is not None
    assert walker._emit_s < 0.1  # the 0.2 s wait is not in it
    assert walker.depth == 8


def _unused(*args: object) -> Future[Page]:
    raise AssertionError
