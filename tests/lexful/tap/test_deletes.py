"""Deletes reach the warehouse with the default settings: the deletes pass of each run."""

from __future__ import annotations

from typing import Any

from lexful_api import LexfulClient, contract
from tap_lexful.bookmarks import LAST_EMITTED
from tap_lexful.deletes import LAST_DELETED
from tests.lexful.client import create_asset, create_organizations
from tests.lexful.tap.helpers import sync, tap_config


def _deleted(run: Any, stream: str) -> list[dict[str, Any]]:
    return [r for r in run.records(stream) if r.get("_sdc_deleted_at")]


def test_what_is_deleted_after_a_sync_reaches_the_next_run_once(
    empty_account: dict[str, Any], client: LexfulClient
) -> None:
    orgs = create_organizations(client, 3)
    contact = create_asset(
        client, "system.contact", orgs[0]["id"], first_name="Gone", important=False
    )
    kept = create_asset(client, "system.contact", orgs[0]["id"], first_name="Kept", important=False)
    user = client.send_json(
        "POST",
        contract.users_path(),
        {"email": "x@example.com", "role": "support", "organization_scopes": "*"},
    )
    config = tap_config(empty_account)  # the defaults: created_at, no include_deleted
    first = sync(config)
    assert _deleted(first, "organizations") == []
    bookmarks = {s: dict(first.state["bookmarks"][s]) for s in ("organizations", "users")}

    client.request("DELETE", contract.organizations_path(orgs[2]["id"]))
    client.request("DELETE", contract.assets_path("system.contact", contact["id"]))
    client.request("DELETE", contract.users_path(user["id"]))
    second = sync(config, state=first.state)

    for stream, gone in (
        ("organizations", orgs[2]),
        ("system_contact", contact),
        ("users", user),
    ):
        records = second.records(stream)
        assert [r["id"] for r in records] == [gone["id"]], stream
        assert records[0]["_sdc_deleted_at"] == records[0]["deleted_at"] is not None
        state = second.state["bookmarks"][stream]
        assert state[LAST_DELETED] == {"deleted_at": records[0]["deleted_at"], "id": gone["id"]}
    for stream in ("organizations", "users"):  # the deletes never move the main bookmark
        state = second.state["bookmarks"][stream]
        assert state["replication_key_value"] == bookmarks[stream]["replication_key_value"]
        assert state[LAST_EMITTED] == bookmarks[stream][LAST_EMITTED]
    assert kept["id"] not in {r["id"] for r in second.records("system_contact")}

    third = sync(config, state=second.state)
    for stream in ("organizations", "system_contact", "users"):
        assert third.records(stream) == [], stream

    more = create_organizations(client, 2, "later")  # new records and deletes in one run
    client.request("DELETE", contract.organizations_path(orgs[1]["id"]))
    fourth = sync(config, state=third.state)
    emitted = [(r["id"], bool(r.get("_sdc_deleted_at"))) for r in fourth.records("organizations")]
    assert emitted == [(more[0]["id"], False), (more[1]["id"], False), (orgs[1]["id"], True)]


def test_a_first_run_emits_no_past_deletes(demo_sandbox: Any) -> None:
    """The demo account holds deleted records: a first run notes where deletes stand."""
    run = sync(tap_config(demo_sandbox.config, page_size=1000))
    for stream in ("organizations", "users", "system_contact"):
        assert _deleted(run, stream) == [], stream
        assert run.state["bookmarks"][stream][LAST_DELETED]["id"]
    again = sync(tap_config(demo_sandbox.config, page_size=1000), state=run.state)
    for stream in ("organizations", "users", "system_contact", "network_device"):
        assert again.records(stream) == [], stream


def test_emit_deletes_false_turns_the_pass_off(
    empty_account: dict[str, Any], client: LexfulClient
) -> None:
    orgs = create_organizations(client, 2)
    config = tap_config(empty_account, emit_deletes=False)
    first = sync(config)
    assert LAST_DELETED not in first.state["bookmarks"]["organizations"]
    client.request("DELETE", contract.organizations_path(orgs[0]["id"]))
    assert sync(config, state=first.state).records("organizations") == []


def test_a_first_run_notes_the_newest_delete_whatever_its_tree_or_organizations(
    empty_account: dict[str, Any], client: LexfulClient
) -> None:
    """Run 1 reads under a narrower tree or organization_ids than run 2: the deletes from
    before run 1 that run 2's wider settings let in are still not emitted as new."""
    a, b, c = create_organizations(client, 3)
    old = create_asset(client, "system.contact", b["id"], first_name="Old", important=False)
    client.request("DELETE", contract.organizations_path(c["id"]))
    client.request("DELETE", contract.assets_path("system.contact", old["id"]))
    tree = {"organizations": {"or": [f"id[eq]={a['id']}"]}}
    first = sync(tap_config(empty_account, filter_trees=tree, organization_ids=[a["id"]]))
    assert [r["id"] for r in first.records("organizations")] == [a["id"]]
    for stream, newest in (("organizations", c), ("system_contact", old)):
        mark = first.state["bookmarks"][stream][LAST_DELETED]
        assert mark["id"] == newest["id"], stream  # was the "none yet" mark of 1970
        assert not mark["deleted_at"].startswith("1970"), stream

    # The tree removed, organization b added: nothing deleted since run 1 is emitted.
    second = sync(tap_config(empty_account, organization_ids=[a["id"], b["id"]]), state=first.state)
    for stream in ("organizations", "system_contact"):
        assert _deleted(second, stream) == [], stream
    assert [r["id"] for r in second.records("organizations")] == [a["id"], b["id"]]
