"""Faults while the tap reads: 429 storms at 25/s, 5xx, dropped connections, index lag, and
records created and deleted while it pages. Each run: 0 lost, 0 doubled."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from lightfield_sandbox import Sandbox, running_sandbox
from lightfield_sandbox.resources import entities
from lightfield_sandbox.resources.actor import Actor
from lightfield_sandbox.resources.definitions import BUILT_IN
from tests.lightfield.tap.helpers import Output, Reader, doubled, sync, tap_config

STREAMS = ("accounts", "contacts", "opportunities", "tasks", "notes", "meetings", "members")
STREAMS += ("files", "lists", "project")


@pytest.fixture
def demo() -> Iterator[Sandbox]:
    with running_sandbox(seed="demo") as sandbox:
        yield sandbox


def _path(stream: str) -> str:
    return "/v1/objects/project" if stream == "project" else f"/v1/{stream}"


def _all_ids(sandbox: Sandbox) -> dict[str, set[str]]:
    reader = Reader(sandbox.config)
    return {stream: {r["id"] for r in reader.all(_path(stream))} for stream in STREAMS}


def _assert_complete(output: Output, expected: dict[str, set[str]]) -> None:
    for stream, ids in expected.items():
        emitted = output.ids(stream)
        assert doubled(emitted) == [], stream
        assert set(emitted) == ids, stream


def test_429_storm_at_25_per_second(demo: Sandbox) -> None:
    expected = _all_ids(demo)
    # The sandbox's clock stands still until the storm has begun (however slow this machine
    # is, the 26th request of the second is refused), then runs on at 25/s.
    demo.freeze_clock(time.time())
    demo.set_faults(rate_limit=25)

    def thaw(method: str, path: str, query: dict[str, str]) -> None:
        if demo.stats()["by_status"].get(429, 0) >= 3:
            demo.freeze_clock(None)

    demo.add_hook(thaw)
    # Unpaced and concurrent: the tap meets the limit and must wait out every 429.
    output = sync(tap_config(demo.config, max_requests_per_second=1000, max_concurrency=8))
    assert demo.stats()["by_status"].get(429, 0) >= 3
    _assert_complete(output, expected)


def test_5xx_errors_are_retried(demo: Sandbox) -> None:
    expected = _all_ids(demo)
    demo.set_faults(error_rate=0.3)
    output = sync(tap_config(demo.config))
    by_status = demo.stats()["by_status"]
    assert sum(by_status.get(s, 0) for s in (500, 502, 503)) > 0
    _assert_complete(output, expected)


def test_dropped_connections_are_retried(demo: Sandbox) -> None:
    expected = _all_ids(demo)
    demo.set_faults(drop_rate=0.2)
    output = sync(tap_config(demo.config))
    assert demo.stats()["dropped"] > 0
    _assert_complete(output, expected)


def _account(sandbox: Sandbox, name: str) -> dict[str, Any]:
    key = sandbox.store.key(sandbox.api_key)
    assert key is not None
    actor = Actor(sandbox.store, key.workspace_id, key.member_id)
    return entities.create(actor, BUILT_IN["account"], {"fields": {"$name": name}})


def _delete(sandbox: Sandbox, record_id: str) -> None:
    key = sandbox.store.key(sandbox.api_key)
    assert key is not None
    actor = Actor(sandbox.store, key.workspace_id, key.member_id)
    entities.delete(actor, BUILT_IN["account"], record_id)


def test_index_lag_loses_nothing_across_runs(demo: Sandbox) -> None:
    seeded = max(
        datetime.fromisoformat(r["createdAt"].replace("Z", "+00:00")).timestamp()
        for r in Reader(demo.config).all("/v1/accounts")
    )
    # The index shows writes 0.2 s late; the sandbox's clock stands 0.5 s after the seed, so
    # the seed is listed and what is written now is not, until the clock moves on.
    demo.freeze_clock(seeded + 0.5)
    demo.set_faults(index_lag_ms=200)
    hidden = {_account(demo, f"Lagging {i}")["id"] for i in range(3)}
    time.sleep(1.0)  # the tap's own clock is now past those writes
    config = tap_config(demo.config)
    first = sync(config)
    assert hidden.isdisjoint(first.ids("accounts"))
    assert len(first.ids("accounts")) == 8
    demo.freeze_clock(seeded + 1.0)  # the index catches up
    second = sync(config, state=first.state)
    assert set(second.ids("accounts")) == hidden
    assert doubled(first.ids("accounts") + second.ids("accounts")) == []


def test_records_created_and_deleted_while_paging(demo: Sandbox) -> None:
    before = _all_ids(demo)["accounts"]
    newest_first = [r["id"] for r in Reader(demo.config).all("/v1/accounts")]
    armed = {"on": False, "pages": 0}
    created: list[str] = []
    deleted: list[str] = []

    def churn(method: str, path: str, query: dict[str, str]) -> None:
        if not armed["on"] or method != "GET" or path != "/v1/accounts" or "status" in query:
            return
        armed["pages"] += 1
        page = armed["pages"]
        if page in (2, 5):  # pushes every record one place down: a page would repeat one
            created.append(_account(demo, f"Mid-walk {page}")["id"])
        if page in (3, 6):  # pulls every record one place up: one would be skipped
            gone = newest_first[len(deleted)]  # among the first page's: already read
            _delete(demo, gone)
            deleted.append(gone)

    demo.add_hook(churn)
    armed["on"] = True
    output = sync(tap_config(demo.config, max_concurrency=2))
    armed["on"] = False
    records = output.records("accounts")
    emitted = [r["id"] for r in records if r.get("_sdc_deleted_at") is None]
    assert doubled(emitted) == []
    assert len(created) == 2
    assert len(deleted) == 2
    # Trashed during the run: read from the trash as deletes, this run or the next (the
    # trash is read as the stream starts; the bookmark stays before the run's start).
    trashed = [r["id"] for r in records if r.get("_sdc_deleted_at")]
    later = sync(tap_config(demo.config, max_concurrency=2), state=output.state)
    trashed += [r["id"] for r in later.records("accounts") if r.get("_sdc_deleted_at")]
    assert set(trashed) == set(deleted)
    after = _all_ids(demo)["accounts"]
    assert before & after <= set(emitted)  # everything there all along: not lost
    assert set(emitted) <= before | after | set(created)
