"""Related assets: idempotent PUT, listing from the owning side, DELETE, errors."""

from __future__ import annotations

from tests.lexful.sandbox.conftest import Api, assert_error, make_contact, make_org


def _setup(api: Api) -> tuple[dict, dict, dict]:
    org = make_org(api)
    contact = make_contact(api, org["id"])
    site = api.post("/assets/system.location", {"organization_id": org["id"], "name": "HQ"})
    config = api.post("/assets/system.configuration", {"organization_id": org["id"], "name": "c1"})
    return contact, site.json(), config.json()


def test_put_is_idempotent_per_asset(api: Api) -> None:
    contact, site, config = _setup(api)
    url = f"/assets/system.contact/{contact['id']}/related"
    first = api.put(url, [{"asset_id": site["id"], "description": "office"}])
    assert first.status_code == 200
    assert first.json()["total"] == 1
    again = api.put(
        url,
        [{"asset_id": site["id"], "description": "head office"}, {"asset_id": config["id"]}],
    ).json()
    assert again["total"] == 2
    by_id = {i["asset_id"]: i for i in again["items"]}
    assert by_id[site["id"]]["description"] == "head office"
    assert by_id[config["id"]]["description"] is None
    assert set(by_id[site["id"]]) == {"asset_id", "asset_type", "name", "description", "created_at"}
    listed = api.get(url).json()
    assert listed["items"] == again["items"]
    assert [i["asset_type"] for i in listed["items"]] == ["system.location", "system.configuration"]


def test_links_are_listed_from_the_owning_side_only(api: Api) -> None:
    contact, site, _ = _setup(api)
    api.put(f"/assets/system.contact/{contact['id']}/related", [{"asset_id": site["id"]}])
    assert api.get(f"/assets/system.location/{site['id']}/related").json()["total"] == 0


def test_delete_link(api: Api) -> None:
    contact, site, config = _setup(api)
    url = f"/assets/system.contact/{contact['id']}/related"
    api.put(url, [{"asset_id": site["id"]}, {"asset_id": config["id"]}])
    assert api.delete(f"{url}/{site['id']}").status_code == 204
    assert [i["asset_id"] for i in api.get(url).json()["items"]] == [config["id"]]
    assert_error(api.delete(f"{url}/{site['id']}"), 404)


def test_deleted_targets_are_hidden(api: Api) -> None:
    contact, site, _ = _setup(api)
    url = f"/assets/system.contact/{contact['id']}/related"
    api.put(url, [{"asset_id": site["id"]}])
    api.delete(f"/assets/system.location/{site['id']}")
    assert api.get(url).json()["total"] == 0
    assert api.get(url + "?include_deleted=true").json()["total"] == 1


def test_related_errors(api: Api) -> None:
    contact, site, _ = _setup(api)
    url = f"/assets/system.contact/{contact['id']}/related"
    unknown = "018bd87e-d47d-7001-a9b3-b30678e51061"
    assert_error(api.put(url, [{"asset_id": unknown}]), 400, "asset_id")
    assert_error(api.put(url, [{"asset_id": contact["id"]}]), 400, "asset_id")
    assert_error(api.put(url, {"asset_id": site["id"]}), 400)
    assert_error(api.put(url, [{"asset_id": site["id"], "kind": "x"}]), 400, "kind")
    assert_error(api.put(f"/assets/system.contact/{unknown}/related", []), 404)
    assert_error(api.get(f"/assets/system.location/{contact['id']}/related"), 404)
    assert api.get(url).json()["total"] == 0


def test_related_paging(api: Api) -> None:
    org = make_org(api)
    owner = make_contact(api, org["id"])
    others = [make_contact(api, org["id"], first_name=f"P{i}") for i in range(5)]
    url = f"/assets/system.contact/{owner['id']}/related"
    api.put(url, [{"asset_id": o["id"]} for o in others])
    page = api.get(url + "?limit=2&offset=2").json()
    assert page["total"] == 5
    assert [i["asset_id"] for i in page["items"]] == [o["id"] for o in others[2:4]]
    assert api.get(url + "?sort=name&order=DESC&limit=1").json()["items"][0]["name"] == "P4 Smith"
