"""The core's page walkers, offline: a list held in memory, changed between page requests.

Whatever is created or deleted while a walk pages, every record that exists for the whole walk
is emitted, and none twice (``PageWalker``: Lexful's sorted lists; ``RereadPageWalker``:
Lightfield's lists with no filter to re-read from).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from singer_sdk.exceptions import FatalAPIError

from connector_core.tap.paging import (
    OverlapPager,
    Page,
    PageToken,
    PageWalker,
    Position,
    RereadPageWalker,
    Walk,
)
from connector_core.tap.runtime import Progress, run_now

LOGGER = logging.getLogger("test-walkers")
SIZE = 10


class MemoryList:
    """A list API over records ``{"id", "key"}``: sorted by (key, id), offset pages, a total,
    and ``key[gte]`` when ``sorted``; ``on_fetch`` may change the list before each answer."""

    def __init__(self, count: int, *, sorted_by_key: bool = True) -> None:
        self.records = [{"id": f"r{n:04d}", "key": f"{n:04d}"} for n in range(count)]
        self.sorted_by_key = sorted_by_key
        self.fetches = 0
        self.on_fetch: Callable[[int], None] = lambda _n: None

    def fetch(self, token: PageToken) -> Page:
        self.fetches += 1
        self.on_fetch(self.fetches)
        items = self.records
        if self.sorted_by_key:
            items = sorted(items, key=lambda r: (r["key"], r["id"]))
            if token.since is not None:
                items = [r for r in items if r["key"] >= token.since]
        return Page([dict(r) for r in items[token.offset : token.offset + SIZE]], len(items))


def position(record: dict[str, Any]) -> Position:
    return Position(record["key"], record["id"])


def walk_of(source: MemoryList, **extra: Any) -> Walk:
    return Walk(
        fetch=source.fetch,
        position=position,
        pager=OverlapPager(SIZE),
        progress=Progress(LOGGER, "things"),
        logger=LOGGER,
        name="things",
        **extra,
    )


def emitted(walker: PageWalker) -> list[str]:
    return [r["id"] for page in walker.pages() for r in page]


def test_an_unchanging_list_is_emitted_once_in_order() -> None:
    source = MemoryList(95)
    ids = emitted(PageWalker(walk_of(source), run_now, window=4))
    assert ids == [r["id"] for r in source.records]


def test_records_created_after_the_walk_began_never_cost_one_that_was_there() -> None:
    source = MemoryList(95)
    there = {r["id"] for r in source.records}

    def create(n: int) -> None:
        if n in (3, 5):  # new records sort last: offsets hold, the total changes
            source.records.append({"id": f"new{n}", "key": f"9{n:03d}"})

    source.on_fetch = create
    ids = emitted(PageWalker(walk_of(source), run_now, window=1))
    assert len(ids) == len(set(ids))
    assert there <= set(ids)


def test_a_delete_before_the_boundary_makes_the_walk_read_on_from_its_last_key() -> None:
    source = MemoryList(95)

    def delete(n: int) -> None:
        if n == 4:
            del source.records[2]  # every later offset shifts down by one

    source.on_fetch = delete
    ids = emitted(PageWalker(walk_of(source), run_now, window=1))
    assert len(ids) == len(set(ids))
    assert {r["id"] for r in source.records} <= set(ids)


@pytest.mark.parametrize("change", ["create-first", "delete-first"])
def test_the_reread_walker_loses_nothing_and_doubles_nothing(change: str) -> None:
    source = MemoryList(95, sorted_by_key=False)
    kept = {r["id"] for r in source.records}

    def mutate(n: int) -> None:
        if n in (3, 6):
            if change == "create-first":
                source.records.insert(0, {"id": f"new{n}", "key": ""})
            else:
                gone = source.records.pop(1)
                kept.discard(gone["id"])

    source.on_fetch = mutate
    walker = RereadPageWalker(walk_of(source), run_now, window=1, id_of=lambda r: r["id"])
    ids = emitted(walker)
    assert len(ids) == len(set(ids))
    assert kept <= set(ids)


def test_a_reread_resumes_near_where_it_was_not_from_the_start() -> None:
    source = MemoryList(200, sorted_by_key=False)
    source.on_fetch = lambda n: (
        source.records.insert(0, {"id": "new", "key": ""}) if n == 15 else None
    )
    there = {r["id"] for r in source.records}
    walker = RereadPageWalker(walk_of(source), run_now, window=1, id_of=lambda r: r["id"])
    ids = emitted(walker)
    # The record created mid-walk may wait for the next run (the tap's signpost keeps its
    # bookmark before the run began); every record there all along comes once.
    assert len(ids) == len(set(ids))
    assert there <= set(ids)
    # 23 pages a pass (steps of 9); a pass from the start would take about 45 fetches.
    assert source.fetches < 30


def test_a_list_that_changes_under_every_pass_ends_the_sync() -> None:
    source = MemoryList(50, sorted_by_key=False)
    counter = iter(range(10**6))
    source.on_fetch = lambda _n: source.records.insert(0, {"id": f"x{next(counter)}", "key": ""})
    walker = RereadPageWalker(
        walk_of(source, max_rewalks=5), run_now, window=1, id_of=lambda r: r["id"]
    )
    with pytest.raises(FatalAPIError, match="kept changing"):
        emitted(walker)


def test_a_total_that_never_ends_stops_at_max_pages() -> None:
    source = MemoryList(20)
    endless = lambda token: Page(  # noqa: E731
        [{"id": f"r{token.offset + i:06d}", "key": f"{token.offset + i:06d}"} for i in range(SIZE)],
        10**9,
    )
    walk = walk_of(source, max_pages=7)
    walk.fetch = endless
    with pytest.raises(FatalAPIError, match="more than 7 pages"):
        emitted(PageWalker(walk, run_now, window=1))
