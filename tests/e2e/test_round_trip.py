"""Copy a demo account into an empty one with tap-lexful | target-lexful, and compare them."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from lexful_api.contract import assets_path, files_path, related_path, users_path
from lexful_sandbox import Sandbox
from tests.e2e.account import Snapshot, differences, snapshot
from tests.e2e.pipeline import tap_into_target
from tests.lexful.client import client_for, list_all, upload_file

CONTACT = "system.contact"


def assert_same_account(a: Snapshot, b: Snapshot) -> None:
    assert b.unresolved == [], f"references in the copy that point nowhere: {b.unresolved[:5]}"
    assert a.organization_types <= b.organization_types
    for name, definition in a.asset_types.items():
        assert b.asset_types.get(name) == definition, f"asset type {name} differs"
    for kind in ("organizations", "assets", "links", "files"):
        assert getattr(a, kind) == getattr(b, kind), f"{kind}:\n" + differences(
            getattr(a, kind), getattr(b, kind)
        )


def rejected(path: Path) -> Counter[str]:
    """How many records each stream rejected."""
    if not path.exists():
        return Counter()
    return Counter(json.loads(line)["stream"] for line in path.read_text().splitlines() if line)


def test_copy_demo_account_exactly_once_then_idempotent(
    own_demo_sandbox: Sandbox, tmp_path: Path
) -> None:
    source, dest = own_demo_sandbox.config, own_demo_sandbox.new_account()
    rejects = tmp_path / "rejects.jsonl"
    target_config = dest | {
        "create_asset_types": True,
        "id_map_path": str(tmp_path / "id-map.sqlite"),
        "rejects_path": str(rejects),
    }
    tap_config = source | {"files_content": "inline"}

    tap_into_target(tmp_path, tap_config, target_config)
    a, b = snapshot(source), snapshot(dest)
    assert a.counts()["assets"] > 500
    assert a.counts()["links"] > 0
    assert a.counts()["files"] > 0
    assert_same_account(a, b)
    # Users the destination lacks are created only with create_users (the admin is in both):
    # rejected with their reason, and nothing else is. A file whose upload never completed
    # has no bytes to copy: skipped, not rejected.
    assert a.pending_files > 0
    users = len(list_all(client_for(source), users_path()))
    assert rejected(rejects) == Counter(users=users - 1)

    # B's copy of a device gets a real secret, and A's device changes: the next run must
    # carry the change and leave the secret alone, never write the mask over it.
    a_device, b_device = matching_device(source, dest)
    client_for(dest).send_json("PATCH", device_path(b_device), {"snmp_community": "b-real-secret"})
    client_for(source).send_json("PATCH", device_path(a_device), {"port_count": 4242})

    tap_into_target(tmp_path, tap_config, target_config)
    again = snapshot(dest)
    assert again.counts() == b.counts()
    assert_same_account(snapshot(source), again)
    assert client_for(dest).get_json(device_path(b_device))["port_count"] == 4242
    secrets = own_demo_sandbox.store.secrets(dest["account_id"], b_device["id"])
    assert secrets["snmp_community"] == "b-real-secret"


def device_path(device: dict) -> str:
    return assets_path("network_device", device["id"])


def matching_device(source: dict[str, str], dest: dict[str, str]) -> tuple[dict, dict]:
    """A network device of A with a unique name, and its copy in B."""
    a_devices = list_all(client_for(source), assets_path("network_device"))
    names = Counter(d["name"] for d in a_devices)
    a_device = next(d for d in a_devices if names[d["name"]] == 1)
    b_devices = list_all(client_for(dest), assets_path("network_device"))
    return a_device, next(d for d in b_devices if d["name"] == a_device["name"])


def test_children_pass_keeps_a_copy_equal_after_links_and_files_change(
    own_demo_sandbox: Sandbox, tmp_path: Path
) -> None:
    """Links and files added to and removed from old assets of A reach B with the children
    pass (children: all_parents), and nothing else in B moves."""
    source, dest = own_demo_sandbox.config, own_demo_sandbox.new_account()
    target_config = dest | {
        "create_asset_types": True,
        "id_map_path": str(tmp_path / "id-map.sqlite"),
        "rejects_path": str(tmp_path / "rejects.jsonl"),
    }
    tap_config = source | {"files_content": "inline"}
    tap_into_target(tmp_path, tap_config, target_config)
    _change_links_and_files(client_for(source))

    tap_into_target(tmp_path, tap_config | {"children": "all_parents"}, target_config)

    after = snapshot(source)
    assert_same_account(after, snapshot(dest))


def _change_links_and_files(client: Any) -> None:
    """On old contacts of A: a link and a file added, a link and a file removed."""
    contacts = list_all(client, assets_path(CONTACT))
    linked = next(
        (c, links) for c in contacts if (links := list_all(client, related_path(CONTACT, c["id"])))
    )
    filed = next(
        (c, done)
        for c in contacts
        if (
            done := [
                f
                for f in list_all(client, files_path(CONTACT, c["id"]))
                if f.get("upload_status") == "completed"
            ]
        )
    )
    contact, links = linked
    client.request("DELETE", related_path(CONTACT, contact["id"], links[0]["asset_id"]))
    owner, files = filed
    client.request("DELETE", files_path(CONTACT, owner["id"], files[0]["id"]))
    quiet = next(c for c in contacts if c["id"] not in {contact["id"], owner["id"]})
    body = [{"asset_id": owner["id"], "description": "added after the copy"}]
    client.send_json("PUT", related_path(CONTACT, quiet["id"]), body)
    upload_file(client, CONTACT, quiet["id"], "added-later.txt", b"added after the copy\n")
