"""A copy of one account into another, shaped like tap-lexful's output: faithful, idempotent."""

from __future__ import annotations

import sqlite3
from typing import Any

from lexful_api import contract
from tests.lexful.client import client_for, download, list_all
from tests.lexful.target.helpers import export_account, read_rejects, run_target, target_config

_NOT_COPIED = {"id", "organization_id", "references", "owned_by", *contract.AUDIT_FIELDS}


def _id_map(tmp_path) -> dict[str, str]:
    with sqlite3.connect(tmp_path / "id-map.sqlite") as db:
        return dict(db.execute("SELECT source_id, target_id FROM ids WHERE state='done'"))


def test_copy_is_faithful_and_a_rerun_writes_nothing(
    demo_sandbox, empty_account, client, calls, tmp_path
) -> None:
    source = client_for(demo_sandbox.config)
    messages = export_account(source, files_as="base64")
    config = target_config(empty_account, tmp_path, create_asset_types=True)

    first = run_target(config, messages)

    assert first.states[-1] == {"bookmarks": {"mark": "end"}}
    rejects = read_rejects(tmp_path)
    assert {r["stream"] for r in rejects} == {"users"}  # not without create_users
    ids = _id_map(tmp_path)
    _check_organizations(source, client, ids)
    for asset_type in list_all(source, contract.asset_types_path()):
        _check_assets(source, client, ids, asset_type)

    calls.reset()
    second = run_target(config, messages)
    assert calls.writes() == []
    for stream, row in second.stats.items():
        if stream != "users":
            assert row["created"] == row["updated"] == row["rejected"] == 0, stream


def _check_organizations(source: Any, client: Any, ids: dict[str, str]) -> None:
    copied = {o["id"]: o for o in list_all(client, contract.organizations_path())}
    originals = list_all(source, contract.organizations_path())
    assert len(copied) == len(originals)
    for org in originals:
        twin = copied[ids[org["id"]]]
        assert (twin["name"], twin["slug"], twin["type"]) == (org["name"], org["slug"], org["type"])
        assert twin["parent_id"] == (ids[org["parent_id"]] if org["parent_id"] else None)


def _check_assets(source: Any, client: Any, ids: dict[str, str], asset_type: dict) -> None:
    name = asset_type["name"]
    secret_like = {
        p["name"]
        for p in asset_type["properties"]
        if p["type"] in (*contract.MASKED_PROPERTY_TYPES, "file")
    }
    copied = {a["id"]: a for a in list_all(client, contract.assets_path(name))}
    originals = list_all(source, contract.assets_path(name))
    assert len(copied) == len(originals), name
    for asset in originals:
        twin = copied[ids[asset["id"]]]
        for key, value in asset.items():
            if key not in _NOT_COPIED and key not in secret_like:
                assert twin.get(key) == value, (name, key)
        assert twin["organization_id"] == ids[asset["organization_id"]]
        for ref, value in (asset.get("references") or {}).items():
            expected = [ids[v] for v in value] if isinstance(value, list) else ids.get(value)
            assert twin["references"].get(ref) == expected, (name, ref)
        _check_links_and_files(source, client, ids, name, asset)


def _check_links_and_files(source, client, ids, name: str, asset: dict) -> None:
    twin_id = ids[asset["id"]]
    links = list_all(source, contract.related_path(name, asset["id"]))
    twin_links = list_all(client, contract.related_path(name, twin_id))
    assert sorted(ids[x["asset_id"]] for x in links) == sorted(x["asset_id"] for x in twin_links)
    files = [
        f
        for f in list_all(source, contract.files_path(name, asset["id"]))
        if f["upload_status"] == "completed"
    ]
    twin_files = {f["name"]: f for f in list_all(client, contract.files_path(name, twin_id))}
    assert len(twin_files) == len(files)
    for f in files:
        twin = twin_files[f["name"]]
        assert twin["upload_status"] == "completed"
        assert download(client, name, twin_id, twin["id"]) == download(
            source, name, asset["id"], f["id"]
        )
