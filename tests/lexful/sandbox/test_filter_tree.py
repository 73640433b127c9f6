"""The ``filter`` tree: JSON AND/OR groups of bracket-notation leaves, on every list."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.lexful.sandbox.conftest import Api, assert_error, make_contact, make_org


def _tree(tree: Any) -> dict[str, str]:
    return {"filter": json.dumps(tree)}


def test_users_by_a_tree_anded_with_the_bracket_filters(demo_api: Api) -> None:
    tree = {"or": ["role[eq]=admin", {"and": ["role[eq]=support", "first_name[eq]=Sam"]}]}
    users = demo_api.items("/users", **_tree(tree))
    assert sorted(u["first_name"] for u in users) == ["Account", "Alex", "Sam"]
    both = demo_api.items("/users", **_tree(tree), **{"last_name[eq]": "Rivera"})
    assert [u["first_name"] for u in both] == ["Sam"]


def test_organizations_and_assets_by_a_tree(api: Api) -> None:
    one, two, three = make_org(api, "One"), make_org(api, "Two"), make_org(api, "Three")
    tree = {"or": ["name[eq]=One", "name[like]=T%ree"]}
    assert {o["id"] for o in api.items("/organizations", **_tree(tree))} == {one["id"], three["id"]}
    jane = make_contact(api, two["id"], first_name="Jane")
    make_contact(api, two["id"], first_name="John")
    make_contact(api, one["id"], first_name="Jane")
    tree = {"and": [f"organization_id[eq]={two['id']}", {"or": ["first_name[eq]=Jane"]}]}
    assert [a["id"] for a in api.items("/assets/system.contact", **_tree(tree))] == [jane["id"]]


@pytest.mark.parametrize(
    ("tree", "text"),
    [
        ({"and": [{"or": [{"and": [{"or": ["name[eq]=x"]}]}]}]}, "deeper than 3"),
        ({"or": [f"name[eq]={i}" for i in range(51)]}, "more than 50"),
        ({"and": []}, "non-empty"),
        ({"not": ["name[eq]=x"]}, "a node is"),
        ({"and": ["name"]}, "field[operator]=value"),
        ({"and": ["colour[eq]=red"]}, "colour"),
        ({"and": ["name[near]=x"]}, "near"),
    ],
)
def test_a_tree_past_the_limits_or_malformed_is_400(demo_api: Api, tree: Any, text: str) -> None:
    assert_error(demo_api.get("/organizations", params=_tree(tree)), 400, text)


def test_a_tree_at_the_limits_is_served(demo_api: Api) -> None:
    deep = {"and": [{"or": [{"and": ["name[ne]=x"]}]}]}
    assert demo_api.get("/organizations", params=_tree(deep)).status_code == 200
    wide = {"or": [f"name[eq]={i}" for i in range(50)]}
    assert demo_api.get("/organizations", params=_tree(wide)).status_code == 200
    assert_error(demo_api.get("/organizations", params={"filter": "{not json"}), 400, "JSON")
