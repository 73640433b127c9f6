"""A bookmark knows what it is a bookmark of: settings changed on an existing state."""

from __future__ import annotations

import copy
import logging
import time
from typing import Any

import pytest

from lexful_api import LexfulClient, contract
from tap_lexful.bookmarks import SCOPE, plan
from tests.lexful.client import create_asset, create_organization, create_organizations
from tests.lexful.tap.helpers import discover, sync, tap_config

LOCATION = "system.location"


def _ids(records: list[dict[str, Any]]) -> list[str]:
    return [r["id"] for r in records]


def _locations(client: LexfulClient, organization: dict[str, Any], n: int) -> list[str]:
    return [
        create_asset(client, LOCATION, organization["id"], name=f"site {i}")["id"] for i in range(n)
    ]


def _touch(client: LexfulClient, organization: dict[str, Any]) -> None:
    body = {"description": "changed"}
    client.send_json("PATCH", contract.organizations_path(organization["id"]), body)


def _said(caplog: pytest.LogCaptureFixture, *words: str) -> list[str]:
    lines = [r.getMessage() for r in caplog.records]
    return [line for line in lines if all(word in line for word in words)]


def test_switching_the_replication_key_reads_the_stream_again(
    empty_account: dict[str, Any], client: LexfulClient, caplog: pytest.LogCaptureFixture
) -> None:
    early = create_organizations(client, 5, "early")
    time.sleep(0.01)
    late = create_organizations(client, 5, "late")
    _touch(client, early[0])
    everyone = {o["id"] for o in early + late}

    run1 = sync(tap_config(empty_account))  # created_at
    assert set(_ids(run1.records("organizations"))) == everyone
    with caplog.at_level(logging.WARNING):
        # Unsorted data before: the early ones' updated_at is before the created_at bookmark.
        run2 = sync(tap_config(empty_account, replication_key="updated_at"), state=run1.state)
    assert set(_ids(run2.records("organizations"))) == everyone
    assert run2.state["bookmarks"]["organizations"]["replication_key"] == "updated_at"
    assert len(_said(caplog, "'organizations'", "'created_at', now 'updated_at'")) == 1

    # And back: the updated_at bookmark (the touched one's) is after most creations.
    run3 = sync(tap_config(empty_account), state=run2.state)
    assert set(_ids(run3.records("organizations"))) == everyone
    assert run3.state["bookmarks"]["organizations"][SCOPE]["replication_key"] == "created_at"
    assert sync(tap_config(empty_account), state=run3.state).records("organizations") == []


def test_the_replication_key_setting_wins_over_the_catalog(
    empty_account: dict[str, Any], client: LexfulClient, caplog: pytest.LogCaptureFixture
) -> None:
    organizations = create_organizations(client, 4)
    catalog = discover(tap_config(empty_account))  # made under the default, created_at
    config = tap_config(empty_account, replication_key="updated_at")
    with caplog.at_level(logging.WARNING):
        run1 = sync(config, catalog=catalog)
    assert run1.state["bookmarks"]["organizations"]["replication_key"] == "updated_at"
    assert _said(caplog, "'organizations'", "catalog", "'created_at'", "'updated_at'")

    _touch(client, organizations[1])
    run2 = sync(config, catalog=catalog, state=run1.state)
    assert _ids(run2.records("organizations")) == [organizations[1]["id"]]

    # A catalog that makes the stream FULL_TABLE (no key) still has it read whole.
    for entry in catalog["streams"]:
        if entry["tap_stream_id"] == "organizations":
            entry["replication_method"] = "FULL_TABLE"
            entry.pop("replication_key", None)
            root = next(m["metadata"] for m in entry["metadata"] if not m["breadcrumb"])
            root.pop("replication-key", None)
            root["forced-replication-method"] = "FULL_TABLE"
    whole = sync(config, catalog=catalog, state=run2.state)
    assert len(whole.records("organizations")) == len(organizations)


def test_organizations_added_to_the_list_are_read_up_to_the_bookmark(
    empty_account: dict[str, Any], client: LexfulClient, caplog: pytest.LogCaptureFixture
) -> None:
    a, b = create_organizations(client, 2)
    b_old = _locations(client, b, 9)  # before the bookmark a run of `a` alone makes
    a_old = _locations(client, a, 9)
    run1 = sync(tap_config(empty_account, organization_ids=[a["id"]]))
    assert _ids(run1.records("system_location")) == a_old

    b_new, a_new = _locations(client, b, 1) + _locations(client, a, 1)
    both = tap_config(empty_account, organization_ids=[a["id"], b["id"]])
    with caplog.at_level(logging.INFO):
        run2 = sync(both, state=run1.state)
    # b's older records first (up to the bookmark), then what is new: in order, each once.
    assert _ids(run2.records("system_location")) == [*b_old, b_new, a_new]
    assert _ids(run2.records("organizations")) == [b["id"]]
    assert _said(caplog, "'system_location'", "adds 1 organization")
    scope = run2.state["bookmarks"]["system_location"][SCOPE]
    assert scope["organization_ids"] == sorted([a["id"], b["id"]])
    assert sync(both, state=run2.state).records("system_location") == []


def test_every_organization_after_a_list_reads_the_stream_again(
    empty_account: dict[str, Any], client: LexfulClient, caplog: pytest.LogCaptureFixture
) -> None:
    a, b = create_organizations(client, 2)
    b_old = _locations(client, b, 3)
    a_old = _locations(client, a, 3)
    run1 = sync(tap_config(empty_account, organization_ids=[a["id"]]))
    with caplog.at_level(logging.WARNING):
        run2 = sync(tap_config(empty_account), state=run1.state)
    assert _ids(run2.records("system_location")) == [*b_old, *a_old]
    assert _said(caplog, "'system_location'", "now every one", "from the start")


def test_a_changed_filter_reads_again_a_moved_bound_does_not(
    empty_account: dict[str, Any], client: LexfulClient
) -> None:
    others = create_organizations(client, 6)
    time.sleep(0.01)
    kept = create_organization(client, "kept")
    only_kept = {"organizations": {"name[eq]": "kept"}}
    run1 = sync(tap_config(empty_account, filters=only_kept))
    assert _ids(run1.records("organizations")) == [kept["id"]]
    run2 = sync(tap_config(empty_account), state=run1.state)
    assert set(_ids(run2.records("organizations"))) == {o["id"] for o in [*others, kept]}

    # A bound on the replication key (a Dagster shard's) moves each run: no re-read.
    bound = {"organizations": {"created_at[lt]": "2999-01-01T00:00:00Z"}}
    run3 = sync(tap_config(empty_account, filters=bound), state=run2.state)
    bound = {"organizations": {"created_at[lt]": "2999-01-02T00:00:00Z"}}
    run4 = sync(tap_config(empty_account, filters=bound), state=run3.state)
    assert run3.records("organizations") == run4.records("organizations") == []
    assert run4.state["bookmarks"]["organizations"][SCOPE]["filters"] == {}


def test_a_changed_or_removed_filter_tree_reads_again_and_says_why(
    empty_account: dict[str, Any], client: LexfulClient, caplog: pytest.LogCaptureFixture
) -> None:
    others = create_organizations(client, 6)
    time.sleep(0.01)
    kept = create_organization(client, "kept")
    tree = {"organizations": {"or": [f"id[eq]={kept['id']}"]}}
    run1 = sync(tap_config(empty_account, filter_trees=tree))
    assert _ids(run1.records("organizations")) == [kept["id"]]
    assert run1.state["bookmarks"]["organizations"][SCOPE]["filter_tree"] == tree["organizations"]

    other = {"organizations": {"or": [f"id[eq]={others[0]['id']}"]}}  # before the bookmark
    with caplog.at_level(logging.WARNING):
        run2 = sync(tap_config(empty_account, filter_trees=other), state=run1.state)
    assert _ids(run2.records("organizations")) == [others[0]["id"]]
    assert len(_said(caplog, "'organizations'", "filter_trees was", "reading it again")) == 1

    caplog.clear()
    with caplog.at_level(logging.WARNING):
        run3 = sync(tap_config(empty_account), state=run2.state)  # the tree removed
    assert set(_ids(run3.records("organizations"))) == {o["id"] for o in [*others, kept]}
    assert len(_said(caplog, "'organizations'", "filter_trees was", "now None")) == 1
    assert "filter_tree" not in run3.state["bookmarks"]["organizations"][SCOPE]

    caplog.clear()
    with caplog.at_level(logging.WARNING):  # the same settings again: the bookmark holds
        run4 = sync(tap_config(empty_account), state=run3.state)
    assert run4.records("organizations") == []
    assert _said(caplog, "filter_trees was") == []


def test_a_narrower_scope_or_a_state_without_one_keeps_the_bookmark(
    empty_account: dict[str, Any], client: LexfulClient
) -> None:
    a, b = create_organizations(client, 2)
    _locations(client, a, 2)
    _locations(client, b, 2)
    run1 = sync(tap_config(empty_account))
    only_a = tap_config(empty_account, organization_ids=[a["id"]])
    run2 = sync(only_a, state=run1.state)
    assert run2.records("system_location") == []
    assert run2.state["bookmarks"]["system_location"][SCOPE]["organization_ids"] == [a["id"]]

    # A state from before scopes is taken as made under this run's settings: no re-read,
    # and the scope is written.
    older = copy.deepcopy(run1.state)
    for bookmark in older["bookmarks"].values():
        bookmark.pop(SCOPE, None)
    run3 = sync(only_a, state=older)
    assert run3.records("system_location") == run3.records("organizations") == []
    assert run3.state["bookmarks"]["system_location"][SCOPE]["organization_ids"] == [a["id"]]


STATE = {"replication_key": "created_at", "replication_key_value": "2026-01-01T00:00:00.000Z"}
SCOPE_NOW = {
    "replication_key": "created_at",
    "filters": {},
    "start_date": "2025-01-01T00:00:00Z",
    "organization_ids": ["o1", "o2"],
    "include_deleted": False,
}


@pytest.mark.parametrize(
    ("before", "reread"),
    [
        ({}, None),  # the same
        ({"start_date": "2025-01-01"}, None),  # the same moment, written otherwise
        ({"start_date": None}, None),  # none before: everything was read
        ({"start_date": "2025-06-01"}, "start_date was 2025-06-01"),  # earlier now
        ({"include_deleted": True}, None),  # deleted ones left out now: narrower
        ({"organization_ids": None}, None),  # every organization before
        ({"organization_ids": ["o1", "o2", "o3"]}, None),  # more before
    ],
)
def test_plan_keeps_the_bookmark_unless_the_scope_is_wider(
    before: dict[str, Any], reread: str | None
) -> None:
    state = {**STATE, SCOPE: {**SCOPE_NOW, **before}}
    decided = plan(state, SCOPE_NOW)
    assert decided.catch_up == ()
    if reread is None:
        assert decided.reread is None
    else:
        assert decided.reread is not None
        assert decided.reread.startswith(reread)


def test_plan_reads_again_or_catches_up_for_a_wider_one() -> None:
    def decide(**before: Any) -> Any:
        return plan({**STATE, SCOPE: {**SCOPE_NOW, **before}}, SCOPE_NOW)

    assert decide(include_deleted=False, start_date=None).reread is None
    assert plan({**STATE, SCOPE: SCOPE_NOW}, {**SCOPE_NOW, "include_deleted": True}).reread
    assert plan({**STATE, SCOPE: SCOPE_NOW}, {**SCOPE_NOW, "organization_ids": None}).reread
    assert decide(organization_ids=["o1"]).catch_up == ("o2",)
    assert decide(filters={"name[eq]": "x"}).reread
    tree = {"or": ["name[eq]=x"]}
    assert decide(filter_tree=tree).reread  # removed
    assert plan({**STATE, SCOPE: SCOPE_NOW}, {**SCOPE_NOW, "filter_tree": tree}).reread  # added
    assert decide(filter_tree=tree).reread == "filter_trees was {'or': ['name[eq]=x']}, now None"
    with_tree = {**SCOPE_NOW, "filter_tree": tree}
    assert plan({**STATE, SCOPE: with_tree}, with_tree).reread is None
    assert plan({**STATE, "replication_key": "updated_at"}, SCOPE_NOW).reread
    # No bookmark: nothing to keep or re-read; no scope (an older state): kept.
    assert plan({SCOPE: {**SCOPE_NOW, "organization_ids": None}}, SCOPE_NOW).reread is None
    assert plan(STATE, SCOPE_NOW) == plan({**STATE, SCOPE: SCOPE_NOW}, SCOPE_NOW)
