"""The entity collections: create, retrieve, update (POST), soft delete, definitions, and the
documented errors with their ``param``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.lightfield.sandbox.conftest import Api, account, assert_error, me, value


def _bodies(api: Api) -> dict[str, tuple[dict[str, Any], str, Any]]:
    """A valid create body per collection, and one field an update changes to a value."""
    acc = account(api)["id"]
    member = me(api)
    return {
        "accounts": ({"fields": {"$name": "Globex"}}, "$name", "Globex 2"),
        "contacts": (
            {"fields": {"$email": "a@b.example"}, "relationships": {"$account": acc}},
            "$title",
            "CTO",
        ),
        "opportunities": (
            {"fields": {"$name": "Deal", "$stage": "Lead"}, "relationships": {"$account": acc}},
            "$stage",
            "Won",
        ),
        "tasks": (
            {
                "fields": {"$title": "Call", "$status": "TODO"},
                "relationships": {"$assignedTo": member},
            },
            "$status",
            "COMPLETE",
        ),
        "notes": ({"fields": {"$title": "Hi", "$content": "# x"}}, "$title", "Hello"),
        "meetings": (
            {
                "fields": {
                    "$title": "M",
                    "$startDate": "2024-01-01T10:00:00Z",
                    "$endDate": "2024-01-01T11:00:00Z",
                }
            },
            "$privacySetting",
            "METADATA",
        ),
    }


COLLECTIONS = ["accounts", "contacts", "opportunities", "tasks", "notes", "meetings"]


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_create_retrieve_update_delete(api: Api, collection: str) -> None:
    body, key, new = _bodies(api)[collection]
    created = api.create(f"/{collection}", body)
    assert set(created) >= {
        "id",
        "createdAt",
        "updatedAt",
        "externalId",
        "httpLink",
        "fields",
        "relationships",
    }
    assert created["updatedAt"] is None
    assert api.ok(api.get(f"/{collection}/{created['id']}"))["id"] == created["id"]
    updated = api.ok(api.post(f"/{collection}/{created['id']}", {"fields": {key: new}}))
    assert value(updated, key) == new
    assert updated["updatedAt"] is not None
    assert created["id"] in api.ids(f"/{collection}")
    gone = api.ok(api.delete(f"/{collection}/{created['id']}"))
    assert gone["id"] == created["id"]
    again = api.delete(f"/{collection}/{created['id']}")
    if collection == "meetings":
        assert_error(again, 404)  # documented for meetings
    else:
        assert api.ok(again)["id"] == created["id"]  # trashed: the same record
    assert_error(api.get(f"/{collection}/{created['id']}"), 404)
    assert_error(api.post(f"/{collection}/{created['id']}", {"fields": {key: new}}), 404)
    assert created["id"] not in api.ids(f"/{collection}")


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_definitions(demo: Api, collection: str) -> None:
    body = demo.ok(demo.get(f"/{collection}/definitions"))
    assert set(body) == {"objectType", "fieldDefinitions", "relationshipDefinitions"}
    for definition in body["fieldDefinitions"].values():
        assert definition["valueType"]
        assert "typeConfiguration" in definition
    for definition in body["relationshipDefinitions"].values():
        assert definition["cardinality"] in ("HAS_ONE", "HAS_MANY")


def test_entity_shape_and_wrapped_values(demo: Api) -> None:
    record = demo.ok(demo.get("/accounts", params={"limit": 1}))["data"][0]
    assert record["fields"]["$name"]["valueType"] == "TEXT"
    assert record["relationships"]["$owner"]["cardinality"] == "has_one"
    assert record["relationships"]["$owner"]["objectType"] == "member"


def test_unknown_ids_are_404(api: Api) -> None:
    for collection in COLLECTIONS:
        assert_error(api.get(f"/{collection}/acc_missing"), 404)
        assert_error(api.delete(f"/{collection}/acc_missing"), 404)


def test_validation_errors_name_the_param(api: Api) -> None:
    assert_error(
        api.post("/accounts", {"fields": {"$nope": 1, "$name": "x"}}),
        400,
        "unknown_field",
        "fields.$nope",
    )
    assert_error(
        api.post("/accounts", {"fields": {"$name": 5}}), 400, "invalid_value", "fields.$name"
    )
    assert_error(api.post("/accounts", {"fields": {}}), 422, "required", "fields.$name")
    assert_error(
        api.post("/accounts", {"fields": {"$name": "x", "$accountStatus": "Active"}}),
        400,
        "read_only",
        "fields.$accountStatus",
    )
    assert_error(
        api.post("/accounts", {"fields": {"$name": "x"}, "extra": 1}), 400, "unknown_field", "extra"
    )
    assert_error(
        api.post(
            "/accounts", {"fields": {"$name": "x"}, "relationships": {"$owner": "mem_nobody"}}
        ),
        400,
        "invalid_relationship",
        "relationships.$owner",
    )
    assert_error(
        api.post("/opportunities", {"fields": {"$name": "d", "$stage": "Lead"}}),
        422,
        "required",
        "relationships.$account",
    )
    assert_error(api.post("/accounts", [1]), 400)
    bad_json = api.request(
        "POST", "/accounts", data=b"{", headers={"Content-Type": "application/json"}
    )
    assert_error(bad_json, 400)


def test_values_by_type(api: Api) -> None:
    record = account(
        api,
        "Typed",
        **{
            "$industry": "opt_retail",  # by option id; reads as the label
            "$employees": {"value": 12, "valueType": "NUMBER"},  # the wrapped form
            "$headquarters": {"city": "Oslo", "country": "NO"},
            "$tags": ["SMB", "Partner"],
        },
    )
    assert value(record, "$industry") == "Retail"
    assert value(record, "$employees") == 12
    assert value(record, "$headquarters")["city"] == "Oslo"
    assert value(record, "$tags") == ["SMB", "Partner"]
    wrong = api.post("/accounts", {"fields": {"$name": "x", "$industry": "Mining"}})
    assert_error(wrong, 400, "invalid_value", "fields.$industry")
    wrapped = api.post("/accounts", {"fields": {"$name": {"value": "x", "valueType": "NUMBER"}}})
    assert_error(wrapped, 400, "invalid_value", "fields.$name")


def test_relationship_operations_and_inverse(api: Api) -> None:
    first, second = account(api, "A")["id"], account(api, "B")["id"]
    contact = api.create("/contacts", {"fields": {}, "relationships": {"$account": first}})
    assert contact["relationships"]["$account"]["values"] == [first]
    assert api.ok(api.get(f"/accounts/{first}"))["relationships"]["$contact"]["values"] == [
        contact["id"]
    ]
    moved = api.ok(
        api.post(
            f"/contacts/{contact['id']}",
            {"relationships": {"$account": {"add": second, "remove": first}}},
        )
    )
    assert moved["relationships"]["$account"]["values"] == [second]
    assert api.ok(api.get(f"/accounts/{first}"))["relationships"]["$contact"]["values"] == []
    assert api.ok(api.get(f"/accounts/{second}"))["relationships"]["$contact"]["values"] == [
        contact["id"]
    ]
    read_only = api.post(f"/accounts/{first}", {"relationships": {"$note": {"add": "not_x"}}})
    assert_error(read_only, 400, "read_only", "relationships.$note")


def test_update_that_changes_nothing_keeps_updated_at(api: Api) -> None:
    record = account(api, "Same")
    again = api.ok(api.post(f"/accounts/{record['id']}", {"fields": {"$name": "Same"}}))
    assert again["updatedAt"] is None


def test_meetings_past_only_privacy_and_transcript(api: Api, demo: Api) -> None:
    future = {
        "$title": "F",
        "$startDate": "2999-01-01T10:00:00Z",
        "$endDate": "2999-01-01T11:00:00Z",
    }
    assert_error(api.post("/meetings", {"fields": future}), 400, "invalid_value", "fields.$endDate")
    past = {"$title": "P", "$startDate": "2024-01-01T10:00:00Z", "$endDate": "2024-01-01T11:00:00Z"}
    pending = api.create("/files", {"filename": "t.txt", "mimeType": "text/plain", "sizeBytes": 3})
    body = {"fields": past, "relationships": {"$transcript": pending["id"]}}
    assert_error(
        api.post("/meetings", body), 400, "invalid_relationship", "relationships.$transcript"
    )
    meeting = api.create("/meetings", {"fields": past, "autoCreateRecords": False})
    assert meeting["objectType"] == "meeting"
    assert meeting["accessLevel"] == "FULL"
    seeded = demo.ok(demo.get("/meetings"))["data"]
    assert {m["accessLevel"] for m in seeded} == {"FULL"}  # the key's own member created them
