"""Custom objects, members, and the file flow."""

from __future__ import annotations

import hashlib

import requests

from tests.lightfield.sandbox.conftest import Api, account, assert_error, me, value


def test_custom_objects(api: Api) -> None:
    assert api.ok(api.get("/objects")) == {"data": [{"label": "Project", "objectType": "project"}]}
    definitions = api.ok(api.get("/objects/project/definitions"))
    assert definitions["objectType"] == "project"
    assert "budget" in definitions["fieldDefinitions"]
    acc = account(api)["id"]
    made = api.create(
        "/objects/project/values",
        {"fields": {"$name": "P", "budget": 10}, "relationships": {"account": acc}},
    )
    assert api.ok(api.get(f"/objects/project/values/{made['id']}"))["id"] == made["id"]
    assert made["id"] in api.ids("/objects/project")
    updated = api.ok(
        api.post(f"/objects/project/values/{made['id']}", {"fields": {"phase": "Done"}})
    )
    assert value(updated, "phase") == "Done"
    api.ok(api.delete(f"/objects/project/values/{made['id']}"))
    assert_error(api.get(f"/objects/project/values/{made['id']}"), 404)
    assert_error(api.get("/objects/nothing"), 404)
    assert_error(api.get("/objects/nothing/definitions"), 404)
    assert_error(
        api.post("/objects/project/values", {"fields": {"nope": 1}}),
        400,
        "unknown_field",
        "fields.nope",
    )


def test_members_are_read_only(demo: Api) -> None:
    members = demo.ok(demo.get("/members"))
    assert members["totalCount"] == len(members["data"]) == 3
    one = members["data"][0]
    assert set(one["fields"]) == {"$email", "$name", "$profileImage", "$role"}
    assert set(one["relationships"]) == {"$user"}
    assert one["fields"]["$name"]["valueType"] == "FULL_NAME"
    assert demo.ok(demo.get(f"/members/{one['id']}"))["id"] == one["id"]
    assert_error(demo.get("/members/mem_nobody"), 404)
    assert_error(demo.post("/members", {}), 405)


def _upload(api: Api, data: bytes) -> dict:
    made = api.create(
        "/files",
        {
            "filename": "a.txt",
            "mimeType": "text/plain",
            "sizeBytes": len(data),
            "purpose": "knowledge_user",
        },
    )
    assert made["status"] == "PENDING"
    assert made["expiresAt"]
    put = requests.put(made["uploadUrl"], data=data, headers=made["uploadHeaders"], timeout=10)
    assert put.status_code == 200, put.text
    return made


def test_file_flow(api: Api) -> None:
    data = b"hello world"
    made = _upload(api, data)
    assert_error(api.get(f"/files/{made['id']}/url"), 409)
    wrong = api.post(f"/files/{made['id']}/complete", {"md5": "0" * 32})
    assert_error(wrong, 400, "checksum_mismatch", "md5")
    done = api.ok(api.post(f"/files/{made['id']}/complete", {"md5": hashlib.md5(data).hexdigest()}))
    assert (done["status"], done["expiresAt"]) == ("COMPLETED", None)
    assert done["completedAt"]
    assert api.ok(api.get(f"/files/{made['id']}"))["status"] == "COMPLETED"
    assert made["id"] in api.ids("/files")
    link = api.ok(api.get(f"/files/{made['id']}/url"))
    assert requests.get(link["url"], timeout=10).content == data
    again = requests.put(made["uploadUrl"], data=data, headers=made["uploadHeaders"], timeout=10)
    assert_error(again, 409)
    assert_error(api.post(f"/files/{made['id']}/cancel"), 409)


def test_file_cancel_and_errors(api: Api) -> None:
    made = api.create(
        "/files", {"filename": "b.bin", "mimeType": "application/octet-stream", "sizeBytes": 4}
    )
    assert_error(api.post(f"/files/{made['id']}/complete"), 409, "upload_missing")  # no bytes yet
    cancelled = api.ok(api.post(f"/files/{made['id']}/cancel"))
    assert cancelled["status"] == "CANCELLED"
    assert_error(
        api.post("/files", {"filename": "", "mimeType": "text/plain", "sizeBytes": 1}),
        400,
        "invalid_value",
        "filename",
    )
    too_big = {"filename": "x", "mimeType": "text/plain", "sizeBytes": 536_870_913}
    assert_error(api.post("/files", too_big), 400, "invalid_value", "sizeBytes")
    assert_error(
        api.post(
            "/files", {"filename": "x", "mimeType": "text/plain", "sizeBytes": 1, "purpose": "x"}
        ),
        400,
        "invalid_value",
        "purpose",
    )
    assert_error(api.get("/files/fil_nothing"), 404)
    short = _upload(api, b"ab")
    mismatch = api.create("/files", {"filename": "c", "mimeType": "text/plain", "sizeBytes": 5})
    requests.put(mismatch["uploadUrl"], data=b"ab", headers=mismatch["uploadHeaders"], timeout=10)
    assert_error(api.post(f"/files/{mismatch['id']}/complete"), 400, "size_mismatch", "sizeBytes")
    bad_sig = requests.put(
        short["uploadUrl"] + "0", data=b"ab", headers=short["uploadHeaders"], timeout=10
    )
    assert_error(bad_sig, 403)
    assert me(api)
