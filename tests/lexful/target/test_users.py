"""Users: matched by email, updated where they differ, created and deleted with create_users."""

from __future__ import annotations

import json
from typing import Any

from lexful_api import contract
from tests.lexful.client import client_for, list_all, organization_body
from tests.lexful.target.helpers import (
    export_account,
    org_record,
    read_rejects,
    record,
    run_target,
    schema,
    target_config,
)


def _users(client: Any) -> dict[str, dict[str, Any]]:
    return {u["email"]: u for u in list_all(client, contract.users_path())}


def _user_messages(users: list[dict[str, Any]], orgs: list[dict[str, Any]] = ()) -> list:
    out: list = [schema("organizations"), *(record("organizations", o) for o in orgs)]
    return [*out, schema("users"), *(record("users", u) for u in users)]


def test_copying_the_demo_account_with_create_users_gives_equal_users(
    demo_sandbox, empty_account, client, calls, tmp_path
) -> None:
    source = client_for(demo_sandbox.config)
    messages = export_account(source, files_as="base64")
    config = target_config(empty_account, tmp_path, create_asset_types=True, create_users=True)

    run_target(config, messages)

    assert read_rejects(tmp_path) == []
    originals, copies = _users(source), _users(client)
    assert set(copies) == set(originals)
    for email, user in originals.items():
        twin = copies[email]
        for key in ("first_name", "last_name", "role", "organization_scopes"):
            assert twin[key] == user[key], (email, key)
    calls.reset()
    second = run_target(config, messages)
    assert calls.writes() == []
    assert second.count("users", "unchanged") == len(originals)


def test_by_default_each_missing_user_is_one_reject_naming_create_users(
    demo_sandbox, empty_account, client, calls, tmp_path
) -> None:
    source = client_for(demo_sandbox.config)
    users = list_all(source, contract.users_path())
    config = target_config(empty_account, tmp_path)

    run_target(config, _user_messages(users))

    missing = {u["email"] for u in users} - set(_users(client))
    rejects = read_rejects(tmp_path)
    assert sorted(r["record"]["email"] for r in rejects) == sorted(missing)
    assert len(missing) == len(users) - 1  # the admin exists in both accounts
    assert all("set create_users: true" in r["error"] for r in rejects)
    assert set(_users(client)) == {"admin@example.com"}  # nothing created
    calls.reset()
    run_target(config, _user_messages(users))
    assert calls.writes() == []


def test_a_user_that_exists_is_updated_where_it_differs(empty_account, client, tmp_path) -> None:
    orgs = [org_record("Scoped One"), org_record("Scoped Two")]
    user = {
        "id": "u-1",
        "email": "pat@example.com",
        "first_name": "Pat",
        "last_name": "Quinn",
        "role": "organization_viewer",
        "organization_scopes": [orgs[1]["id"], orgs[0]["id"]],
        "all_organizations": False,
        "account_scopes": [],
        "all_accounts": True,
    }
    existing = {"email": "pat@example.com", "role": "support", "organization_scopes": "*"}
    client.send_json("POST", contract.users_path(), existing)
    config = target_config(empty_account, tmp_path)  # no create_users: an update is allowed

    first = run_target(config, _user_messages([user], orgs))

    assert read_rejects(tmp_path) == []
    assert first.count("users", "updated") == 1
    copied = _users(client)["pat@example.com"]
    org_ids = {o["name"]: o["id"] for o in list_all(client, contract.organizations_path())}
    assert sorted(copied["organization_scopes"]) == sorted(org_ids.values())
    assert (copied["first_name"], copied["last_name"]) == ("Pat", "Quinn")
    assert copied["role"] == "organization_viewer"
    assert copied["account_scopes"] == "*"

    everyone = {**user, "id": "u-1", "organization_scopes": [], "all_organizations": True}
    run_target(config, _user_messages([everyone], orgs))
    assert _users(client)["pat@example.com"]["organization_scopes"] == "*"


def test_a_deleted_user_is_deleted_only_with_create_users(empty_account, client, tmp_path) -> None:
    org = client.send_json("POST", contract.organizations_path(), organization_body("Owned"))
    owner = {"email": "owner@example.com", "role": "support", "organization_scopes": "*"}
    created = client.send_json("POST", contract.users_path(), owner)
    contact = client.send_json(
        "POST",
        contract.assets_path("system.contact"),
        {"organization_id": org["id"], "first_name": "A", "last_name": "B", "important": False},
    )
    client.send_json(
        "PATCH", contract.assets_path("system.contact", contact["id"]), {"owned_by": created["id"]}
    )
    gone = {"id": "u-9", **owner, "_sdc_deleted_at": "2026-01-01T00:00:00Z"}

    run_target(target_config(empty_account, tmp_path), _user_messages([gone]))
    assert "owner@example.com" in _users(client)
    assert "set create_users: true to delete" in read_rejects(tmp_path)[0]["error"]

    allowed = target_config(
        empty_account,
        tmp_path,
        create_users=True,
        rejects_path=str(tmp_path / "r2.jsonl"),
    )
    run_target(allowed, _user_messages([gone]))
    assert "owner@example.com" in _users(client)  # owns a contact: needs an heir
    refused = json.loads((tmp_path / "r2.jsonl").read_text())["error"]
    assert "set transfer_ownership_to" in refused
    assert "error_code BAD_REQUEST" in refused

    heir = {**allowed, "transfer_ownership_to": "admin@example.com"}
    run_target(heir, _user_messages([gone]))
    assert "owner@example.com" not in _users(client)
    admin = _users(client)["admin@example.com"]
    moved = client.get_json(contract.assets_path("system.contact", contact["id"]))
    assert moved["owned_by"] == admin["id"]


def test_a_deleted_user_never_copied_is_skipped_with_create_users(
    empty_account, client, tmp_path
) -> None:
    gone = {
        "id": "u-7",
        "email": "never@example.com",
        "role": "support",
        "organization_scopes": "*",
        "_sdc_deleted_at": "2026-01-01T00:00:00Z",
    }
    config = target_config(empty_account, tmp_path, create_users=True)
    run = run_target(config, _user_messages([gone]))
    assert read_rejects(tmp_path) == []
    assert (run.stats["users"]["skipped"], run.stats["users"]["rejected"]) == (1, 0)
    assert "never@example.com" not in _users(client)
