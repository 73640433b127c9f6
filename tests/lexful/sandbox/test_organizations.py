"""Organizations and organization types: CRUD, bulk, validation, conflicts, soft delete."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests

from tests.lexful.sandbox.conftest import Api, assert_error, make_contact, make_org


def test_create_get_fields(api: Api) -> None:
    org = make_org(api, website_url="https://acme.example", notes="n")
    got = api.get(f"/organizations/{org['id']}").json()
    assert got == org
    expected = {
        "id", "is_primary", "name", "slug", "type", "status", "description", "logo_url",
        "website_url", "notes", "alert", "parent_id", "asset_management", "labels",
        "created_at", "updated_at", "created_by", "updated_by", "deleted_at",
    }  # fmt: skip
    assert set(got) == expected
    assert got["labels"] == []
    assert got["deleted_at"] is None
    assert got["created_at"] == got["updated_at"]
    assert got["created_by"] == got["updated_by"]
    assert len(got["id"]) == 36
    assert got["id"][14] == "7"
    assert api.get(f"/organizations/{org['id']}?expand=labels").status_code == 200


def test_ids_are_time_ordered(api: Api) -> None:
    orgs = [make_org(api, f"O{i}") for i in range(20)]
    ids = [o["id"] for o in orgs]
    assert ids == sorted(ids)
    assert [o["created_at"] for o in orgs] == sorted(o["created_at"] for o in orgs)


def test_required_and_unknown_fields(api: Api) -> None:
    for missing in ("name", "type", "status"):
        body = {"name": "X", "type": "client", "status": "active"}
        del body[missing]
        assert_error(api.post("/organizations", body), 400, missing)
    body = {"name": "X", "type": "client", "status": "active", "colour": "red"}
    error = assert_error(api.post("/organizations", body), 400, "colour")
    assert error["developer_message"].startswith("colour: ")
    clean = {k: v for k, v in body.items() if k != "colour"}
    for read_only in ("id", "labels", "created_at", "deleted_at"):
        assert_error(api.post("/organizations", {**clean, read_only: "x"}), 400, read_only)


def test_value_checks(api: Api) -> None:
    base = {"name": "X", "type": "client", "status": "active"}
    assert_error(api.post("/organizations", {**base, "type": "alien"}), 400, "type")
    assert_error(api.post("/organizations", {**base, "slug": "Bad Slug"}), 400, "slug")
    assert_error(api.post("/organizations", {**base, "name": ""}), 400, "name")
    assert_error(api.post("/organizations", {**base, "name": "x" * 256}), 400, "name")
    assert_error(api.post("/organizations", {**base, "is_primary": "yes"}), 400, "is_primary")
    assert_error(api.post("/organizations", {**base, "parent_id": "nope"}), 400, "parent_id")
    assert_error(api.post("/organizations", {**base, "asset_management": "x"}), 400)
    assert_error(api.post("/organizations", "not an object"), 400)
    bad_json = api.request(
        "POST", "/organizations", data=b"{oops", headers={"Content-Type": "application/json"}
    )
    assert_error(bad_json, 400, "json")


def test_parent_hierarchy(api: Api) -> None:
    parent = make_org(api, "Parent")
    child = make_org(api, "Child", parent_id=parent["id"])
    assert child["parent_id"] == parent["id"]
    assert api.items("/organizations", parent_id=parent["id"])[0]["id"] == child["id"]
    assert_error(api.patch(f"/organizations/{parent['id']}", {"parent_id": parent["id"]}), 400)


def test_slug_generation_and_conflict(api: Api) -> None:
    first = make_org(api, "Blue Harbor Law")
    second = make_org(api, "Blue Harbor Law")
    assert first["slug"] == "blue-harbor-law"
    assert second["slug"] == "blue-harbor-law-2"
    body = {"name": "Other", "type": "client", "status": "active", "slug": "blue-harbor-law"}
    assert_error(api.post("/organizations", body), 409, "slug")
    assert_error(api.patch(f"/organizations/{second['id']}", {"slug": first["slug"]}), 409)


def test_bulk_create(api: Api) -> None:
    bodies = [{"name": f"Bulk {i}", "type": "vendor", "status": "active"} for i in range(100)]
    answer = api.post("/organizations", bodies)
    assert answer.status_code == 201
    body = answer.json()
    assert body["total"] == 100
    assert len(body["items"]) == 100
    assert_error(api.post("/organizations", bodies + bodies[:1]), 400, "100")
    assert_error(api.post("/organizations", []), 400)


def test_bulk_create_is_all_or_nothing(api: Api) -> None:
    bodies = [
        {"name": "Good", "type": "client", "status": "active"},
        {"name": "Bad", "type": "client"},
    ]
    assert_error(api.post("/organizations", bodies), 400, "status")
    dup = [{"name": n, "type": "client", "status": "active", "slug": "same"} for n in "ab"]
    assert_error(api.post("/organizations", dup), 409)
    assert api.get("/organizations").json()["total"] == 0


def test_update_single(api: Api) -> None:
    org = make_org(api)
    answer = api.patch(f"/organizations/{org['id']}", {"status": "onboarding", "notes": "hi"})
    assert answer.status_code == 200
    updated = answer.json()
    assert (updated["status"], updated["notes"], updated["name"]) == (
        "onboarding",
        "hi",
        org["name"],
    )
    assert updated["updated_at"] > org["updated_at"]
    assert updated["created_at"] == org["created_at"]
    cleared = api.patch(f"/organizations/{org['id']}", {"notes": None}).json()
    assert cleared["notes"] is None
    assert_error(api.patch(f"/organizations/{org['id']}", {"name": None}), 400, "name")
    assert_error(api.patch(f"/organizations/{org['id']}", {"id": "x"}), 400, "id")
    assert_error(
        api.patch("/organizations/00000000-0000-7000-8000-000000000000", {"notes": "x"}), 404
    )


def test_rename_updates_asset_organization_name(api: Api) -> None:
    org = make_org(api, "Old Name")
    contact = make_contact(api, org["id"])
    api.patch(f"/organizations/{org['id']}", {"name": "New Name"})
    got = api.get(f"/assets/system.contact/{contact['id']}").json()
    assert got["organization_name"] == "New Name"


def test_bulk_update(api: Api) -> None:
    orgs = [make_org(api, f"Org {i}") for i in range(3)]
    answer = api.patch("/organizations", [{"id": o["id"], "status": "inactive"} for o in orgs])
    assert answer.status_code == 200
    body = answer.json()
    assert body["total"] == 3
    assert {o["status"] for o in body["items"]} == {"inactive"}
    assert_error(api.patch("/organizations", [{"status": "x"}]), 400, "id")
    assert_error(api.patch("/organizations", []), 400)
    assert_error(api.patch("/organizations", {"id": orgs[0]["id"]}), 400)
    missing = [{"id": orgs[0]["id"], "status": "a"}, {"id": "nope", "status": "b"}]
    assert_error(api.patch("/organizations", missing), 404)
    assert api.get(f"/organizations/{orgs[0]['id']}").json()["status"] == "inactive"


def test_soft_delete(api: Api) -> None:
    org = make_org(api)
    assert api.delete(f"/organizations/{org['id']}").status_code == 204
    assert_error(api.get(f"/organizations/{org['id']}"), 404)
    assert api.get("/organizations").json()["total"] == 0
    hidden = api.get(f"/organizations/{org['id']}?include_deleted=true").json()
    assert hidden["deleted_at"] is not None
    listed = api.items("/organizations", include_deleted="true")
    assert [o["id"] for o in listed] == [org["id"]]
    assert_error(api.delete(f"/organizations/{org['id']}"), 404)
    # The slug of a deleted organization is free again.
    assert make_org(api)["slug"] == org["slug"]


def test_body_over_10_mib_is_413(api: Api) -> None:
    big = b'{"name": "' + b"x" * (10 * 1024 * 1024 + 10) + b'"}'
    answer = api.request(
        "POST", "/organizations", data=big, headers={"Content-Type": "application/json"}
    )
    assert_error(answer, 413)


def test_unknown_route_and_method(api: Api) -> None:
    assert_error(api.get("/nothing"), 404)
    assert_error(api.request("PUT", "/organizations"), 405)


def test_organization_types(api: Api) -> None:
    listed = api.get("/organization_types").json()
    names = {t["name"] for t in listed["items"]}
    assert names == {"client", "vendor", "partner", "internal"}
    assert all(t["is_system"] for t in listed["items"])
    created = api.post("/organization_types", {"name": "reseller", "description": "Resells"})
    assert created.status_code == 201
    assert created.json()["is_system"] is False
    assert set(created.json()) >= {"id", "name", "description", "created_at", "deleted_at"}
    assert_error(api.post("/organization_types", {"name": "reseller"}), 409)
    assert_error(api.post("/organization_types", {"name": ""}), 400, "name")
    assert_error(api.post("/organization_types", {"name": "x" * 101}), 400, "name")
    assert_error(api.post("/organization_types", {"name": "y", "description": "d" * 501}), 400)
    assert_error(api.post("/organization_types", {"name": "z", "extra": 1}), 400, "extra")
    assert make_org(api, "Reseller Co", type="reseller")["type"] == "reseller"
    assert api.items("/organization_types", is_system="false")[0]["name"] == "reseller"


def test_raw_and_encoded_brackets(api: Api) -> None:
    make_org(api, "Alpha")
    make_org(api, "Beta")
    raw = requests.get(
        api.url + "/v1/organizations?name[like]=alp%25",
        headers=api.session.headers,
        timeout=10,
    ).json()
    encoded = api.get("/organizations?name%5Blike%5D=alp%25").json()
    assert [o["name"] for o in raw["items"]] == ["Alpha"]
    assert raw["items"] == encoded["items"]


def test_updated_at_always_moves_forward(api: Api) -> None:
    org = make_org(api)
    stamps = [org["updated_at"]]
    for i in range(20):
        stamps.append(
            api.patch(f"/organizations/{org['id']}", {"notes": str(i)}).json()["updated_at"]
        )
    assert stamps == sorted(set(stamps))


def test_concurrent_writers(api: Api) -> None:
    def create(i: int) -> int:
        answer = requests.post(
            api.url + "/v1/organizations",
            json={"name": f"Parallel {i % 5}", "type": "client", "status": "active"},
            headers=api.session.headers,
            timeout=10,
        )
        return answer.status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(create, range(40)))
    assert statuses == [201] * 40
    orgs = api.all("/organizations")
    assert len(orgs) == 40
    assert len({o["slug"] for o in orgs}) == 40
    assert len({o["id"] for o in orgs}) == 40
