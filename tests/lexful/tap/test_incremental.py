"""Incremental replication: a first run, its state, then only what is new."""

from __future__ import annotations

import copy
from typing import Any

from lexful_api import LexfulClient, contract
from tap_lexful.bookmarks import LAST_EMITTED
from tests.lexful.client import create_asset, create_organizations
from tests.lexful.tap.helpers import by_id, sync, tap_config


def _bookmark(state: dict[str, Any], stream: str) -> str:
    return state["bookmarks"][stream]["replication_key_value"]


def _same_moment(sandbox: Any, account: dict[str, Any], moment: str) -> None:
    """Give every organization of the account one creation time, as a bulk create can."""
    sandbox.store.execute(
        "UPDATE organizations SET created_at = ?, doc = json_set(doc, '$.created_at', ?)"
        " WHERE account_id = ?",
        (moment, moment, account["account_id"]),
    )


def test_each_run_emits_exactly_the_new_records(
    demo_sandbox: Any, empty_account: dict[str, Any], client: LexfulClient
) -> None:
    first_batch = create_organizations(client, 30, "first")
    _same_moment(demo_sandbox, empty_account, "2026-01-01T00:00:00.000Z")  # all 30 at the bookmark
    config = tap_config(empty_account)

    run1 = sync(config)
    assert set(by_id(run1.records("organizations"))) == {o["id"] for o in first_batch}
    assert "progress_markers" not in str(run1.state)
    assert _bookmark(run1.state, "organizations") == "2026-01-01T00:00:00.000Z"

    run2 = sync(config, state=run1.state)
    assert run2.records("organizations") == []  # nothing new: nothing at all

    second_batch = create_organizations(client, 12, "second")
    run3 = sync(config, state=run2.state)
    assert sorted(by_id(run3.records("organizations"))) == sorted(o["id"] for o in second_batch)
    run4 = sync(config, state=run3.state)
    assert run4.records("organizations") == []


def test_a_state_without_the_last_record_still_resumes(
    empty_account: dict[str, Any], client: LexfulClient
) -> None:
    """A state written before the tap kept its last record re-reads the bookmark's moment."""
    create_organizations(client, 5)
    run1 = sync(tap_config(empty_account))
    old_state = copy.deepcopy(run1.state)
    del old_state["bookmarks"]["organizations"][LAST_EMITTED]
    boundary = _bookmark(old_state, "organizations")
    again = sync(tap_config(empty_account), state=old_state).records("organizations")
    assert again
    assert all(r["created_at"] == boundary for r in again)


def test_state_is_one_bookmark_per_stream(
    empty_account: dict[str, Any], client: LexfulClient
) -> None:
    organization = create_organizations(client, 3)[0]
    for i in range(12):
        client.send_json(
            "POST",
            contract.assets_path("system.location"),
            {"organization_id": organization["id"], "name": f"site {i}"},
        )
    run = sync(tap_config(empty_account))
    assert len(run.records("system_location")) == 12
    bookmarks = run.state["bookmarks"]
    # Child streams keep one entry, however many assets they ran for.
    for child in ("related_assets", "files"):
        assert "partitions" not in bookmarks.get(child, {})
    assert set(bookmarks["organizations"]) >= {"replication_key", "replication_key_value"}


def test_updated_at_catches_updates(empty_account: dict[str, Any], client: LexfulClient) -> None:
    organizations = create_organizations(client, 10)
    config = tap_config(empty_account, replication_key="updated_at")
    run1 = sync(config)
    assert len(run1.records("organizations")) == 10

    changed = organizations[2]
    client.send_json(
        "PATCH", contract.organizations_path(changed["id"]), {"description": "changed"}
    )
    run2 = sync(config, state=run1.state)
    again = by_id(run2.records("organizations"))
    assert again[changed["id"]]["description"] == "changed"
    assert all(
        r["updated_at"] >= run1.state["bookmarks"]["organizations"]["replication_key_value"]
        for r in again.values()
    )


def test_start_date_and_lookback(empty_account: dict[str, Any], client: LexfulClient) -> None:
    organizations = create_organizations(client, 5)
    create_asset(client, "system.location", organizations[0]["id"], name="site")
    run_future = sync(tap_config(empty_account, start_date="2999-01-01T00:00:00Z"))
    assert run_future.records("system_location") == []
    # Organizations and users are what assets refer to: start_date leaves them whole.
    assert len(run_future.records("organizations")) == 5

    run1 = sync(tap_config(empty_account))
    run2 = sync(tap_config(empty_account, lookback_seconds=3600), state=run1.state)
    # The lookback window re-reads everything created in the last hour.
    assert len(run2.records("organizations")) == 5


def test_resuming_from_any_state_emits_each_parent_once(demo_sandbox: Any) -> None:
    """Resumed from a STATE printed mid-sync (some between a parent's children and the
    parent itself), the tap emits exactly the parents that followed that STATE."""
    config = tap_config(demo_sandbox.config, page_size=50)
    run1 = sync(config)
    messages = run1.messages
    states = [i for i, m in enumerate(messages) if m["type"] == "STATE"]
    assert len(states) > 10
    for index in states[1 : len(states) - 1 : max(len(states) // 6, 1)]:
        resumed = sync(config, state=messages[index]["value"])
        for stream in ("organizations", "network_device", "system_contact"):
            after = [
                m["record"]["id"]
                for m in messages[index:]
                if m["type"] == "RECORD" and m["stream"] == stream
            ]
            again = [r["id"] for r in resumed.records(stream)]
            assert again == after, f"{stream}, resumed from message {index}"
