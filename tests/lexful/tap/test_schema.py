"""Asset streams and their schemas come from the asset types, discovered at run time."""

from __future__ import annotations

import logging
from typing import Any

import jsonschema
import pytest

from lexful_api import LexfulClient, contract
from tap_lexful import schemas
from tests.lexful.client import create_organizations
from tests.lexful.tap.helpers import discover, sync, tap_config

WIDGET_TYPE = {
    "name": "lab_widget",
    "display_name": "Lab widget",
    "description": "Every property type of the contract",
    "properties": [
        {"name": "label", "type": "string", "required": True},
        {"name": "weight", "type": "number"},
        {"name": "count", "type": "integer"},
        {"name": "active", "type": "boolean"},
        {"name": "notes", "type": "richtext"},
        {"name": "password", "type": "secret"},
        {"name": "otp", "type": "totp"},
        {"name": "manual", "type": "file"},
        {"name": "bought_on", "type": "date"},
        {"name": "seen_at", "type": "datetime"},
        {"name": "color", "type": "string", "enum": ["red", "green"]},
        {"name": "tags", "type": "array", "array": {"type": "string"}},
        {
            "name": "ports",
            "type": "array",
            "array": {
                "type": "object",
                "properties": [
                    {"name": "number", "type": "integer", "required": True},
                    {"name": "kind", "type": "string", "enum": ["tcp", "udp"]},
                ],
            },
        },
    ],
    "references": [
        {"name": "home", "target_asset_types": ["system.location"], "multiple": False},
        {"name": "peers", "target_asset_types": ["lab_widget"], "multiple": True},
    ],
}


def _stream(catalog: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in catalog["streams"] if s["tap_stream_id"] == name)


def _make_widgets(client: LexfulClient) -> list[dict[str, Any]]:
    client.send_json("POST", contract.asset_types_path(), WIDGET_TYPE)
    organization = create_organizations(client, 1)[0]
    base = {"organization_id": organization["id"]}
    first = client.send_json(
        "POST",
        contract.assets_path("lab_widget"),
        {
            **base,
            "label": "alpha",
            "weight": 1.5,
            "count": 3,
            "active": True,
            "notes": "<p>hi</p>",
            "password": "hunter2",
            "otp": "JBSWY3DPEHPK3PXP",
            "bought_on": "2024-01-15",
            "seen_at": "2024-01-15T10:30:00.000Z",
            "color": "red",
            "tags": ["a", "b"],
            "ports": [{"number": 22, "kind": "tcp"}, {"number": 53}],
        },
    )
    second = client.send_json(
        "POST",
        contract.assets_path("lab_widget"),
        {**base, "label": "beta", "references": {"peers": [first["id"]]}},
    )
    return [first, second]


def test_schema_has_every_property_type(
    empty_account: dict[str, Any], client: LexfulClient
) -> None:
    _make_widgets(client)
    catalog = discover(tap_config(empty_account))
    schema = _stream(catalog, "lab_widget")["schema"]
    props = schema["properties"]

    # The type's rules for new writes are annotations, never constraints: a stored record
    # written before a rule changed must still be valid.
    assert props["label"]["type"] == ["string", "null"]
    assert props["label"]["description"].endswith(f"{schemas.RULES_PREFIX}required.")
    assert schema["required"] == ["id"]
    assert props["weight"]["type"] == ["number", "null"]
    assert props["count"]["type"] == ["integer", "null"]
    assert props["active"]["type"] == ["boolean", "null"]
    assert props["bought_on"]["format"] == "date"
    assert props["seen_at"]["format"] == "date-time"
    assert props["password"]["type"] == ["string", "null"]
    assert "enum" not in props["color"]
    assert props["color"]["description"] == f"{schemas.RULES_PREFIX}one of red, green."
    assert props["tags"]["items"]["type"] == ["string"]
    port = props["ports"]["items"]
    assert port["properties"]["number"]["type"] == ["integer", "null"]
    assert port["properties"]["number"]["description"] == f"{schemas.RULES_PREFIX}required."
    assert "required" not in port
    assert "one of tcp, udp" in port["properties"]["kind"]["description"]
    references = props["references"]["properties"]
    assert references["home"]["format"] == "uuid"
    assert references["peers"]["items"]["format"] == "uuid"
    for fixed in contract.ASSET_FIXED_FIELDS:
        assert (fixed in props) is (fixed not in schemas.ASSET_LEFT_OUT)
    assert "organization_name" not in props  # stale after a rename: the organizations stream's


def test_records_match_their_schema(empty_account: dict[str, Any], client: LexfulClient) -> None:
    widgets = _make_widgets(client)
    config = tap_config(empty_account, asset_types=["lab_widget"])
    schema = _stream(discover(config), "lab_widget")["schema"]
    records = sync(config).records("lab_widget")

    assert {r["id"] for r in records} == {w["id"] for w in widgets}
    for record in records:
        jsonschema.validate(record, schema)
        assert record["asset_type"] == "lab_widget"
        assert set(record) <= set(schema["properties"])  # nothing outside the schema
    alpha = next(r for r in records if r["label"] == "alpha")
    assert alpha["password"] == contract.MASKED_VALUE
    assert alpha["ports"] == [{"number": 22, "kind": "tcp"}, {"number": 53}]
    beta = next(r for r in records if r["label"] == "beta")
    assert beta["references"]["peers"] == [alpha["id"]]


def test_stream_names_and_ext_properties(
    empty_account: dict[str, Any], client: LexfulClient
) -> None:
    types = contract.list_items(client.get_json(contract.asset_types_path()))
    contact = next(t for t in types if t["name"] == "system.contact")
    client.send_json(
        "PATCH",
        contract.asset_types_path(contact["id"]),
        {"properties": [*contact["properties"], {"name": "ext_badge", "type": "integer"}]},
    )
    catalog = discover(tap_config(empty_account))
    names = {s["tap_stream_id"] for s in catalog["streams"]}
    assert {"system_contact", "system_location", "system_configuration"} <= names
    contact_schema = _stream(catalog, "system_contact")["schema"]
    assert contact_schema["properties"]["ext_badge"]["type"] == ["integer", "null"]
    contact_type = contact_schema["properties"]["contact_type"]
    assert "enum" not in contact_type
    assert "Owner" in contact_type["description"]


def test_asset_types_setting_limits_streams(demo_sandbox: Any) -> None:
    catalog = discover(tap_config(demo_sandbox.config, asset_types=["system.location"]))
    names = {s["tap_stream_id"] for s in catalog["streams"]}
    assert "system_location" in names
    assert "system_contact" not in names


def test_new_property_is_kept_and_reported(
    empty_account: dict[str, Any], client: LexfulClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A property added after discovery is not dropped from the records: it is reported."""
    organization = create_organizations(client, 1)[0]
    config = tap_config(empty_account, asset_types=["system.location"])
    old_catalog = discover(config)
    types = contract.list_items(client.get_json(contract.asset_types_path()))
    location = next(t for t in types if t["name"] == "system.location")
    new_property = {"name": "ext_floor", "type": "integer"}
    client.send_json(
        "PATCH",
        contract.asset_types_path(location["id"]),
        {"properties": [*location["properties"], new_property]},
    )
    client.send_json(
        "POST",
        contract.assets_path("system.location"),
        {"organization_id": organization["id"], "name": "annex", "ext_floor": 3},
    )
    with caplog.at_level(logging.WARNING):
        (record,) = sync(config, catalog=old_catalog).records("system_location")
    assert record["ext_floor"] == 3
    assert any("ext_floor" in r.getMessage() for r in caplog.records)


def test_a_changed_type_still_describes_the_stored_records(
    empty_account: dict[str, Any], client: LexfulClient
) -> None:
    """A property made required, and an enum value removed, after records were written: the
    stream's schema must still accept those records (a loader validates them against it)."""
    widgets = _make_widgets(client)
    types = contract.list_items(client.get_json(contract.asset_types_path()))
    widget = next(t for t in types if t["name"] == "lab_widget")
    changed = [
        {**p, "enum": ["green"]} if p["name"] == "color" else p for p in widget["properties"]
    ]
    changed.append({"name": "site_code", "type": "string", "required": True})
    client.send_json("PATCH", contract.asset_types_path(widget["id"]), {"properties": changed})

    config = tap_config(empty_account, asset_types=["lab_widget"])
    schema = _stream(discover(config), "lab_widget")["schema"]
    assert "required" in schema["properties"]["site_code"]["description"]
    records = sync(config).records("lab_widget")
    assert {r["id"] for r in records} == {w["id"] for w in widgets}
    alpha = next(r for r in records if r["label"] == "alpha")
    assert alpha["color"] == "red"  # a value the type no longer allows
    for record in records:
        jsonschema.validate(record, schema)


def test_a_property_whose_type_changed_still_fits_its_schema(
    empty_account: dict[str, Any], client: LexfulClient
) -> None:
    """A property's type changed after records were written (integer, boolean and number to
    string): the API still sends the old values, and each must fit the new schema, or a loader
    that validates records (target-postgres) stops the whole load."""
    _make_widgets(client)
    types = contract.list_items(client.get_json(contract.asset_types_path()))
    widget = next(t for t in types if t["name"] == "lab_widget")
    retyped = {"count", "active", "weight"}
    changed = [{**p, "type": "string"} if p["name"] in retyped else p for p in widget["properties"]]
    client.send_json("PATCH", contract.asset_types_path(widget["id"]), {"properties": changed})

    config = tap_config(empty_account, asset_types=["lab_widget"])
    schema = _stream(discover(config), "lab_widget")["schema"]
    records = sync(config).records("lab_widget")
    alpha = next(r for r in records if r["label"] == "alpha")
    assert (alpha["count"], alpha["active"], alpha["weight"]) == ("3", "true", "1.5")
    for record in records:
        jsonschema.validate(record, schema)
