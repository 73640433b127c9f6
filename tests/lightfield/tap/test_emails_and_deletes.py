"""The emails stream (bodies on request), meetings from their definitions, members typed as
documented, and a key without the restore scopes: one warning per stream, the run goes on."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import pytest

from lightfield_sandbox import Sandbox, running_sandbox
from lightfield_sandbox.resources import entities
from lightfield_sandbox.resources.actor import Actor
from lightfield_sandbox.resources.definitions import BUILT_IN
from tests.lightfield.tap.helpers import Reader, sync, tap_config


@pytest.fixture(scope="module")
def demo() -> Iterator[Sandbox]:
    with running_sandbox(seed="demo") as sandbox:
        yield sandbox


def test_emails_without_then_with_their_bodies(demo: Sandbox) -> None:
    listed = Reader(demo.config).all("/v1/emails")
    plain = sync(tap_config(demo.config)).records("emails")
    assert sorted(r["id"] for r in plain) == sorted(e["id"] for e in listed)
    assert all(r["fields"].get("$body") is None for r in plain)
    full = sync(tap_config(demo.config, email_bodies=True)).records("emails")
    bodies = {r["id"]: r["fields"]["$body"] for r in full}
    for email in listed:
        one = Reader(demo.config).get(f"/v1/emails/{email['id']}")
        assert bodies[email["id"]] == one["fields"]["$body"]["value"]
    assert any(bodies.values())


def test_meetings_schema_from_definitions_and_members_typed(demo: Sandbox) -> None:
    output = sync(tap_config(demo.config))
    schemas = {m["stream"]: m["schema"] for m in output.messages if m["type"] == "SCHEMA"}
    definitions = Reader(demo.config).get("/v1/meetings/definitions")
    meeting_fields = schemas["meetings"]["properties"]["fields"]["properties"]
    assert set(meeting_fields) == set(definitions["fieldDefinitions"])
    member = output.records("members")[0]
    assert set(member["fields"]["$name"]) == {"firstName", "lastName"}
    assert member["relationships"]["$user"]


def test_a_key_without_restore_scopes_warns_once_per_stream(
    demo: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    reads = [
        "accounts",
        "contacts",
        "opportunities",
        "tasks",
        "notes",
        "meetings",
        "members",
        "files",
        "lists",
        "emails",
    ]
    key = demo.new_key((*(f"{r}:read" for r in reads), "custom_objects:read"))
    config = tap_config({"api_url": demo.config["api_url"], "api_key": key})
    with caplog.at_level(logging.WARNING):
        output = sync(config)
    assert len(output.ids("accounts")) == 8
    warned = [r.getMessage() for r in caplog.records if "restore scope" in r.getMessage()]
    assert len([w for w in warned if "accounts:restore" in w]) == 1
    assert len(warned) == 6  # accounts, contacts, opportunities, tasks, notes, meetings


def test_the_trash_is_asked_for_ahead_with_each_stream() -> None:
    """bench_lightfield: each type's trashed list is requested with its stream's first page,
    while the first (long) stream still pages, not one after the other once each stream ends
    (a round trip of idle budget each). Order only: the pool takes requests first in, first
    out, and every trashed list is queued before the accounts' last page is."""
    with running_sandbox(seed="demo") as sandbox:
        key = sandbox.store.key(sandbox.api_key)
        assert key is not None
        actor = Actor(sandbox.store, key.workspace_id, key.member_id)
        for n in range(40):
            entities.create(actor, BUILT_IN["account"], {"fields": {"$name": f"Many {n}"}})
        seen: list[tuple[str, str]] = []
        lock = threading.Lock()

        def note(method: str, path: str, query: dict[str, str]) -> None:
            with lock:
                seen.append((path, query.get("status", "active")))

        sandbox.add_hook(note)
        sync(tap_config(sandbox.config))
    accounts = [
        i
        for i, (path, status) in enumerate(seen)
        if (path, status)
        == (
            "/v1/accounts",
            "active",
        )
    ]
    trashed = [i for i, (_, status) in enumerate(seen) if status == "trashed"]
    assert len(accounts) > 10
    assert len(trashed) == 6
    assert max(trashed) < accounts[-1]
