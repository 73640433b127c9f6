"""A file-typed property through the documented route: read with entity_id, s3_key and data,
and written by target-lexful through POST /v1/entities/{type}/{id}/uploads/{property}."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import requests

from lexful_api import contract
from lexful_sandbox import Sandbox
from lexful_sandbox.seed.data import network_device_type
from tests.e2e.pipeline import tap_into_target
from tests.lexful.client import client_for, create_organization, list_all
from tests.lexful.tap.helpers import sync

DEVICES = "network_device"
FIRMWARE = b"\x7fELF firmware 1.2"


def _device_with_firmware(config: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    client = client_for(config)
    client.send_json("POST", contract.asset_types_path(), network_device_type())
    org = create_organization(client, "Edge Networks")
    device = client.send_json(
        "POST", contract.assets_path(DEVICES), {"organization_id": org["id"], "name": "edge-1"}
    )
    body = {
        "name": "firmware",
        "original_name": "firmware.bin",
        "file_extension": ".bin",
        "mime_type": "application/octet-stream",
        "size": len(FIRMWARE),
        "data": {"version": "1.2", "signed": True},
    }
    created = client.send_json(
        "POST", contract.entity_upload_path(DEVICES, device["id"], "firmware_image"), body
    )
    put = requests.put(
        created["presignedUploadUrl"],
        data=FIRMWARE,
        headers={"Content-Type": "application/octet-stream"},
        timeout=10,
    )
    assert put.status_code == 200
    file_id = created["file"]["id"]
    client.send_json("POST", contract.file_complete_path(DEVICES, device["id"], file_id), {})
    return device, created["file"]


def test_a_file_property_keeps_its_documented_fields_and_is_copied_through_its_route(
    demo_sandbox: Sandbox, tmp_path: Path
) -> None:
    source, dest = demo_sandbox.new_account(), demo_sandbox.new_account()
    device, uploaded = _device_with_firmware(source)

    (record,) = sync(source).records("files")
    assert record["entity_id"] == device["id"]
    assert record["s3_key"] == uploaded["s3_key"]
    assert json.loads(record["data"]) == {"version": "1.2", "signed": True}

    seen: list[tuple[str, str]] = []
    listening = [True]  # the sandbox keeps its hooks: inert once the test is done
    demo_sandbox.add_hook(
        lambda method, path, query: seen.append((method, path)) if listening[0] else None
    )
    target = dest | {
        "create_asset_types": True,
        "id_map_path": str(tmp_path / "id-map.sqlite"),
        "rejects_path": str(tmp_path / "rejects.jsonl"),
    }
    tap_into_target(tmp_path, source | {"files_content": "inline"}, target)
    listening[0] = False
    assert not (tmp_path / "rejects.jsonl").exists()

    dest_client = client_for(dest)
    (copy,) = list_all(dest_client, contract.assets_path(DEVICES))
    (copied,) = list_all(dest_client, contract.files_path(DEVICES, copy["id"]))
    assert copy["firmware_image"] == copied["id"]
    assert copied["entity_id"] == copy["id"]
    assert copied["data"] == {"version": "1.2", "signed": True}
    assert copied["upload_status"] == "completed"
    upload_route = f"/v1/entities/{DEVICES}/{copy['id']}/uploads/firmware_image"
    assert ("POST", upload_route) in seen
    link = dest_client.get_json(contract.file_download_path(DEVICES, copy["id"], copied["id"]))
    assert requests.get(contract.download_url(link), timeout=10).content == FIRMWARE
