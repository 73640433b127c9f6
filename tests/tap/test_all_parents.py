"""children: all_parents: links and files of old assets follow every run, removals too."""

from __future__ import annotations

import time
from typing import Any

from lexful_api import LexfulClient, contract
from tests.lexful import create_asset, create_organizations, upload_file
from tests.tap.helpers import sync, tap_config

CONTACT = "system.contact"


def _loaded(messages: list[dict[str, Any]], stream: str) -> list[dict[str, Any]]:
    """What a loader honouring ACTIVATE_VERSION holds after these messages: the records of
    the last version activated (Singer's full-table replace)."""
    table: list[tuple[int | None, dict[str, Any]]] = []
    for message in messages:
        if message.get("stream") != stream:
            continue
        if message["type"] == "RECORD":
            table.append((message.get("version"), message["record"]))
        elif message["type"] == "ACTIVATE_VERSION":
            table = [row for row in table if row[0] == message["version"]]
    return [record for _, record in table]


def _links(records: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(r["asset_id"], r["related_asset_id"]) for r in records}


def _files(records: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(r["asset_id"], r["name"]) for r in records}


def _contacts(client: Any, count: int) -> list[dict[str, Any]]:
    org = create_organizations(client, 1)[0]
    return [
        create_asset(client, CONTACT, org["id"], first_name=f"P{i}", last_name="L", important=False)
        for i in range(count)
    ]


def _link(client: Any, source: dict[str, Any], target: dict[str, Any]) -> None:
    body = [{"asset_id": target["id"], "description": "works with"}]
    client.send_json("PUT", contract.related_path(CONTACT, source["id"]), body)


def test_links_and_files_of_old_assets_follow_every_run(
    empty_account: dict[str, Any], client: LexfulClient
) -> None:
    a, b, c = _contacts(client, 3)
    _link(client, a, b)
    old_file = upload_file(client, CONTACT, a["id"], "old.txt", b"old\n")
    old_file = old_file.get("file", old_file)
    config = tap_config(empty_account, children="all_parents")
    run1 = sync(config)
    history = list(run1.messages)
    assert _links(_loaded(history, "related_assets")) == {(a["id"], b["id"])}
    assert _files(_loaded(history, "files")) == {(a["id"], "old")}

    # After the first run, on assets it already emitted: one link and one file added, one
    # link and one file removed.
    _link(client, b, c)
    upload_file(client, CONTACT, c["id"], "new.txt", b"new\n")
    client.request("DELETE", contract.related_path(CONTACT, a["id"], b["id"]))
    client.request("DELETE", contract.files_path(CONTACT, a["id"], old_file["id"]))
    time.sleep(1.01)  # the SDK's version is the run's start in seconds: a later second
    run2 = sync(config, state=run1.state)

    assert run2.records(CONTACT.replace(".", "_")) == []  # the parents are not read again
    history += run2.messages
    assert _links(_loaded(history, "related_assets")) == {(b["id"], c["id"])}
    assert _files(_loaded(history, "files")) == {(c["id"], "new")}
    versions = [m["version"] for m in run2.messages if m["type"] == "ACTIVATE_VERSION"]
    assert versions
    for stream in ("related_assets", "files"):
        mine = [m for m in run2.messages if m.get("stream") == stream and m["type"] != "SCHEMA"]
        assert {m.get("version") for m in mine} == {versions[0]}
        # Also after the last record: the set is whole (a pass cut short never says so).
        assert mine[0]["type"] == mine[-1]["type"] == "ACTIVATE_VERSION"


def test_new_parents_reads_no_children_of_old_assets(
    demo_sandbox, empty_account: dict[str, Any], client: LexfulClient
) -> None:
    a, b = _contacts(client, 2)
    config = tap_config(empty_account)  # children: new_parents, the default
    run1 = sync(config)
    _link(client, a, b)
    before = demo_sandbox.stats()["requests"]
    run2 = sync(config, state=run1.state)
    sent = demo_sandbox.stats()["requests"] - before
    assert run2.records("related_assets") == []  # the cost of the fast mode: not seen
    assert not [m for m in run2.messages if m["type"] == "ACTIVATE_VERSION"]
    # No request per asset: the token, the asset types, one list page per stream, and one
    # page of the deletes pass per incremental stream (organizations, users, 4 asset types).
    assert sent < 15 + 6
