"""The public curl flows of the seed page, step by step, against the sandbox."""

from __future__ import annotations

import requests

from tests.lexful.sandbox.conftest import Api, make_org


def test_token_and_list_organizations(demo_sandbox) -> None:
    token = requests.post(
        demo_sandbox.api_url + "/v1/auth/token",
        headers={"X-Account-Id": demo_sandbox.account_id, "Content-Type": "application/json"},
        data=f'{{"id": "{demo_sandbox.api_key_id}", "secret": "{demo_sandbox.api_key_secret}"}}',
        timeout=10,
    )
    assert token.status_code == 200
    body = token.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["expires_at"].endswith("Z")
    orgs = requests.get(
        demo_sandbox.api_url + "/v1/organizations",
        headers={
            "X-Account-ID": demo_sandbox.account_id,
            "Authorization": f"Bearer {body['token']}",
        },
        timeout=10,
    )
    assert orgs.status_code == 200
    page = orgs.json()
    assert set(page) == {"items", "total", "limit", "offset"}
    assert page["total"] >= 20
    assert (page["limit"], page["offset"]) == (100, 0)


def test_create_organization_and_contact(api: Api) -> None:
    org = make_org(api)
    assert org["name"] == "Acme Corporation"
    assert (org["type"], org["status"], org["slug"]) == ("client", "active", "acme-corporation")
    contact = api.post(
        "/assets/system.contact",
        {
            "organization_id": org["id"],
            "first_name": "Jane",
            "last_name": "Smith",
            "title": "VP of Engineering",
            "important": False,
            "contact_type": "Influencer",
            "contact_methods": [{"type": "Email", "value": "jane.smith@example.com"}],
        },
    )
    assert contact.status_code == 201, contact.text
    created = contact.json()
    assert created["name"] == "Jane Smith"
    assert created["organization_name"] == "Acme Corporation"
    assert created["asset_type"] == "system.contact"
    listed = api.items("/assets/system.contact", organization_id=org["id"])
    assert [c["id"] for c in listed] == [created["id"]]


def test_filter_sort_and_fields(demo_api: Api) -> None:
    url = "/assets/system.contact?important[eq]=true&contact_type[in]=Decision Maker,Influencer"
    found = demo_api.get(url).json()["items"]
    assert found
    assert all(c["important"] is True for c in found)
    assert {c["contact_type"] for c in found} <= {"Decision Maker", "Influencer"}

    newest = demo_api.get(
        "/assets/system.contact?important[eq]=true&created_at[gte]=2024-01-01"
        "&sort=created_at&order=DESC"
    ).json()["items"]
    stamps = [c["created_at"] for c in newest]
    assert stamps == sorted(stamps, reverse=True)
    assert all(s >= "2024-01-01" for s in stamps)

    slim = demo_api.get(
        "/assets/system.contact?important[eq]=true&fields=first_name,last_name,title,contact_methods"
    ).json()["items"]
    assert all(
        set(c) == {"id", "first_name", "last_name", "title", "contact_methods"} for c in slim
    )


def test_paginate_organizations(api: Api) -> None:
    bulk = [{"name": f"Org {i:03d}", "type": "client", "status": "active"} for i in range(100)]
    assert api.post("/organizations", bulk).status_code == 201
    extra = [{"name": f"Extra {i}", "type": "vendor", "status": "active"} for i in range(20)]
    assert api.post("/organizations", extra).status_code == 201
    seen, offset, pages = [], 0, 0
    while True:
        page = api.get(f"/organizations?limit=50&offset={offset}").json()
        assert (page["limit"], page["offset"], page["total"]) == (50, offset, 120)
        seen += [o["id"] for o in page["items"]]
        pages += 1
        offset += 50
        if offset >= page["total"]:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 120


def test_related_assets_flow(api: Api) -> None:
    org = make_org(api)
    contact = api.post(
        "/assets/system.contact",
        {"organization_id": org["id"], "first_name": "Jo", "important": True},
    ).json()
    config = api.post(
        "/assets/system.configuration", {"organization_id": org["id"], "name": "srv-01"}
    ).json()
    put = api.put(
        f"/assets/system.contact/{contact['id']}/related",
        [{"asset_id": config["id"], "description": "Primary contact for this configuration"}],
    )
    assert put.status_code == 200
    listed = api.get(f"/assets/system.contact/{contact['id']}/related").json()
    assert listed["total"] == 1
    item = listed["items"][0]
    assert item["asset_id"] == config["id"]
    assert item["asset_type"] == "system.configuration"
    assert item["name"] == "srv-01"
    assert item["description"] == "Primary contact for this configuration"


def test_upload_and_download_flow(api: Api) -> None:
    org = make_org(api)
    contact = api.post(
        "/assets/system.contact", {"organization_id": org["id"], "important": False}
    ).json()
    data = b"%PDF-1.4 resume " * 100
    created = api.post(
        f"/assets/system.contact/{contact['id']}/files",
        {
            "name": "resume",
            "original_name": "resume.pdf",
            "file_extension": ".pdf",
            "mime_type": "application/pdf",
            "size": len(data),
        },
    )
    assert created.status_code == 201
    record, upload_url = created.json()["file"], created.json()["presignedUploadUrl"]
    assert record["upload_status"] == "pending"
    put = requests.put(
        upload_url, data=data, headers={"Content-Type": "application/pdf"}, timeout=10
    )
    assert put.status_code == 200
    done = api.post(f"/assets/system.contact/{contact['id']}/files/{record['id']}/complete")
    assert done.status_code == 200
    assert done.json()["upload_status"] == "completed"
    link = api.get(f"/assets/system.contact/{contact['id']}/files/{record['id']}/download").json()
    assert link["expires_at"].endswith("Z")
    fetched = requests.get(link["url"], timeout=10)
    assert fetched.status_code == 200
    assert fetched.content == data
    assert fetched.headers["content-type"].startswith("application/pdf")
