"""Issue 25: list memberships carry no timestamp, so they are read in full under
ACTIVATE_VERSION every run: a membership removed is gone for a loader that honours it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from lightfield_api import contract
from lightfield_sandbox import Sandbox, running_sandbox
from tests.lightfield.tap.helpers import Output, Reader, sync, tap_config


@pytest.fixture
def demo() -> Iterator[Sandbox]:
    with running_sandbox(seed="demo") as sandbox:
        yield sandbox


def _memberships(output: Output) -> tuple[set[int], set[tuple[str, str]]]:
    """The versions ACTIVATE_VERSION announced for list_members, and the memberships sent
    under them."""
    versions = {
        int(m["version"])
        for m in output.messages
        if m["type"] == "ACTIVATE_VERSION" and m["stream"] == "list_members"
    }
    rows = {
        (m["record"]["list_id"], m["record"]["record_id"])
        for m in output.messages
        if m["type"] == "RECORD" and m["stream"] == "list_members" and m.get("version") in versions
    }
    return versions, rows


def test_a_removed_list_membership_is_not_in_the_next_full_set(demo: Sandbox) -> None:
    config = tap_config(demo.config)
    first = sync(config)
    versions, rows = _memberships(first)
    assert len(versions) == 1, "list_members is not sent under one ACTIVATE_VERSION"
    assert rows == {(r["list_id"], r["record_id"]) for r in first.records("list_members")}
    list_id, record_id = sorted(rows)[0]

    reader = Reader(demo.config)
    kind = next(x for x in first.records("list_members") if x["record_id"] == record_id)
    relationship = contract.LIST_RELATIONSHIP[str(kind["object_type"])]
    answer = requests.post(
        f"{reader.url}{contract.collection_path('lists', list_id)}",
        json={"relationships": {relationship: {"remove": [record_id]}}},
        headers=reader.headers,
        timeout=30,
    )
    answer.raise_for_status()

    second = sync(config, state=first.state)
    versions, again = _memberships(second)
    assert len(versions) == 1
    assert again == rows - {(list_id, record_id)}
    lists = {m["stream"] for m in second.messages if m["type"] == "ACTIVATE_VERSION"}
    assert "lists" in lists


def test_a_cancelled_upload_reaches_the_next_run(demo: Sandbox) -> None:
    reader = Reader(demo.config)
    body = {
        "filename": "draft.txt",
        "mimeType": "text/plain",
        "sizeBytes": 5,
        "purpose": "knowledge_user",
    }
    answer = requests.post(
        f"{reader.url}{contract.file_path()}", json=body, headers=reader.headers, timeout=30
    )
    answer.raise_for_status()
    file_id = answer.json()["id"]
    config = tap_config(demo.config)
    first = sync(config)
    assert [r["status"] for r in first.records("files") if r["id"] == file_id] == ["PENDING"]

    cancel = f"{reader.url}{contract.file_path(file_id, 'cancel')}"
    requests.post(cancel, headers=reader.headers, timeout=30).raise_for_status()
    second = sync(config, state=first.state)
    assert [r["status"] for r in second.records("files") if r["id"] == file_id] == ["CANCELLED"]
    completed = [r for r in second.records("files") if r["status"] == "COMPLETED"]
    assert completed == [], "an unchanged COMPLETED file was sent again"
