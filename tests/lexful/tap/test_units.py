"""The small pure pieces: timestamp keys, page plans, filter values, schema mapping."""

from __future__ import annotations

import logging
import threading
from collections import deque
from concurrent.futures import Future
from typing import Any

from singer_sdk import typing as th

from connector_core.tap import (
    OverlapPager,
    Page,
    PageToken,
    PageWalker,
    Position,
    Progress,
    Walk,
    pages_in_flight,
    run_now,
)
from lexful_api.contract import filter_value
from lexful_api.contract import sortable_timestamp as sort_key
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


def test_unknown_property_type_is_kept_as_json_text() -> None:
    properties = asset_type_properties(
        {"name": "x", "properties": [{"name": "future", "type": "hologram", "enum": ["a"]}]}
    )
    schema = th.PropertiesList(*properties).to_dict()
    # Never dropped, and one type a loader can store: the value's JSON text.
    assert schema["properties"]["future"] == {
        "type": ["string", "null"],
        "contentMediaType": "application/json",
    }


def test_pages_in_flight_cover_a_fetch_while_pages_are_emitted() -> None:
    # A slow API (50 ms a page, 5 ms to emit one): the whole window, however many pages
    # happen to be ready at once.
    assert pages_in_flight(fetch_s=0.050, emit_s=0.005, window=8) == 8
    # A fast API: the emitter is the slower side; two pages in flight keep it fed.
    assert pages_in_flight(fetch_s=0.002, emit_s=0.005, window=8) == 2
    assert pages_in_flight(fetch_s=0.012, emit_s=0.005, window=8) == 4


def test_a_wait_for_a_page_is_not_counted_as_emitting() -> None:
    """A starved emitter must not look slow: only its own time between pages counts."""
    walker = PageWalker(_walk_of([]), submit=_unused, window=8)
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


def _walk_of(rows: list[dict[str, Any]], page_size: int = 4) -> Walk:
    """A walk over ``rows`` (kept sorted by created_at, id), read with offsets like the API."""

    def fetch(token: PageToken) -> Page:
        live = [r for r in rows if not token.since or r["created_at"] >= token.since]
        return Page(live[token.offset : token.offset + page_size], len(live))

    return Walk(
        fetch=fetch,
        position=lambda r: Position(sort_key(r["created_at"]), r["id"]),
        pager=OverlapPager(page_size),
        progress=Progress(logging.getLogger("test"), "s"),
        logger=logging.getLogger("test"),
        name="s",
    )


def _row(n: int) -> dict[str, Any]:
    return {"id": f"{n:04d}", "created_at": f"2024-01-01T00:00:{n // 10:02d}.000Z"}


def test_a_walk_starts_with_a_few_hundred_records_in_flight_not_eight_big_pages() -> None:
    """Before a fetch and an emit are timed: pages of 100 start 8 in flight, pages of 1000
    two (not 8,000 records parsed ahead of the emitter: memory); never more than the window."""
    assert PageWalker(_walk_of([], page_size=100), _unused, 64).depth == 8
    assert PageWalker(_walk_of([], page_size=1000), _unused, 64).depth == 2
    assert PageWalker(_walk_of([], page_size=250), _unused, 64).depth == 3
    assert PageWalker(_walk_of([], page_size=1000), run_now, 1).depth == 1


def test_a_walk_emits_every_record_once_in_order() -> None:
    rows = [_row(n) for n in range(23)]
    pages = list(PageWalker(_walk_of(rows), run_now, 1).pages())
    assert [r["id"] for page in pages for r in page] == [r["id"] for r in rows]


def test_a_list_that_changes_mid_walk_loses_and_doubles_nothing() -> None:
    rows = [_row(n) for n in range(30)]
    walker = PageWalker(_walk_of(rows), run_now, 1)
    seen: list[str] = []
    for number, page in enumerate(walker.pages()):
        seen += [r["id"] for r in page]
        if number == 1:  # mid-walk: an emitted record is deleted (offsets shift), one is new
            del rows[1]
            rows.append(_row(99))
    assert seen == sorted(set(seen))  # in order, each once
    assert set(seen) >= {r["id"] for r in rows}  # every record still there was emitted


def test_a_walk_after_a_position_skips_what_is_at_or_before_it() -> None:
    rows = [_row(n) for n in range(12)]  # ten share the first second
    walk = _walk_of(rows)
    walk.after = Position(sort_key(rows[4]["created_at"]), rows[4]["id"])
    walk.since = rows[4]["created_at"]
    pages = list(PageWalker(walk, run_now, 1).pages())
    assert [r["id"] for page in pages for r in page] == [r["id"] for r in rows[5:]]
