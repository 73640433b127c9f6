"""Issue 25, finding 2: a link made or removed from the other side moves no ``updatedAt`` on
this side, yet the record is sent again with its new relationships; records whose links did
not change are not (incremental runs stay incremental)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from lightfield_api import contract
from lightfield_sandbox import Sandbox, running_sandbox
from tap_lightfield.links import STATE_KEY
from tests.lightfield.tap.helpers import Output, Reader, flattened, sync, tap_config


@pytest.fixture
def demo() -> Iterator[Sandbox]:
    with running_sandbox(seed="demo") as sandbox:
        yield sandbox


def _post(reader: Reader, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = requests.post(reader.url + path, json=body, headers=reader.headers, timeout=30)
    answer.raise_for_status()
    result: dict[str, Any] = answer.json()
    return result


def _live(output: Output, stream: str) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in output.records(stream) if r.get("_sdc_deleted_at") is None}


def test_links_changed_from_the_other_side_reach_the_next_run(demo: Sandbox) -> None:
    config = tap_config(demo.config)
    first = sync(config)
    reader = Reader(demo.config)
    accounts = [r["id"] for r in first.records("accounts")]
    linked = [c for c in first.records("contacts") if c["relationships"]["$account"]]
    moved, linked_from_account = linked[0], linked[1]
    old = moved["relationships"]["$account"][0]
    others = [
        a
        for a in accounts
        if a != old and a not in linked_from_account["relationships"]["$account"]
    ]
    new, linker, noted = others[0], others[1], others[2]

    # From the contact's side: the contact moves from `old` to `new` (the accounts' $contact
    # change, their updatedAt stays).
    _post(
        reader,
        contract.collection_path("contacts", moved["id"]),
        {"relationships": {"$account": {"replace": new}}},
    )
    # From the account's side: `linker` gains a contact (the contact's $account changes).
    contact_id = linked_from_account["id"]
    _post(
        reader,
        contract.collection_path("accounts", linker),
        {"relationships": {"$contact": {"add": [contact_id]}}},
    )
    # A note on an account: the account's $note changes.
    note = _post(
        reader,
        contract.collection_path("notes"),
        {"fields": {"$title": "Call"}, "relationships": {"$account": [noted]}},
    )

    second = sync(config, state=first.state)
    sent = _live(second, "accounts")
    assert set(sent) == {old, new, linker, noted}, "not exactly the accounts whose links changed"
    assert set(_live(second, "contacts")) == {moved["id"], contact_id}
    assert set(_live(second, "notes")) == {note["id"]}
    for stream, records in (("accounts", sent), ("contacts", _live(second, "contacts"))):
        for record_id, record in records.items():
            now = flattened(reader.get(contract.collection_path(stream, record_id)))
            assert record["relationships"] == now["relationships"], f"{stream} {record_id}"
    assert moved["id"] not in sent[old]["relationships"]["$contact"]
    assert moved["id"] in sent[new]["relationships"]["$contact"]
    assert note["id"] in sent[noted]["relationships"]["$note"]

    third = sync(config, state=second.state)
    assert third.records("accounts") == [], "accounts sent again with nothing changed"
    assert third.records("contacts") == []


def test_without_a_recorded_set_records_are_sent_by_their_timestamp(demo: Sandbox) -> None:
    """State written before links were tracked: no flood of records, the set is recorded."""
    config = tap_config(demo.config)
    first = sync(config)
    state = first.state
    for bookmark in state["bookmarks"].values():
        bookmark.pop(STATE_KEY, None)
    second = sync(config, state=state)
    assert second.records("accounts") == []
    assert STATE_KEY in second.state["bookmarks"]["accounts"]
