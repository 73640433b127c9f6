"""A delete in the source reaches the copy: tap-lexful | target-lexful with default tap settings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lexful_api import contract
from lexful_sandbox import Sandbox
from tests.e2e.pipeline import tap_into_target
from tests.lexful.client import client_for, create_asset, create_organizations, list_all


def _last_state(stdout: str) -> dict[str, Any]:
    states = [json.loads(line) for line in stdout.splitlines() if line.strip()]
    return states[-1]


def _ids(config: dict[str, Any], path: str) -> set[str]:
    return {r["id"] for r in list_all(client_for(config), path)}


def test_an_organization_a_user_and_an_asset_deleted_in_the_source_are_deleted_in_the_copy(
    demo_sandbox: Sandbox, tmp_path: Path
) -> None:
    source, dest = demo_sandbox.new_account(), demo_sandbox.new_account()
    client = client_for(source)
    orgs = create_organizations(client, 3)
    contacts = [
        create_asset(client, "system.contact", orgs[0]["id"], first_name=n, important=False)
        for n in ("Gone", "Kept")
    ]
    user = client.send_json(
        "POST",
        contract.users_path(),
        {"email": "leaver@example.com", "role": "support", "organization_scopes": [orgs[0]["id"]]},
    )
    target = dest | {
        "create_users": True,
        "id_map_path": str(tmp_path / "id-map.sqlite"),
        "rejects_path": str(tmp_path / "rejects.jsonl"),
    }
    state = _last_state(tap_into_target(tmp_path, source, target))
    contact_path = contract.assets_path("system.contact")
    assert len(_ids(dest, contract.organizations_path())) == 3
    assert len(_ids(dest, contact_path)) == 2
    assert "leaver@example.com" in {u["email"] for u in list_all(client_for(dest), "/v1/users")}

    client.request("DELETE", contract.organizations_path(orgs[2]["id"]))
    client.request("DELETE", contract.assets_path("system.contact", contacts[0]["id"]))
    client.request("DELETE", contract.users_path(user["id"]))
    state = _last_state(tap_into_target(tmp_path, source, target, state))

    dest_client = client_for(dest)
    organizations = list_all(dest_client, contract.organizations_path())
    assert sorted(o["name"] for o in organizations) == sorted(o["name"] for o in orgs[:2])
    assert [c["first_name"] for c in list_all(dest_client, contact_path)] == ["Kept"]
    assert "leaver@example.com" not in {u["email"] for u in list_all(dest_client, "/v1/users")}
    assert not (tmp_path / "rejects.jsonl").exists()

    tap_into_target(tmp_path, source, target, state)  # the deletes are not sent again
    assert len(list_all(dest_client, contract.organizations_path())) == 2
    assert not (tmp_path / "rejects.jsonl").exists()
