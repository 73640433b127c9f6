"""Incremental replication: a first run, its state, then only what is new."""

from __future__ import annotations

from typing import Any

from lexful_api import contract
from tests.tap.conftest import api, create_organizations
from tests.tap.helpers import by_id, sync, tap_config


def _bookmark(state: dict[str, Any], stream: str) -> str:
    return state["bookmarks"][stream]["replication_key_value"]


def test_second_run_returns_only_new_records(account: dict[str, Any]) -> None:
    client = api(account)
    first_batch = create_organizations(client, 30, "first")
    config = tap_config(account)

    run1 = sync(config)
    assert set(by_id(run1.records("organizations"))) == {o["id"] for o in first_batch}
    assert "progress_markers" not in str(run1.state)

    run2 = sync(config, state=run1.state)
    boundary = _bookmark(run1.state, "organizations")
    # Only the record(s) at the bookmark itself come again (the filter is >=; a bulk create
    # gives several records the same millisecond).
    again = run2.records("organizations")
    assert len(again) < 30
    assert all(r["created_at"] == boundary for r in again)

    second_batch = create_organizations(client, 12, "second")
    run3 = sync(config, state=run2.state)
    new_ids = set(by_id(run3.records("organizations"))) - {r["id"] for r in again}
    assert new_ids == {o["id"] for o in second_batch}
    assert _bookmark(run3.state, "organizations") > boundary


def test_state_is_one_bookmark_per_stream(account: dict[str, Any]) -> None:
    client = api(account)
    organization = create_organizations(client, 3)[0]
    for i in range(12):
        client.send_json(
            "POST",
            contract.assets_path("system.location"),
            {"organization_id": organization["id"], "name": f"site {i}"},
        )
    run = sync(tap_config(account))
    assert len(run.records("system_location")) == 12
    bookmarks = run.state["bookmarks"]
    # Child streams keep one entry, however many assets they ran for.
    for child in ("related_assets", "files"):
        assert "partitions" not in bookmarks.get(child, {})
    assert set(bookmarks["organizations"]) >= {"replication_key", "replication_key_value"}


def test_updated_at_catches_updates(account: dict[str, Any]) -> None:
    client = api(account)
    organizations = create_organizations(client, 10)
    config = tap_config(account, replication_key="updated_at")
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


def test_start_date_and_lookback(account: dict[str, Any]) -> None:
    client = api(account)
    create_organizations(client, 5)
    run_future = sync(tap_config(account, start_date="2999-01-01T00:00:00Z"))
    assert run_future.records("organizations") == []

    run1 = sync(tap_config(account))
    run2 = sync(tap_config(account, lookback_seconds=3600), state=run1.state)
    # The lookback window re-reads everything created in the last hour.
    assert len(run2.records("organizations")) == 5
