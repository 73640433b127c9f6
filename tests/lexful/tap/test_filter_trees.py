"""The filter_trees setting: a documented filter tree per stream, checked before any request."""

from __future__ import annotations

from typing import Any

import pytest
from singer_sdk.exceptions import ConfigValidationError

from tests.lexful.client import client_for, create_asset, create_organizations
from tests.lexful.tap.helpers import sync, tap_config


def test_a_tree_selects_what_it_says_on_users_organizations_and_an_asset_list(
    demo_sandbox: Any, empty_account: dict[str, Any]
) -> None:
    client = client_for(empty_account)
    orgs = create_organizations(client, 4, "tree")
    for org in orgs[:2]:
        for name in ("Jane", "John"):
            create_asset(client, "system.contact", org["id"], first_name=name, important=False)
    trees = {
        "users": {"or": ["role[eq]=viewer", "email[like]=admin%"]},
        "organizations": {"or": [f"id[eq]={orgs[0]['id']}", f"name[eq]={orgs[3]['name']}"]},
        "system_contact": {
            "and": ["first_name[eq]=Jane", {"or": [f"organization_id[eq]={orgs[1]['id']}"]}]
        },
    }
    run = sync(tap_config(empty_account, filter_trees=trees))
    assert [u["email"] for u in run.records("users")] == ["admin@example.com"]
    assert {o["id"] for o in run.records("organizations")} == {orgs[0]["id"], orgs[3]["id"]}
    contacts = run.records("system_contact")
    assert [(c["first_name"], c["organization_id"]) for c in contacts] == [("Jane", orgs[1]["id"])]
    assert len(run.records("system_location")) == 0  # no tree: unfiltered (and empty)


@pytest.mark.parametrize(
    ("trees", "message"),
    [
        (
            {"users": {"and": [{"or": [{"and": [{"or": ["role[eq]=x"]}]}]}]}},
            "filter_trees.users: nested deeper than 3 levels",
        ),
        (
            {"users": {"or": [f"role[eq]={i}" for i in range(51)]}},
            "filter_trees.users: more than 50 conditions",
        ),
        ({"users": {"xor": ["role[eq]=x"]}}, "filter_trees.users: a node is"),
        ({"users": {"and": ["role[near]=x"]}}, "unknown filter operator 'near'"),
        ({"users": {"and": ["role"]}}, "is not field[operator]=value"),
    ],
)
def test_a_bad_tree_is_refused_before_any_request(
    own_sandbox: Any, trees: dict, message: str
) -> None:
    before = own_sandbox.stats()["requests"]
    with pytest.raises(ConfigValidationError) as caught:
        sync(tap_config(own_sandbox.config, filter_trees=trees))
    assert message in str(caught.value)
    assert own_sandbox.stats()["requests"] == before


@pytest.mark.parametrize(
    ("trees", "message"),
    [
        ({"nope": {"and": ["name[eq]=x"]}}, "filter_trees: no stream named 'nope'"),
        ({"files": {"and": ["name[eq]=x"]}}, "filter_trees.files: the stream takes no"),
        ({"users": {"and": ["shoe_size[eq]=9"]}}, "has no field 'shoe_size'"),
    ],
)
def test_a_tree_on_an_unknown_stream_or_field_fails_first(
    demo_sandbox: Any, trees: dict, message: str
) -> None:
    with pytest.raises(ConfigValidationError) as caught:
        sync(tap_config(demo_sandbox.config, filter_trees=trees))
    assert message in str(caught.value)
