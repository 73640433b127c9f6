"""One JSON type per property, and every value of that type: what a warehouse loader needs.

A loader makes a column of each property. A property whose type changes from record to record
fails the load: the users' scopes, a list of ids or "*", stopped ``tap-lexful | target-duckdb``
on the demo account (issue 12). So every property of every stream, at every depth, must have
one type beside null, under each setting that changes a schema, and every record of a sync
must hold values of those types.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from lexful_api import LexfulClient, contract
from lexful_sandbox import Sandbox
from tests.lexful.client import create_asset, create_organizations, list_all
from tests.lexful.tap.helpers import Output, discover, sync, tap_config

# The settings that change a schema: _sdc_deleted_at, and the content fields of files.
VARIANTS = [
    pytest.param({}, id="default"),
    pytest.param({"include_deleted": True}, id="include_deleted"),
    pytest.param({"files_content": "inline"}, id="files_inline"),
    pytest.param({"files_content": "directory"}, id="files_directory"),
]
_PYTHON_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "object": dict,
    "array": list,
}


def _types(schema: dict[str, Any]) -> set[str]:
    declared = schema.get("type", [])
    return {declared} if isinstance(declared, str) else set(declared)


def _children(schema: dict[str, Any], path: str) -> list[tuple[dict[str, Any], str]]:
    """The schemas nested in ``schema``: its properties, items, additional and alternatives."""
    nested = [(sub, f"{path}.{name}") for name, sub in schema.get("properties", {}).items()]
    nested += [(sub, f"{path}.{name}") for name, sub in schema.get("patternProperties", {}).items()]
    items = schema.get("items")
    nested += [(sub, f"{path}[]") for sub in (items if isinstance(items, list) else [items])]
    nested.append((schema.get("additionalProperties"), f"{path}.*"))
    for word in ("anyOf", "oneOf", "allOf"):
        nested += [(sub, f"{path}<{word}>") for sub in schema.get(word, [])]
    return [(sub, where) for sub, where in nested if isinstance(sub, dict)]


def unions(schema: dict[str, Any], path: str = "") -> list[str]:
    """Every place in ``schema`` that does not have exactly one JSON type beside null."""
    found = []
    alternatives = [*schema.get("anyOf", []), *schema.get("oneOf", [])]
    if alternatives:
        types = set().union(*(_types(alt) for alt in alternatives)) - {"null"}
        if len(types) != 1:
            found.append(f"{path}: anyOf/oneOf of {sorted(types)}")
    else:
        types = _types(schema) - {"null"}
        if len(types) != 1:
            found.append(f"{path}: {sorted(types) or 'no type (any JSON value)'}")
    for sub, where in _children(schema, path):
        found += unions(sub, where)
    return found


def mistyped(value: Any, schema: dict[str, Any], path: str) -> list[str]:
    """Every value in ``value`` (at any depth) that is not of its schema's one type."""
    if value is None:
        return []  # null is allowed: the schema test checks the type beside it
    types = _types(schema) - {"null"}
    if len(types) != 1:
        return [f"{path}: the schema has no single type ({sorted(types)})"]
    (kind,) = types
    bool_as_number = isinstance(value, bool) and kind in ("integer", "number")
    if bool_as_number or not isinstance(value, _PYTHON_TYPES[kind]):
        return [f"{path}: {value!r} is not of type {kind}"]
    found: list[str] = []
    if kind == "object":
        for name, sub in schema.get("properties", {}).items():
            found += mistyped(value.get(name), sub, f"{path}.{name}")
    elif kind == "array":
        for index, item in enumerate(value):
            found += mistyped(item, schema.get("items", {}), f"{path}[{index}]")
    return found


def record_problems(output: Output) -> list[str]:
    """Every record value of a sync that is not of its property's type, or not in the schema."""
    schemas: dict[str, dict[str, Any]] = {}
    found: list[str] = []
    for message in output.messages:
        if message["type"] == "SCHEMA":
            schemas[message["stream"]] = message["schema"]
        elif message["type"] == "RECORD":
            stream, record = message["stream"], message["record"]
            schema = schemas[stream]
            found += [
                f"{stream}.{name}: not in the schema"
                for name in set(record) - set(schema["properties"])
            ]
            found += mistyped(record, schema, stream)
    return found


@pytest.mark.parametrize("settings", VARIANTS)
def test_every_property_of_every_stream_has_one_type(
    demo_sandbox: Sandbox, settings: dict[str, Any], tmp_path: Path
) -> None:
    config = tap_config(demo_sandbox.config, files_dir=str(tmp_path), **settings)
    catalog = discover(config)

    found = [u for entry in catalog["streams"] for u in unions(entry["schema"], entry["stream"])]
    assert found == []
    names = {entry["stream"] for entry in catalog["streams"]}
    assert {"users", "files", "asset_types", "network_device"} <= names  # every kind was seen


def test_every_record_of_the_demo_account_is_of_its_schema(demo_sandbox: Sandbox) -> None:
    settings = {"include_deleted": True, "files_content": "inline"}  # the widest records
    output = sync(tap_config(demo_sandbox.config, **settings))

    assert record_problems(output) == []
    streams = set(output.streams())
    assert {"users", "files", "related_assets", "asset_types", "network_device"} <= streams
    admins = [u for u in output.records("users") if u["all_organizations"]]
    assert admins
    assert all(u["organization_scopes"] == [] for u in admins)


def test_the_checks_find_a_union_and_a_value_of_another_type() -> None:
    """The two checks above can fail: the shape of the scopes before issue 12 fails both."""
    old = {"type": ["array", "string", "null"], "items": {"type": "string"}}
    schema = {"type": "object", "properties": {"organization_scopes": old, "extra": {}}}
    assert unions(schema, "users") == [
        "users.organization_scopes: ['array', 'string']",
        "users.extra: no type (any JSON value)",
    ]
    new = {**schema, "properties": {"organization_scopes": {"type": ["array", "null"]}}}
    assert mistyped({"organization_scopes": "*"}, new, "users") == [
        "users.organization_scopes: '*' is not of type array"
    ]


# --- the users' scopes ----------------------------------------------------------------------


def _add_scoped_user(sandbox: Sandbox, account: dict[str, Any], org_ids: list[str]) -> str:
    """A second user of ``account``, scoped to ``org_ids`` (the API has no call that adds one)."""
    admin = sandbox.store.find("users", account["account_id"], "deleted_at IS NULL")[0]
    user = {**admin, "id": str(uuid.uuid4()), "email": "tech@example.com", "role": "support"}
    sandbox.store.insert("users", account["account_id"], {**user, "organization_scopes": org_ids})
    return str(user["id"])


def test_user_scopes_are_a_list_of_ids_and_a_flag_for_all(
    demo_sandbox: Sandbox, empty_account: dict[str, Any], client: LexfulClient
) -> None:
    org_ids = [o["id"] for o in create_organizations(client, 2)]
    scoped = _add_scoped_user(demo_sandbox, empty_account, org_ids)
    raw = {u["id"]: u for u in list_all(client, contract.users_path())}

    users = {u["id"]: u for u in sync(tap_config(empty_account)).records("users")}

    admin = next(u for u in users.values() if u["id"] != scoped)
    assert raw[admin["id"]]["organization_scopes"] == contract.SCOPE_ALL  # what the API says
    assert (admin["organization_scopes"], admin["all_organizations"]) == ([], True)
    assert (admin["account_scopes"], admin["all_accounts"]) == (
        [empty_account["account_id"]],
        False,
    )
    assert (users[scoped]["organization_scopes"], users[scoped]["all_organizations"]) == (
        org_ids,
        False,
    )


def test_a_scope_flag_selected_alone_is_read_from_its_scope(
    demo_sandbox: Sandbox, empty_account: dict[str, Any], client: LexfulClient
) -> None:
    """``fields=`` asks the API for organization_scopes: all_organizations is not the API's."""
    scoped = _add_scoped_user(
        demo_sandbox, empty_account, [create_organizations(client, 1)[0]["id"]]
    )
    catalog = discover(tap_config(empty_account))
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            wanted = not item["breadcrumb"] or item["breadcrumb"][-1] in {"id", "all_organizations"}
            item["metadata"]["selected"] = entry["stream"] == "users" and wanted

    users = sync(tap_config(empty_account), catalog=catalog).records("users")

    assert {u["id"]: u["all_organizations"] for u in users} == {
        scoped: False,
        **{u["id"]: True for u in users if u["id"] != scoped},
    }
    assert all(set(u) == {"id", "created_at", "all_organizations"} for u in users)


def test_scope_ids_reads_both_shapes_of_the_api() -> None:
    assert contract.scope_ids("*") == ([], True)
    assert contract.scope_ids(["a", "b"]) == (["a", "b"], False)
    assert contract.scope_ids([]) == ([], False)
    assert contract.scope_ids(None) == (None, False)
    assert contract.scope_ids("a") == (["a"], False)


# --- a property type the tap does not know ----------------------------------------------------

GADGET = {
    "name": "gadget",
    "properties": [
        {"name": "label", "type": "string"},
        {"name": "shape", "type": "string"},
        {
            "name": "ports",
            "type": "array",
            "array": {"type": "object", "properties": [{"name": "number", "type": "integer"}]},
        },
    ],
}


def _grow_new_types(sandbox: Sandbox, account: dict[str, Any], asset_id: str) -> None:
    """As if the API had grown property types the tap does not know: ``shape`` becomes a
    "hologram" (an object now) and the items of ``ports`` hold a "qubit" property."""
    store, account_id = sandbox.store, account["account_id"]
    (gadget,) = store.find("asset_types", account_id, "name = ?", ("gadget",))
    shape, ports = gadget["properties"][1], gadget["properties"][2]
    shape["type"] = "hologram"
    ports["array"]["properties"].append({"name": "spin", "type": "qubit"})
    store.save("asset_types", account_id, gadget)
    asset = store.get("assets", account_id, asset_id)
    assert asset is not None
    asset["shape"] = {"x": 1, "faces": ["é", 2.5]}
    asset["ports"] = [{"number": 22, "spin": {"up": True}}, {"number": 23}]
    store.save("assets", account_id, asset)


def test_a_property_of_an_unknown_type_goes_out_as_its_json_text(
    demo_sandbox: Sandbox, empty_account: dict[str, Any], client: LexfulClient
) -> None:
    client.send_json("POST", contract.asset_types_path(), GADGET)
    org = create_organizations(client, 1)[0]
    gadget = create_asset(client, "gadget", org["id"], label="g", shape="s", ports=[])
    _grow_new_types(demo_sandbox, empty_account, gadget["id"])
    config = tap_config(empty_account, asset_types=["gadget"])

    schema = next(s for s in discover(config)["streams"] if s["stream"] == "gadget")["schema"]
    output = sync(config)

    assert unions(schema) == []
    for name in ("shape", "ports"):  # ports: one of its items' properties is unknown
        prop = schema["properties"][name]
        assert (prop["type"], prop["contentMediaType"]) == (["string", "null"], "application/json")
    assert schema["properties"]["label"]["type"] == ["string", "null"]
    (record,) = output.records("gadget")
    assert json.loads(record["shape"]) == {"x": 1, "faces": ["é", 2.5]}
    assert json.loads(record["ports"]) == [{"number": 22, "spin": {"up": True}}, {"number": 23}]
    assert record_problems(output) == []
