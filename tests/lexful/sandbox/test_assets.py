"""Assets: create, read, update, delete, and validation against the type definition."""

from __future__ import annotations

from typing import Any

import pytest

from lexful_sandbox import Sandbox
from lexful_sandbox.seed.data import network_device_type
from tests.lexful.sandbox.conftest import Api, assert_error, make_contact, make_org


@pytest.fixture
def org(api: Api) -> dict[str, Any]:
    return make_org(api)


@pytest.fixture
def devices(api: Api) -> str:
    assert api.post("/asset_types", network_device_type()).status_code == 201
    return "/assets/network_device"


def test_record_shape(api: Api, org: dict) -> None:
    contact = make_contact(api, org["id"], contact_type="Owner")
    fixed = {
        "id", "organization_id", "organization_name", "name", "visibility", "owned_by",
        "labels", "references", "asset_type", "created_at", "updated_at", "created_by",
        "updated_by", "deleted_at",
    }  # fmt: skip
    props = {"first_name", "last_name", "title", "important", "contact_type", "contact_methods"}
    assert set(contact) >= fixed | props
    assert contact["visibility"] == "inherit"
    assert contact["references"] == {"location": None}
    assert contact["created_at"].endswith("Z")
    assert contact["created_at"][-5] == "."
    assert api.get(f"/assets/system.contact/{contact['id']}").json() == contact
    expanded = api.get(f"/assets/system.contact/{contact['id']}?expand=labels,references")
    assert expanded.status_code == 200
    assert_error(api.get(f"/assets/system.contact/{contact['id']}?expand=owner"), 400)


def test_derived_names(api: Api, org: dict, devices: str) -> None:
    assert make_contact(api, org["id"], first_name="Ann", last_name=None)["name"] == "Ann"
    nameless = api.post(
        "/assets/system.contact", {"organization_id": org["id"], "important": True, "title": "CTO"}
    )
    assert nameless.json()["name"] == "CTO"
    device = api.post(devices, {"organization_id": org["id"], "name": "sw-1"}).json()
    assert device["name"] == "sw-1"
    renamed = api.patch(f"{devices}/{device['id']}", {"name": "sw-2"}).json()
    assert renamed["name"] == "sw-2"
    assert_error(
        api.patch(f"/assets/system.contact/{nameless.json()['id']}", {"name": "x"}), 400, "name"
    )


def test_every_property_type(api: Api, org: dict, devices: str) -> None:
    body = {
        "organization_id": org["id"],
        "name": "core-sw",
        "device_role": "Switch",
        "port_count": 48,
        "throughput_gbps": 2.5,
        "managed": True,
        "vlans": ["VLAN1", "VLAN20"],
        "interfaces": [{"name": "eth0", "ip_address": "10.0.0.1", "speed_mbps": 1000}],
        "notes": "<p>rich</p>",
        "snmp_community": "public",
        "mfa_seed": "JBSWY3DPEHPK3PXP",
        "purchase_date": "2023-04-05",
        "last_seen_at": "2025-01-02T03:04:05+02:00",
        "visibility": "restricted",
        "owned_by": "018bd87e-d47d-7001-a9b3-b30678e51061",
    }
    answer = api.post(devices, body)
    assert answer.status_code == 201, answer.text
    device = answer.json()
    assert device["snmp_community"] == "********"
    assert device["mfa_seed"] == "********"
    assert device["last_seen_at"] == "2025-01-02T01:04:05.000Z"
    assert device["purchase_date"] == "2023-04-05"
    assert device["interfaces"] == body["interfaces"]
    assert device["firmware_image"] is None
    assert device["visibility"] == "restricted"
    assert api.get(f"{devices}/{device['id']}").json()["snmp_community"] == "********"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"port_count": 1.5}, "port_count"),
        ({"port_count": True}, "port_count"),
        ({"throughput_gbps": "fast"}, "throughput_gbps"),
        ({"managed": "yes"}, "managed"),
        ({"device_role": "Toaster"}, "device_role"),
        ({"vlans": "VLAN1"}, "vlans"),
        ({"vlans": [1]}, "vlans[0]"),
        ({"interfaces": [{"ip_address": "x"}]}, "interfaces[0].name"),
        ({"interfaces": [{"name": "e", "mtu": 9000}]}, "interfaces[0].mtu"),
        ({"interfaces": [{"name": "e", "speed_mbps": "fast"}]}, "speed_mbps"),
        ({"purchase_date": "yesterday"}, "purchase_date"),
        ({"last_seen_at": "2025-13-01T00:00:00Z"}, "last_seen_at"),
        ({"firmware_image": "018bd87e-d47d-7001-a9b3-b30678e51061"}, "firmware_image"),
        ({"colour": "red"}, "colour"),
        ({"visibility": "public"}, "visibility"),
        ({"asset_type": "x"}, "asset_type"),
        ({"created_at": "2024-01-01"}, "created_at"),
        ({"references": {"nope": None}}, "references.nope"),
        ({"references": {"location": "018bd87e-d47d-7001-a9b3-b30678e51061"}}, "location"),
        ({"references": {"connected_devices": "x"}}, "connected_devices"),
    ],
)
def test_validation_names_the_field(
    api: Api, org: dict, devices: str, body: dict, field: str
) -> None:
    answer = api.post(devices, {"organization_id": org["id"], "name": "d", **body})
    error = assert_error(answer, 400, field)
    assert field.split(".", maxsplit=1)[0].split("[", maxsplit=1)[0] in error["developer_message"]


def test_required_fields(api: Api, org: dict) -> None:
    assert_error(
        api.post("/assets/system.contact", {"organization_id": org["id"]}), 400, "important"
    )
    assert_error(api.post("/assets/system.contact", {"important": True}), 400, "organization_id")
    missing_org = {"organization_id": "018bd87e-d47d-7001-a9b3-b30678e51061", "important": True}
    assert_error(api.post("/assets/system.contact", missing_org), 400, "organization_id")
    methods = {
        "organization_id": org["id"],
        "important": True,
        "contact_methods": [{"type": "Email"}],
    }
    assert_error(api.post("/assets/system.contact", methods), 400, "value")
    contact = make_contact(api, org["id"])
    assert_error(api.patch(f"/assets/system.contact/{contact['id']}", {"important": None}), 400)


def test_references_single_and_multiple(api: Api, org: dict, devices: str) -> None:
    site = api.post("/assets/system.location", {"organization_id": org["id"], "name": "HQ"}).json()
    config = api.post(
        "/assets/system.configuration", {"organization_id": org["id"], "name": "c"}
    ).json()
    contact = make_contact(api, org["id"], references={"location": site["id"]})
    assert contact["references"] == {"location": site["id"]}
    body = {
        "organization_id": org["id"],
        "name": "d",
        "references": {"location": site["id"], "connected_devices": [config["id"]]},
    }
    device = api.post(devices, body).json()
    assert device["references"]["connected_devices"] == [config["id"]]
    wrong_type = {"references": {"location": contact["id"]}}
    assert_error(api.patch(f"/assets/system.contact/{contact['id']}", wrong_type), 400, "location")
    cleared = api.patch(
        f"/assets/system.contact/{contact['id']}", {"references": {"location": None}}
    )
    assert cleared.json()["references"]["location"] is None


def test_patch_replaces_arrays_and_null_clears(api: Api, org: dict) -> None:
    contact = make_contact(
        api,
        org["id"],
        title="CTO",
        contact_methods=[{"type": "Email", "value": "a@x"}, {"type": "Phone", "value": "1"}],
    )
    url = f"/assets/system.contact/{contact['id']}"
    patched = api.patch(url, {"contact_methods": [{"type": "Fax", "value": "2"}], "title": None})
    assert patched.status_code == 200
    body = patched.json()
    assert body["contact_methods"] == [{"type": "Fax", "value": "2"}]
    assert body["title"] is None
    assert body["first_name"] == "Jane"
    assert body["updated_at"] > contact["updated_at"]
    assert body["created_at"] == contact["created_at"]
    moved_to = make_org(api, "Other Org")
    moved = api.patch(url, {"organization_id": moved_to["id"]}).json()
    assert (moved["organization_id"], moved["organization_name"]) == (moved_to["id"], "Other Org")


def test_delete_is_soft(api: Api, org: dict) -> None:
    contact = make_contact(api, org["id"])
    url = f"/assets/system.contact/{contact['id']}"
    assert api.delete(url).status_code == 204
    assert_error(api.get(url), 404)
    assert_error(api.patch(url, {"title": "x"}), 404)
    assert_error(api.delete(url), 404)
    assert api.get(url + "?include_deleted=true").json()["deleted_at"] is not None
    assert api.get("/assets/system.contact").json()["total"] == 0
    assert api.get("/assets/system.contact?include_deleted=true").json()["total"] == 1


def test_wrong_type_or_unknown_ids(api: Api, org: dict) -> None:
    contact = make_contact(api, org["id"])
    assert_error(api.get(f"/assets/system.location/{contact['id']}"), 404)
    assert_error(api.get("/assets/no_such_type"), 404, "no_such_type")
    assert_error(api.post("/assets/no_such_type", {}), 404)
    assert_error(api.get("/assets/system.contact/not-an-id"), 404)


def test_patch_without_change_keeps_updated_at(api: Api, org: dict) -> None:
    contact = make_contact(api, org["id"], title="CTO")
    url = f"/assets/system.contact/{contact['id']}"
    same = api.patch(url, {"title": "CTO", "first_name": "Jane"}).json()
    assert same["updated_at"] == contact["updated_at"]
    assert api.patch(url, {}).json() == contact
    changed = api.patch(url, {"title": "CEO"}).json()
    assert changed["updated_at"] > contact["updated_at"]
    org_same = api.patch(f"/organizations/{org['id']}", {"name": org["name"]}).json()
    assert org_same["updated_at"] == org["updated_at"]


def test_secrets_are_kept_but_only_ever_read_back_masked(
    api: Api, demo_sandbox: Sandbox, org: dict, devices: str
) -> None:
    body = {"organization_id": org["id"], "name": "fw-1", "snmp_community": "hunter2"}
    device = api.post(devices, body).json()
    assert device["snmp_community"] == "********"
    assert demo_sandbox.store.secrets(api.account_id, device["id"]) == {"snmp_community": "hunter2"}

    renamed = api.patch(f"{devices}/{device['id']}", {"name": "fw-2"}).json()
    assert demo_sandbox.store.secrets(api.account_id, device["id"]) == {"snmp_community": "hunter2"}

    rotated = api.patch(f"{devices}/{device['id']}", {"snmp_community": "s3cret"}).json()
    assert rotated["snmp_community"] == "********"
    assert rotated["updated_at"] > renamed["updated_at"]  # a new secret is a change
    assert demo_sandbox.store.secrets(api.account_id, device["id"]) == {"snmp_community": "s3cret"}
    listed = api.items(devices, **{"id[eq]": device["id"]})
    assert "s3cret" not in str(listed)
