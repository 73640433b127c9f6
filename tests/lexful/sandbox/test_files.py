"""Files: the three-step upload, presigned URL signatures, expiry and content type, download."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from lexful_sandbox.http import presign
from lexful_sandbox.seed.data import network_device_type
from tests.lexful.sandbox.conftest import Api, assert_error, make_contact, make_org

PDF = {
    "name": "doc",
    "original_name": "doc.pdf",
    "file_extension": ".pdf",
    "mime_type": "application/pdf",
}


def _asset(api: Api) -> str:
    org = make_org(api)
    return f"/assets/system.contact/{make_contact(api, org['id'])['id']}/files"


def _create(api: Api, base: str, data: bytes, **extra) -> tuple[dict, str]:
    answer = api.post(base, {**PDF, "size": len(data), **extra})
    assert answer.status_code == 201, answer.text
    return answer.json()["file"], answer.json()["presignedUploadUrl"]


def _upload(url: str, data: bytes, content_type: str = "application/pdf") -> requests.Response:
    return requests.put(url, data=data, headers={"Content-Type": content_type}, timeout=10)


def test_file_record_and_list(api: Api) -> None:
    base = _asset(api)
    record, url = _create(api, base, b"x" * 10, is_public=True)
    assert record["upload_status"] == "pending"
    assert record["is_public"] is True
    assert record["property_name"] is None
    assert record["asset_id"] in base
    assert set(record) >= {
        "id",
        "organization_id",
        "original_name",
        "file_extension",
        "mime_type",
        "size",
    }
    assert url.startswith(api.url + "/")
    listed = api.get(base).json()
    assert listed["total"] == 1
    assert listed["items"][0]["upload_status"] == "pending"
    assert api.items(base, upload_status="completed") == []


def test_upload_needs_no_auth_header_and_download_returns_bytes(api: Api) -> None:
    base = _asset(api)
    data = bytes(range(256)) * 4
    record, url = _create(api, base, data)
    assert _upload(url, data).status_code == 200
    done = api.post(f"{base}/{record['id']}/complete").json()
    assert done["upload_status"] == "completed"
    assert done["updated_at"] > record["updated_at"]
    again = api.post(f"{base}/{record['id']}/complete")
    assert again.status_code == 200
    link = api.get(f"{base}/{record['id']}/download").json()
    got = requests.get(link["url"], timeout=10)
    assert got.content == data


def test_wrong_content_type_is_403(api: Api) -> None:
    base = _asset(api)
    _, url = _create(api, base, b"abc")
    assert_error(_upload(url, b"abc", "text/plain"), 403, "content-type")
    assert _upload(url, b"abc", "application/pdf; charset=binary").status_code == 200


def test_tampered_signature_is_403(api: Api) -> None:
    base = _asset(api)
    record, url = _create(api, base, b"abc")
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    forged = {**query, "X-Expires": str(int(query["X-Expires"]) + 3600)}
    assert_error(
        _upload(f"{parts.scheme}://{parts.netloc}{parts.path}?{urlencode(forged)}", b"abc"), 403
    )
    retyped = {**query, "X-Content-Type": "text/plain"}
    bad = f"{parts.scheme}://{parts.netloc}{parts.path}?{urlencode(retyped)}"
    assert_error(_upload(bad, b"abc", "text/plain"), 403, "signature")
    other_key = url.replace(record["id"], "018bd87e-d47d-7001-a9b3-b30678e51061")
    assert_error(_upload(other_key, b"abc"), 403)
    unsigned = f"{parts.scheme}://{parts.netloc}{parts.path}"
    assert_error(_upload(unsigned, b"abc"), 403)
    # A download URL does not allow an upload, nor the reverse.
    assert_error(requests.get(url, timeout=10), 403)


def test_expired_urls_are_403(demo_sandbox, api: Api) -> None:
    base = _asset(api)
    record, _ = _create(api, base, b"abc")
    key = f"{api.account_id}/{record['id']}"
    expired, _ = presign.presign(
        demo_sandbox.store.signing_key(), api.url, "PUT", key, "application/pdf", -1
    )
    assert_error(_upload(expired, b"abc"), 403, "expired")
    fresh, _ = presign.presign(
        demo_sandbox.store.signing_key(), api.url, "PUT", key, "application/pdf", 60
    )
    assert _upload(fresh, b"abc").status_code == 200
    api.post(f"{base}/{record['id']}/complete")
    old_get, _ = presign.presign(
        demo_sandbox.store.signing_key(), api.url, "GET", key, "application/pdf", -1
    )
    assert_error(requests.get(old_get, timeout=10), 403, "expired")


def test_size_mismatch_keeps_file_pending(api: Api) -> None:
    base = _asset(api)
    record, url = _create(api, base, b"12345")
    assert_error(api.post(f"{base}/{record['id']}/complete"), 400, "0 bytes")
    _upload(url, b"1234")
    assert_error(api.post(f"{base}/{record['id']}/complete"), 400, "4 bytes")
    assert api.items(base)[0]["upload_status"] == "pending"
    assert_error(api.get(f"{base}/{record['id']}/download"), 409)
    _upload(url, b"12345")
    assert api.post(f"{base}/{record['id']}/complete").json()["upload_status"] == "completed"


def test_file_property_rules_and_completion_sets_property(api: Api) -> None:
    org = make_org(api)
    config = api.post(
        "/assets/system.configuration", {"organization_id": org["id"], "name": "c"}
    ).json()
    base = f"/assets/system.configuration/{config['id']}/files"
    body = {
        "name": "cfg",
        "original_name": "r.cfg",
        "file_extension": "cfg",
        "mime_type": "text/plain",
    }
    prop = {"property_name": "config_backup"}
    assert_error(api.post(base, {**body, "size": 11 * 1024 * 1024, **prop}), 400, "size")
    assert_error(api.post(base, {**body, "size": 3, **prop, "file_extension": ".exe"}), 400)
    assert_error(api.post(base, {**body, "size": 3, **prop, "mime_type": "image/png"}), 400)
    assert_error(api.post(base, {**body, "size": 3, "property_name": "hostname"}), 400)
    assert_error(api.post(base, {**body, "size": 101 * 1024 * 1024}), 400, "size")
    created = api.post(base, {**body, "size": 3, **prop}).json()
    _upload(created["presignedUploadUrl"], b"abc", "text/plain")
    api.post(f"{base}/{created['file']['id']}/complete")
    asset = api.get(f"/assets/system.configuration/{config['id']}").json()
    assert asset["config_backup"] == created["file"]["id"]
    assert api.delete(f"{base}/{created['file']['id']}").status_code == 204
    assert api.get(f"/assets/system.configuration/{config['id']}").json()["config_backup"] is None


def test_file_errors_and_delete(api: Api) -> None:
    base = _asset(api)
    assert_error(api.post(base, {**PDF}), 400, "size")
    assert_error(api.post(base, {**PDF, "size": -1}), 400, "size")
    assert_error(api.post(base, {**PDF, "size": 1, "colour": 1}), 400, "colour")
    assert_error(api.post(base, {"size": 1}), 400, "name")
    record, _ = _create(api, base, b"a")
    assert api.delete(f"{base}/{record['id']}").status_code == 204
    assert api.get(base).json()["total"] == 0
    assert api.get(base + "?include_deleted=true").json()["total"] == 1
    assert_error(api.delete(f"{base}/{record['id']}"), 404)
    assert_error(api.post(f"{base}/{record['id']}/complete"), 404)
    missing = "/assets/system.contact/018bd87e-d47d-7001-a9b3-b30678e51061/files"
    assert_error(api.post(missing, {**PDF, "size": 1}), 404)


# --- the documented property upload: POST /v1/entities/{type}/{id}/uploads/{property} ----------

FIRMWARE = {
    "name": "fw",
    "original_name": "fw.bin",
    "file_extension": ".bin",
    "mime_type": "application/octet-stream",
}


def _device(api: Api) -> str:
    assert api.post("/asset_types", network_device_type()).status_code == 201
    org = make_org(api)
    answer = api.post("/assets/network_device", {"organization_id": org["id"], "name": "edge"})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def test_a_file_property_is_uploaded_through_the_entities_route(api: Api) -> None:
    device = _device(api)
    data = b"\x7fELF firmware"
    body = {**FIRMWARE, "size": len(data), "data": {"version": "1.2"}}
    answer = api.post(f"/entities/network_device/{device}/uploads/firmware_image", body)
    assert answer.status_code == 201, answer.text
    record, url = answer.json()["file"], answer.json()["presignedUploadUrl"]
    assert record["entity_id"] == device
    assert record["property_name"] == "firmware_image"
    assert record["s3_key"].endswith(record["id"])
    assert record["data"] == {"version": "1.2"}
    assert record["upload_status"] == "pending"
    assert _upload(url, data, "application/octet-stream").status_code == 200
    base = f"/assets/network_device/{device}/files"
    assert api.post(f"{base}/{record['id']}/complete").status_code == 200
    assert api.get(f"/assets/network_device/{device}").json()["firmware_image"] == record["id"]
    listed = api.items(base)
    assert [(f["id"], f["entity_id"], f["data"]) for f in listed] == [
        (record["id"], device, {"version": "1.2"})
    ]


def test_the_entities_route_checks_the_property_and_the_body(api: Api) -> None:
    device = _device(api)
    base = f"/entities/network_device/{device}/uploads"
    ok = {**FIRMWARE, "size": 3}
    assert_error(api.post(f"{base}/notes", ok), 400, "not a file property")
    assert_error(api.post(f"{base}/firmware_image", {**ok, "file_extension": ".pdf"}), 400, ".bin")
    bad = {**ok, "file_extension": "b.in"}
    assert_error(api.post(f"{base}/firmware_image", bad), 400, "file_extension")
    assert_error(api.post(f"{base}/firmware_image", {**ok, "property_name": "x"}), 400, "path")
    assert_error(api.post(f"{base}/firmware_image", {**ok, "size": -1}), 400, "size")
    assert_error(api.post(f"/entities/network_device/{'0' * 8}/uploads/firmware_image", ok), 404)
