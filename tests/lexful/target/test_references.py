"""References follow the id map, whatever order the streams arrive in."""

from __future__ import annotations

import sqlite3
import uuid

import pytest

from lexful_api import contract
from tests.lexful.client import list_all
from tests.lexful.target.helpers import read_rejects, record, run_target, schema, target_config


def _uuid() -> str:
    return str(uuid.uuid4())


def _org(oid: str, name: str, parent: str | None = None) -> dict:
    return {"id": oid, "name": name, "type": "client", "status": "active", "parent_id": parent}


def _contact(cid: str, org: str, first: str, location: str | None = None) -> dict:
    rec = {
        "id": cid,
        "organization_id": org,
        "first_name": first,
        "last_name": "X",
        "important": True,
    }
    if location:
        rec["references"] = {"location": location}
    return rec


def _location(lid: str, org: str, name: str) -> dict:
    return {"id": lid, "organization_id": org, "name": name}


def _link(a: str, b: str, description: str) -> dict:
    return {
        "asset_id": a,
        "asset_type": "system.contact",
        "related_asset_id": b,
        "related_asset_type": "system.location",
        "description": description,
    }


@pytest.mark.parametrize("batch_size_rows", [1, 500])
def test_streams_in_reverse_order_still_resolve(
    empty_account, client, tmp_path, batch_size_rows
) -> None:
    root, child, grandchild = _uuid(), _uuid(), _uuid()
    ada, bob, office = _uuid(), _uuid(), _uuid()
    messages = [
        schema("related_assets", ["asset_id", "related_asset_id"]),
        record("related_assets", _link(ada, office, "works at")),
        schema("system_contact"),
        record("system_contact", _contact(ada, grandchild, "Ada", location=office)),
        record("system_contact", _contact(bob, root, "Bob")),
        schema("organizations"),
        record("organizations", _org(grandchild, "Grandchild", child)),
        record("organizations", _org(child, "Child", root)),
        record("system_contact", _contact(bob, root, "Bob")),  # a duplicate: written once
        schema("system_location"),
        record("system_location", _location(office, child, "HQ")),
        record("organizations", _org(root, "Root")),
    ]
    config = target_config(empty_account, tmp_path, batch_size_rows=batch_size_rows)

    run = run_target(config, messages)

    assert read_rejects(tmp_path) == []
    orgs = {o["name"]: o for o in list_all(client, contract.organizations_path())}
    assert orgs["Child"]["parent_id"] == orgs["Root"]["id"]
    assert orgs["Grandchild"]["parent_id"] == orgs["Child"]["id"]
    people = {p["first_name"]: p for p in list_all(client, contract.assets_path("system.contact"))}
    assert len(people) == 2
    places = list_all(client, contract.assets_path("system.location"))
    assert people["Ada"]["organization_id"] == orgs["Grandchild"]["id"]
    assert people["Ada"]["references"]["location"] == places[0]["id"]
    links = list_all(client, contract.related_path("system.contact", people["Ada"]["id"]))
    assert [(x["asset_id"], x["description"]) for x in links] == [(places[0]["id"], "works at")]
    assert run.count("system_contact", "created") == 2
    with sqlite3.connect(tmp_path / "id-map.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM waiting").fetchone()[0] == 0


def test_waiting_records_wait_on_disk_across_batches(empty_account, client, tmp_path) -> None:
    org = _uuid()
    contacts = [_contact(_uuid(), org, f"P{i}") for i in range(5)]
    messages = [schema("system_contact"), *[record("system_contact", c) for c in contacts]]
    messages += [{"type": "STATE", "value": {"at": "contacts"}}]
    messages += [schema("organizations"), record("organizations", _org(org, "Late"))]
    config = target_config(empty_account, tmp_path, batch_size_rows=2)

    run = run_target(config, messages)

    assert run.count("system_contact", "created") == 5
    assert len(list_all(client, contract.assets_path("system.contact"))) == 5
    assert run.states[-1] == {"at": "contacts"}


def test_unresolved_references_are_rejected_at_the_end_with_their_name(
    empty_account, client, tmp_path
) -> None:
    ghost, org = _uuid(), _uuid()
    messages = [
        schema("organizations"),
        record("organizations", _org(org, "Real")),
        record("organizations", _org(_uuid(), "Orphan", parent=ghost)),
        schema("system_contact"),
        record("system_contact", _contact(_uuid(), ghost, "Nobody")),
        record("system_contact", _contact(_uuid(), org, "Somebody")),
    ]
    config = target_config(empty_account, tmp_path)

    run = run_target(config, messages)

    rejects = read_rejects(tmp_path)
    assert sorted(r["stream"] for r in rejects) == ["organizations", "system_contact"]
    assert all(ghost in r["error"] and "unresolved reference" in r["error"] for r in rejects)
    assert any("parent_id=" in r["error"] for r in rejects)
    assert any("organization_id=" in r["error"] for r in rejects)
    assert run.count("system_contact", "created") == 1
    assert run.count("organizations", "rejected") == 1
    assert len(list_all(client, contract.organizations_path())) == 1


def test_a_reference_to_a_rejected_record_is_rejected_with_the_reason(
    empty_account, tmp_path
) -> None:
    bad = _uuid()
    messages = [
        schema("organizations"),
        record("organizations", {**_org(bad, "Bad"), "type": "no-such-type"}),
        schema("system_contact"),
        record("system_contact", _contact(_uuid(), bad, "Orphan")),
    ]
    run_target(target_config(empty_account, tmp_path), messages)

    rejects = {r["stream"]: r for r in read_rejects(tmp_path)}
    assert rejects["organizations"]["status"] == 400
    assert f"organization_id {bad} was rejected" in rejects["system_contact"]["error"]


def test_a_reject_of_an_earlier_run_waits_for_its_record_in_this_one(
    empty_account, client, tmp_path
) -> None:
    """Run 1 rejects an organization (and so its contact); run 2 sends the contact first, then
    the organization fixed: the contact waits for it instead of being rejected again."""
    oid, cid = _uuid(), _uuid()
    config = target_config(empty_account, tmp_path)
    run_target(
        config,
        [
            schema("organizations"),
            record("organizations", {**_org(oid, "Fixed later"), "type": "no-such-type"}),
            schema("system_contact"),
            record("system_contact", _contact(cid, oid, "Patient")),
        ],
    )
    assert {r["stream"] for r in read_rejects(tmp_path)} == {"organizations", "system_contact"}

    again = run_target(
        config,
        [
            schema("system_contact"),
            record("system_contact", _contact(cid, oid, "Patient")),
            schema("organizations"),
            record("organizations", _org(oid, "Fixed later")),
        ],
    )

    assert again.count("system_contact", "created") == 1
    assert again.count("organizations", "created") == 1
    (org,) = list_all(client, contract.organizations_path())
    (person,) = list_all(client, contract.assets_path("system.contact"))
    assert person["organization_id"] == org["id"]


def test_custom_types_are_created_referenced_first(empty_account, client, tmp_path) -> None:
    rack = {"name": "rack", "properties": [{"name": "name", "type": "string", "required": True}]}
    server = {
        "name": "server",
        "properties": [{"name": "name", "type": "string", "required": True}],
        "references": [{"name": "rack", "multiple": False, "target_asset_types": ["rack"]}],
    }
    org, rack_id, server_id = _uuid(), _uuid(), _uuid()
    messages = [
        schema("asset_types"),
        record("asset_types", {"id": _uuid(), **server}),  # references a type not created yet
        record("asset_types", {"id": _uuid(), **rack}),
        schema("organizations"),
        record("organizations", _org(org, "DC")),
        schema("server"),
        record(
            "server",
            {
                "id": server_id,
                "organization_id": org,
                "name": "web1",
                "references": {"rack": rack_id},
            },
        ),
        schema("rack"),
        record("rack", {"id": rack_id, "organization_id": org, "name": "R1"}),
    ]

    run_target(target_config(empty_account, tmp_path, create_asset_types=True), messages)

    assert read_rejects(tmp_path) == []
    racks = list_all(client, contract.assets_path("rack"))
    servers = list_all(client, contract.assets_path("server"))
    assert servers[0]["references"]["rack"] == racks[0]["id"]
