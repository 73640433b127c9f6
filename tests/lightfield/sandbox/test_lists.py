"""Lists and their members."""

from __future__ import annotations

from tests.lightfield.sandbox.conftest import Api, account, assert_error, value


def test_list_lifecycle_and_members(api: Api) -> None:
    a, b, c = (account(api, n)["id"] for n in "ABC")
    made = api.create(
        "/lists",
        {
            "fields": {"$name": "Key", "$objectType": "account"},
            "relationships": {"$accounts": [a, b]},
        },
    )
    assert set(made) == {"id", "createdAt", "fields", "httpLink"}
    assert sorted(api.ids(f"/lists/{made['id']}/accounts")) == sorted([a, b])
    changed = api.post(
        f"/lists/{made['id']}",
        {"fields": {"$name": "Key 2"}, "relationships": {"$accounts": {"add": c, "remove": a}}},
    )
    assert value(api.ok(changed), "$name") == "Key 2"
    assert sorted(api.ids(f"/lists/{made['id']}/accounts")) == sorted([b, c])
    assert api.ok(api.get(f"/lists/{made['id']}"))["id"] == made["id"]
    assert made["id"] in api.ids("/lists")
    assert_error(api.get(f"/lists/{made['id']}/contacts"), 400, "invalid_value", "listId")
    api.ok(api.delete(f"/lists/{made['id']}"))
    assert_error(api.get(f"/lists/{made['id']}"), 404)
    assert api.ok(api.get(f"/accounts/{a}"))["id"] == a  # members are left alone


def test_list_errors(api: Api) -> None:
    assert_error(
        api.post("/lists", {"fields": {"$name": "x"}}), 422, "required", "fields.$objectType"
    )
    wrong = {"fields": {"$name": "x", "$objectType": "account"}, "relationships": {"$contacts": []}}
    assert_error(api.post("/lists", wrong), 400, "unknown_field", "relationships.$contacts")
    made = api.create("/lists", {"fields": {"$name": "x", "$objectType": "contact"}})
    change = api.post(f"/lists/{made['id']}", {"fields": {"$objectType": "account"}})
    assert_error(change, 400, "read_only", "fields.$objectType")
    missing = {
        "fields": {"$name": "x", "$objectType": "account"},
        "relationships": {"$accounts": "acc_x"},
    }
    assert_error(
        api.post("/lists", missing), 400, "invalid_relationship", "relationships.$accounts"
    )


def test_seeded_lists_have_members(demo: Api) -> None:
    lists = demo.ok(demo.get("/lists"))["data"]
    for doc in lists:
        collection = {"account": "accounts", "contact": "contacts"}[value(doc, "$objectType")]
        assert demo.ids(f"/lists/{doc['id']}/{collection}")
