"""Asset types: the system definitions, custom types, and the ext_ rule."""

from __future__ import annotations

from typing import Any

from tests.lexful.sandbox.conftest import Api, assert_error

WIDGET = {
    "name": "widget",
    "display_name": "Widgets",
    "description": "Things",
    "properties": [
        {"name": "name", "type": "string", "required": True},
        {"name": "size", "type": "integer"},
        {"name": "colour", "type": "string", "enum": ["red", "blue"]},
    ],
    "references": [
        {"name": "owner", "target_entity_types": ["system.contact"], "multiple": False},
    ],
}


def _types(api: Api) -> dict[str, dict[str, Any]]:
    return {t["name"]: t for t in api.items("/asset_types")}


def test_system_types(api: Api) -> None:
    types = _types(api)
    assert set(types) == {"system.contact", "system.location", "system.configuration"}
    contact = types["system.contact"]
    assert contact["is_system"] is True
    assert contact["version"] == 1
    assert contact["account_id"] == api.account_id
    props = {p["name"]: p for p in contact["properties"]}
    assert set(props) == {
        "first_name", "last_name", "title", "important", "contact_type", "contact_methods",
        "preferred_contact_method", "notes",
    }  # fmt: skip
    assert props["important"] == {**props["important"], "type": "boolean", "required": True}
    assert "Decision Maker" in props["contact_type"]["enum"]
    item = props["contact_methods"]["array"]
    assert item["type"] == "object"
    assert {p["name"]: p["required"] for p in item["properties"]} == {"type": True, "value": True}
    assert props["notes"]["type"] == "richtext"
    assert contact["references"][0]["name"] == "location"
    assert contact["references"][0]["target_asset_types"] == ["system.location"]
    config = {p["name"]: p["type"] for p in types["system.configuration"]["properties"]}
    assert config["install_date"] == "date"
    assert config["warranty_expires_at"] == "datetime"
    assert "secret" in config.values()
    assert "file" in config.values()
    assert {"city", "postal_code"} <= {p["name"] for p in types["system.location"]["properties"]}


def test_get_by_uuid_not_by_name(api: Api) -> None:
    contact = _types(api)["system.contact"]
    assert api.get(f"/asset_types/{contact['id']}").json() == contact
    assert_error(api.get("/asset_types/system.contact"), 404)
    assert api.get(f"/entity_types/{contact['id']}").status_code == 200


def test_create_custom_type(api: Api) -> None:
    answer = api.post("/asset_types", WIDGET)
    assert answer.status_code == 201, answer.text
    widget = answer.json()
    assert widget["is_system"] is False
    assert widget["version"] == 1
    assert widget["references"][0]["target_asset_types"] == ["system.contact"]
    assert widget["properties"][1]["display_name"] == "Size"
    assert_error(api.post("/asset_types", WIDGET), 409)
    assert api.get("/assets/widget").json()["total"] == 0


def test_invalid_type_definitions(api: Api) -> None:
    cases = [
        ({**WIDGET, "name": "system.widget"}, "name"),
        ({**WIDGET, "name": "Bad Name"}, "name"),
        ({**WIDGET, "properties": [{"name": "x", "type": "blob"}]}, "type"),
        ({**WIDGET, "properties": [{"name": "x", "type": "string", "colour": 1}]}, "colour"),
        ({**WIDGET, "properties": [{"name": "id", "type": "string"}]}, "id"),
        ({**WIDGET, "properties": [{"name": "a", "type": "string"}] * 2}, "taken"),
        ({**WIDGET, "references": [{"name": "r", "target_asset_types": ["nope"]}]}, "nope"),
        ({**WIDGET, "bogus": True}, "bogus"),
    ]
    for body, text in cases:
        assert_error(api.post("/asset_types", body), 400, text)


def test_patch_custom_type_replaces_properties(api: Api) -> None:
    widget = api.post("/asset_types", WIDGET).json()
    props = [{"name": "name", "type": "string"}, {"name": "weight", "type": "number"}]
    answer = api.patch(f"/asset_types/{widget['id']}", {"properties": props, "description": "New"})
    assert answer.status_code == 200
    patched = answer.json()
    assert [p["name"] for p in patched["properties"]] == ["name", "weight"]
    assert patched["version"] == 2
    assert patched["description"] == "New"
    assert patched["updated_at"] > widget["updated_at"]
    assert_error(api.patch(f"/asset_types/{widget['id']}", {"name": "renamed"}), 400, "name")
    assert_error(api.patch("/asset_types/00000000-0000-7000-8000-000000000000", {}), 404)


def test_system_types_take_only_ext_additions(api: Api) -> None:
    contact = _types(api)["system.contact"]
    url = f"/asset_types/{contact['id']}"
    extended = [*contact["properties"], {"name": "ext_shoe_size", "type": "integer"}]
    answer = api.patch(url, {"properties": extended})
    assert answer.status_code == 200
    assert answer.json()["version"] == 2
    added = {"name": "nickname", "type": "string"}
    assert_error(api.patch(url, {"properties": [*contact["properties"], added]}), 400, "ext_")
    assert_error(api.patch(url, {"properties": contact["properties"][1:]}), 400, "remove")
    changed = [{**contact["properties"][0], "required": True}, *contact["properties"][1:]]
    assert_error(api.patch(url, {"properties": changed}), 400, "change")
    refs = [*contact["references"], {"name": "site", "target_asset_types": ["system.location"]}]
    assert_error(api.patch(url, {"references": refs}), 400, "ext_")
    refs[-1]["name"] = "ext_site"
    assert api.patch(url, {"references": refs}).status_code == 200
    assert_error(api.patch(url, {"display_name": "People"}), 400)
    # The new ext_ property is usable at once.
    org = api.post("/organizations", {"name": "O", "type": "client", "status": "active"}).json()
    made = api.post(
        "/assets/system.contact",
        {"organization_id": org["id"], "important": True, "ext_shoe_size": 42},
    )
    assert made.status_code == 201
    assert made.json()["ext_shoe_size"] == 42
