"""children: all_parents: links and files of old assets follow every run, removals too."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest

from lexful_api import LexfulClient, contract
from tests.lexful.client import create_asset, create_organizations, upload_file
from tests.lexful.tap.helpers import discover, sync, tap_config

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


def _selecting(config: dict[str, Any], streams: set[str]) -> dict[str, Any]:
    catalog = discover(config)
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if not item["breadcrumb"]:
                item["metadata"]["selected"] = entry["tap_stream_id"] in streams
    return catalog


def test_a_pass_over_some_organizations_sends_no_version(
    empty_account: dict[str, Any], client: LexfulClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Split by organization_ids, a pass is part of the table: no ACTIVATE_VERSION, so a
    loader keeps the other organizations' links and files."""
    a, b = _contacts(client, 2), _contacts(client, 2)
    _link(client, a[0], a[1])
    _link(client, b[0], b[1])
    upload_file(client, CONTACT, b[0]["id"], "b.txt", b"b\n")
    config = tap_config(empty_account, children="all_parents")
    history = list(sync(config).messages)
    everything = {(a[0]["id"], a[1]["id"]), (b[0]["id"], b[1]["id"])}
    assert _links(_loaded(history, "related_assets")) == everything

    organization = a[0]["organization_id"]
    with caplog.at_level(logging.WARNING):
        run = sync({**config, "organization_ids": [organization]})
    assert _links(run.records("related_assets")) == {(a[0]["id"], a[1]["id"])}
    assert not [m for m in run.messages if m["type"] == "ACTIVATE_VERSION"]
    history += run.messages
    assert _links(_loaded(history, "related_assets")) == everything
    assert _files(_loaded(history, "files")) == {(b[0]["id"], "b")}
    said = [r.getMessage() for r in caplog.records if "not the full set" in r.getMessage()]
    assert len(said) == 2  # one line for each stream
    assert "organization_ids names 1 organization" in said[0]

    # asset_types leaving types out: part of the table too.
    run = sync({**config, "asset_types": [CONTACT]})
    assert _links(run.records("related_assets")) == everything
    assert not [m for m in run.messages if m["type"] == "ACTIVATE_VERSION"]
    assert any("asset_types leaves out" in r.getMessage() for r in caplog.records)


def test_a_pass_with_some_asset_streams_selected_still_reads_every_asset(
    empty_account: dict[str, Any], client: LexfulClient
) -> None:
    """The parents' selection does not narrow the pass: every asset type's children come,
    and the set is whole."""
    a, b = _contacts(client, 2)
    _link(client, a, b)
    config = tap_config(empty_account, children="all_parents")
    location = create_asset(client, "system.location", a["organization_id"], name="site")
    run = sync(config, catalog=_selecting(config, {"system_location", "related_assets"}))
    assert [r["id"] for r in run.records("system_location")] == [location["id"]]
    assert _links(_loaded(run.messages, "related_assets")) == {(a["id"], b["id"])}
    assert [m["type"] for m in run.messages if m.get("stream") == "related_assets"][-1] == (
        "ACTIVATE_VERSION"
    )
