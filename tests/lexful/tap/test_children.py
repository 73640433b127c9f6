"""Links between assets and files, with and without their bytes."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

import pytest

from lexful_api import LexfulClient, contract
from tests.lexful.client import create_asset, create_organizations, upload_file
from tests.lexful.tap.helpers import discover, sync, tap_config

PAYLOADS = {"a.txt": b"hello lexful\n", "b.bin": bytes(range(256)) * 300}


@pytest.fixture
def linked(empty_account: dict[str, Any], client: LexfulClient) -> dict[str, Any]:
    """Two locations and a contact; the contact links to both and carries two files."""
    organization = create_organizations(client, 1)[0]["id"]
    here = create_asset(client, "system.location", organization, name="here")
    there = create_asset(client, "system.location", organization, name="there")
    contact = create_asset(
        client, "system.contact", organization, first_name="Ada", last_name="L", important=True
    )
    client.send_json(
        "PUT",
        contract.related_path("system.contact", contact["id"]),
        [
            {"asset_id": here["id"], "description": "office"},
            {"asset_id": there["id"], "description": "home"},
        ],
    )
    files = {
        name: upload_file(client, "system.contact", contact["id"], name, data)
        for name, data in PAYLOADS.items()
    }
    return {
        "config": empty_account,
        "contact": contact,
        "here": here,
        "there": there,
        "files": files,
    }


def test_links(linked: dict[str, Any]) -> None:
    output = sync(tap_config(linked["config"]))
    links = output.records("related_assets")
    contact = linked["contact"]["id"]
    assert {(link["asset_id"], link["related_asset_id"]) for link in links} == {
        (contact, linked["here"]["id"]),
        (contact, linked["there"]["id"]),
    }
    for link in links:
        assert link["asset_type"] == "system.contact"
        assert link["related_asset_type"] == "system.location"
        assert link["created_at"]
    assert {link["description"] for link in links} == {"office", "home"}


def test_files_metadata_only(linked: dict[str, Any]) -> None:
    files = sync(tap_config(linked["config"])).records("files")
    assert {f["id"] for f in files} == {f["id"] for f in linked["files"].values()}
    for record in files:
        assert record["asset_id"] == linked["contact"]["id"]
        assert record["asset_type"] == "system.contact"
        assert "content_base64" not in record or record["content_base64"] is None


def test_files_inline(linked: dict[str, Any]) -> None:
    output = sync(tap_config(linked["config"], files_content="inline"))
    by_name = {f["original_name"]: f for f in output.records("files")}
    for name, data in PAYLOADS.items():
        assert base64.b64decode(by_name[name]["content_base64"]) == data
        assert by_name[name]["sha256"] == hashlib.sha256(data).hexdigest()
    assert "X-Signature" not in output.text  # no presigned URL in any record


def test_files_inline_size_limit(linked: dict[str, Any]) -> None:
    output = sync(tap_config(linked["config"], files_content="inline", max_inline_bytes=1000))
    by_name = {f["original_name"]: f for f in output.records("files")}
    assert base64.b64decode(by_name["a.txt"]["content_base64"]) == PAYLOADS["a.txt"]
    assert by_name["b.bin"].get("content_base64") is None


def test_files_directory(linked: dict[str, Any], tmp_path: Path) -> None:
    config = tap_config(linked["config"], files_content="directory", files_dir=str(tmp_path))
    output = sync(config)
    by_name = {f["original_name"]: f for f in output.records("files")}
    for name, data in PAYLOADS.items():
        path = Path(by_name[name]["local_path"])
        assert path.is_relative_to(tmp_path)
        assert path.read_bytes() == data
        assert by_name[name]["sha256"] == hashlib.sha256(data).hexdigest()
        assert "content_base64" not in by_name[name]
    assert not list(tmp_path.rglob("*.part"))


def test_children_come_with_the_assets(linked: dict[str, Any]) -> None:
    """Links and files come amid the asset streams: after organizations, before users.

    (The SDK syncs a parent's children just before it writes the parent's own RECORD.)
    """
    output = sync(tap_config(linked["config"]))
    order = [m["stream"] for m in output.messages if m["type"] == "RECORD"]
    children = [i for i, name in enumerate(order) if name in ("related_assets", "files")]
    organizations = [i for i, name in enumerate(order) if name == "organizations"]
    users = [i for i, name in enumerate(order) if name == "users"]
    assert max(organizations) < min(children)
    assert max(children) < min(users)


def _selecting(catalog: dict[str, Any], names: set[str]) -> dict[str, Any]:
    for stream in catalog["streams"]:
        for entry in stream["metadata"]:
            if entry["breadcrumb"] == []:
                entry["metadata"]["selected"] = stream["tap_stream_id"] in names
    return catalog


def test_children_alone_read_only_new_parents(linked: dict[str, Any], client: LexfulClient) -> None:
    """Only related_assets selected (new_parents): the parents are walked for it, unselected.
    The next run reads only the parents created since (it read every parent, every run), and a
    run that then selects a parent stream still gets all its records (its bookmark was moved
    by its children alone)."""
    config = tap_config(linked["config"])
    first = sync(config, catalog=_selecting(discover(config), {"related_assets"}))
    assert len(first.records("related_assets")) == 2
    assert first.records("system_contact") == []

    organization = linked["contact"]["organization_id"]
    newcomer = create_asset(
        client, "system.contact", organization, first_name="Bo", last_name="K", important=False
    )
    client.send_json(
        "PUT",
        contract.related_path("system.contact", newcomer["id"]),
        [{"asset_id": linked["here"]["id"], "description": "desk"}],
    )
    second = sync(
        config, state=first.state, catalog=_selecting(discover(config), {"related_assets"})
    )
    assert [r["asset_id"] for r in second.records("related_assets")] == [newcomer["id"]]

    both = _selecting(discover(config), {"related_assets", "system_contact"})
    third = sync(config, state=second.state, catalog=both)
    contacts = {r["id"] for r in third.records("system_contact")}
    assert contacts == {linked["contact"]["id"], newcomer["id"]}
