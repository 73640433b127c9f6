"""Files: the three-step upload from each source, bytes verified by download, never twice."""

from __future__ import annotations

import base64
import hashlib
import uuid
from urllib.parse import urlsplit

import pytest

from connector_core.target.id_map import IdMap
from lexful_api import contract
from lexful_sandbox import Sandbox
from tests.lexful.client import (
    client_for,
    create_asset,
    create_organization,
    download,
    download_url,
    list_all,
    upload_file,
)
from tests.lexful.target.helpers import read_rejects, record, run_target, schema, target_config


@pytest.fixture
def contact(client) -> dict:
    org = create_organization(client, "Files Inc")
    return client.send_json(
        "POST",
        contract.assets_path("system.contact"),
        {"organization_id": org["id"], "first_name": "F", "last_name": "L", "important": False},
    )


def _file(asset: dict, name: str, data: bytes, **source) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "asset_id": asset["id"],
        "asset_type": "system.contact",
        "name": name,
        "original_name": name,
        "file_extension": name.rsplit(".", 1)[-1],
        "mime_type": "text/plain",
        "size": len(data),
        "is_public": False,
        "upload_status": "completed",
        **source,
    }


def test_files_from_base64_path_and_url_are_uploaded_once(
    demo_sandbox, client, empty_account, contact, calls, tmp_path
):
    one, two, three = b"first file\n", b"second file " * 1000, bytes(range(256)) * 40
    local = tmp_path / "two.txt"
    local.write_bytes(two)
    url = _a_download_url(demo_sandbox, three)
    records = [
        _file(contact, "one.txt", one, content_base64=base64.b64encode(one).decode()),
        _file(
            contact, "two.txt", two, local_path=str(local), sha256=hashlib.sha256(two).hexdigest()
        ),
        _file(contact, "three.txt", three, download_url=url),
    ]
    messages = [schema("files"), *[record("files", r) for r in records]]
    # The sandbox serves its downloads on 127.0.0.1: loopback, so it is listed exactly.
    sources = {"files_root": str(tmp_path), "allowed_download_hosts": [urlsplit(url).netloc]}
    config = target_config(empty_account, tmp_path, **sources)

    run = run_target(config, messages)

    assert read_rejects(tmp_path) == []
    assert run.count("files", "created") == 3
    stored = {
        f["name"]: f for f in list_all(client, contract.files_path("system.contact", contact["id"]))
    }
    for name, data in (("one.txt", one), ("two.txt", two), ("three.txt", three)):
        assert stored[name]["upload_status"] == "completed"
        assert download(client, "system.contact", contact["id"], stored[name]["id"]) == data

    calls.reset()
    again = run_target(config, messages)
    assert again.count("files", "unchanged") == 3
    assert calls.writes() == []

    # A new id map (another machine): the files are found on the asset, not uploaded again.
    fresh = target_config(empty_account, tmp_path / "other", **sources)
    calls.reset()
    assert run_target(fresh, messages).count("files", "unchanged") == 3
    assert calls.writes() == []


def test_bad_file_content_is_rejected(client, empty_account, contact, tmp_path) -> None:
    data = b"abc"
    records = [
        _file(contact, "size.txt", data, content_base64=base64.b64encode(b"abcd").decode()),
        _file(
            contact,
            "sha.txt",
            data,
            content_base64=base64.b64encode(data).decode(),
            sha256="0" * 64,
        ),
        _file(contact, "gone.txt", data, local_path=str(tmp_path / "missing.bin")),
        _file(contact, "none.txt", data),
        _file(contact, "b64.txt", data, content_base64="!!not base64!!"),
    ]
    config = target_config(empty_account, tmp_path, files_root=str(tmp_path))
    run_target(config, [schema("files"), *[record("files", r) for r in records]])

    errors = {r["record"]["name"]: r["error"] for r in read_rejects(tmp_path)}
    assert "declares size" in errors["size.txt"]
    assert "sha256" in errors["sha.txt"]
    assert "local_path" in errors["gone.txt"]
    assert "no content" in errors["none.txt"]
    assert "base64" in errors["b64.txt"]
    assert list_all(client, contract.files_path("system.contact", contact["id"])) == []


def _a_download_url(sandbox: Sandbox, data: bytes) -> str:
    """A presigned download URL of a file uploaded to another account of the sandbox."""
    source = client_for(sandbox.new_account())
    org = create_organization(source, "Source")
    asset = create_asset(
        source, "system.contact", org["id"], first_name="Src", last_name="File", important=False
    )
    uploaded = upload_file(source, "system.contact", asset["id"], "three.txt", data)
    return download_url(source, "system.contact", asset["id"], uploaded["id"])


def test_an_upload_left_pending_by_a_killed_run_is_replaced(
    client, empty_account, contact, tmp_path
) -> None:
    data = b"half uploaded"
    rec = _file(contact, "half.txt", data, content_base64=base64.b64encode(data).decode())
    meta = {k: rec[k] for k in ("name", "original_name", "file_extension", "mime_type", "size")}
    client.send_json(
        "POST", contract.files_path("system.contact", contact["id"]), meta
    )  # step 1 only
    ids = IdMap(tmp_path / "id-map.sqlite", empty_account["account_id"])
    ids.intend("files", rec["id"], "files", "system.contact")  # as the killed run left it
    ids.close()

    run = run_target(
        target_config(empty_account, tmp_path), [schema("files"), record("files", rec)]
    )

    assert run.count("files", "created") == 1
    stored = list_all(client, contract.files_path("system.contact", contact["id"]))
    assert [(f["name"], f["upload_status"]) for f in stored] == [("half.txt", "completed")]
    assert download(client, "system.contact", contact["id"], stored[0]["id"]) == data
