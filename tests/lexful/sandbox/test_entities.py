"""``GET /v1/entities/counts``: assets per type per organization, as documented."""

from __future__ import annotations

from collections import Counter

from tests.lexful.sandbox.conftest import Api, assert_error, make_contact, make_org


def test_counts_match_the_lists_of_the_demo_account(demo_api: Api) -> None:
    body = demo_api.get("/entities/counts").json()
    types = {t["name"]: t for t in demo_api.all("/asset_types")}
    assert set(body) == set(types)
    for name, entry in body.items():
        assert entry["display_name"] == types[name]["display_name"]
        assert entry["is_system"] == types[name]["is_system"]
        listed = Counter(a["organization_id"] for a in demo_api.all(f"/assets/{name}"))
        assert entry["counts"] == dict(listed), name


def test_counts_by_type_and_organization_leave_out_deleted_assets(api: Api) -> None:
    org, other = make_org(api, "One"), make_org(api, "Two")
    contacts = [make_contact(api, org["id"]) for _ in range(3)]
    make_contact(api, other["id"])
    assert api.delete(f"/assets/system.contact/{contacts[0]['id']}").status_code == 204
    counts = api.get("/entities/counts", params={"entity_type": "system.contact"}).json()
    assert list(counts) == ["system.contact"]
    assert counts["system.contact"]["counts"] == {org["id"]: 2, other["id"]: 1}
    one = api.get("/entities/counts", params={"organization_id": other["id"]}).json()
    assert one["system.contact"]["counts"] == {other["id"]: 1}
    assert one["system.location"]["counts"] == {}


def test_counts_refuse_unknown_types_and_parameters(api: Api) -> None:
    assert_error(api.get("/entities/counts", params={"entity_type": "nope"}), 400, "entity_type")
    assert_error(api.get("/entities/counts", params={"colour": "red"}), 400, "colour")


def test_a_hidden_asset_is_left_out_of_the_list_not_the_counts(demo_sandbox, api: Api) -> None:
    org = make_org(api)
    hidden, shown = make_contact(api, org["id"]), make_contact(api, org["id"])
    demo_sandbox.store.hidden.add(hidden["id"])
    try:
        assert [a["id"] for a in api.items("/assets/system.contact")] == [shown["id"]]
        counts = api.get("/entities/counts").json()["system.contact"]["counts"]
        assert counts == {org["id"]: 2}
    finally:
        demo_sandbox.store.hidden.discard(hidden["id"])
