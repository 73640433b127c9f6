"""The emails stream (bodies on request), meetings from their definitions, members typed as
documented, and a key without the restore scopes: one warning per stream, the run goes on."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from lightfield_sandbox import Sandbox, running_sandbox
from tests.tap_lightfield.helpers import Reader, sync, tap_config


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
