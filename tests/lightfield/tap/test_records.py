"""Every stream's records are the sandbox's records; a second run emits only what changed."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from lightfield_sandbox import Sandbox, running_sandbox
from tap_lightfield.schemas import MODIFIED_AT
from tests.lightfield.tap.helpers import (
    ENTITY_STREAMS,
    Reader,
    doubled,
    flattened,
    sync,
    tap_config,
)

PLAIN_STREAMS = (*ENTITY_STREAMS, "members", "files", "lists", "project")


@pytest.fixture
def demo() -> Sandbox:
    with running_sandbox(seed="demo") as sandbox:
        yield sandbox


def _path(stream: str) -> str:
    return "/v1/objects/project" if stream == "project" else f"/v1/{stream}"


def _emitted(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != MODIFIED_AT}


def test_every_stream_equals_the_sandbox(demo: Sandbox) -> None:
    output = sync(tap_config(demo.config))
    reader = Reader(demo.config)
    for stream in PLAIN_STREAMS:
        records = output.records(stream)
        assert not doubled([r["id"] for r in records]), stream
        expected = {r["id"]: flattened(r) for r in reader.all(_path(stream))}
        assert expected, stream
        assert {r["id"]: _emitted(r) for r in records} == expected, stream
    emitted = output.records("list_members")
    members = {(m["list_id"], m["record_id"], m["object_type"]) for m in emitted}
    wanted = set()
    for item in reader.all("/v1/lists"):
        kind = item["fields"]["$objectType"]["value"]
        collection = {"account": "accounts", "contact": "contacts", "opportunity": "opportunities"}
        for member in reader.all(f"/v1/lists/{item['id']}/{collection[kind]}"):
            wanted.add((item["id"], member["id"], kind))
    assert wanted
    assert members == wanted
    assert len(emitted) == len(wanted)


def test_a_second_run_emits_only_what_changed(demo: Sandbox) -> None:
    config = tap_config(demo.config)
    first = sync(config)
    assert len(first.ids("accounts")) == 8
    reader = Reader(demo.config)
    api = demo.config["api_url"] + "/v1"
    headers = {"Authorization": f"Bearer {demo.api_key}", "Lightfield-Version": "2026-03-01"}

    made = requests.post(
        f"{api}/accounts", json={"fields": {"$name": "Newco"}}, headers=headers, timeout=10
    ).json()
    contact = first.ids("contacts")[0]
    changed = requests.post(
        f"{api}/contacts/{contact}", json={"fields": {"$title": "CTO"}}, headers=headers, timeout=10
    )
    assert changed.status_code == 200, changed.text
    note = first.ids("notes")[0]
    assert requests.delete(f"{api}/notes/{note}", headers=headers, timeout=10).status_code == 200

    second = sync(config, state=first.state)
    assert second.ids("accounts") == [made["id"]]
    assert second.ids("contacts") == [contact]
    assert second.records("contacts")[0]["fields"]["$title"] == "CTO"
    for stream in ("opportunities", "tasks", "meetings", "members", "files", "project"):
        assert second.ids(stream) == [], stream
    # The note deleted in between comes once more, as a delete (read from the trash).
    [trashed] = second.records("notes")
    assert trashed["id"] == note
    bookmark = first.state["bookmarks"]["notes"]["replication_key_value"]
    assert trashed["_sdc_deleted_at"] == trashed["modifiedAt"] > bookmark
    third = sync(config, state=second.state)
    assert third.ids("notes") == []  # reported once
    # Lists have no updatedAt: read in full every run.
    assert sorted(second.ids("lists")) == sorted(r["id"] for r in reader.all("/v1/lists"))
