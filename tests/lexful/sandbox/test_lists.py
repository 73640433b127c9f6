"""List queries: every operator, sorting, field selection, paging and their errors."""

from __future__ import annotations

from typing import Any

import pytest

from lexful_sandbox.seed.data import network_device_type
from tests.lexful.sandbox.conftest import Api, assert_error, make_org

DEVICES = "/assets/network_device"
ROWS = [
    # name, role, ports, gbps, managed, vlans, purchase_date, last_seen_at (no ms, with ms)
    ("alpha", "Router", 8, 1, True, ["VLAN1"], "2020-01-15", "2025-01-01T10:00:00Z"),
    (
        "Beta",
        "Switch",
        24,
        2.5,
        False,
        ["VLAN1", "VLAN2"],
        "2021-06-30",
        "2025-02-01T10:00:00.500Z",
    ),
    ("gamma_1", "Switch", 48, 10, True, [], "2022-03-01", "2025-03-01T10:00:00.000Z"),
    ("delta", "Firewall", 16, 40, True, ["VLAN3"], "2023-12-31", None),
]


@pytest.fixture(scope="module")
def data(demo_sandbox) -> tuple[Api, dict[str, Any]]:
    api = Api(demo_sandbox.new_account())
    assert api.post("/asset_types", network_device_type()).status_code == 201
    org = make_org(api)
    ids = {}
    for name, role, ports, gbps, managed, vlans, bought, seen in ROWS:
        body = {
            "organization_id": org["id"],
            "name": name,
            "device_role": role,
            "port_count": ports,
            "throughput_gbps": gbps,
            "managed": managed,
            "vlans": vlans,
            "purchase_date": bought,
            "last_seen_at": seen,
        }
        answer = api.post(DEVICES, body)
        assert answer.status_code == 201, answer.text
        ids[name] = answer.json()
    return api, ids


def names(api: Api, query: str) -> list[str]:
    answer = api.get(f"{DEVICES}?{query}")
    assert answer.status_code == 200, answer.text
    return [d["name"] for d in answer.json()["items"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("device_role=Switch", ["Beta", "gamma_1"]),
        ("device_role[eq]=Switch", ["Beta", "gamma_1"]),
        ("device_role[ne]=Switch", ["alpha", "delta"]),
        ("port_count[gt]=16", ["Beta", "gamma_1"]),
        ("port_count[gte]=16", ["Beta", "gamma_1", "delta"]),
        ("port_count[lt]=16", ["alpha"]),
        ("port_count[lte]=16", ["alpha", "delta"]),
        ("throughput_gbps[eq]=2.5", ["Beta"]),
        ("throughput_gbps[gt]=2", ["Beta", "gamma_1", "delta"]),
        ("device_role[in]=Router,Firewall", ["alpha", "delta"]),
        ("device_role[nin]=Router,Firewall", ["Beta", "gamma_1"]),
        ("port_count[in]=8,48", ["alpha", "gamma_1"]),
        ("name[like]=%ET%", ["Beta"]),
        ("name[like]=a%", ["alpha"]),
        ("name[like]=gamma_%", ["gamma_1"]),
        ("name[like]=gamma%1", ["gamma_1"]),
        ("name[like]=g_mma%", []),
        ("managed=true", ["alpha", "gamma_1", "delta"]),
        ("managed[eq]=false", ["Beta"]),
        ("managed[ne]=true", ["Beta"]),
        ("vlans[eq]=VLAN1", ["alpha", "Beta"]),
        ("vlans[in]=VLAN2,VLAN3", ["Beta", "delta"]),
        ("vlans[nin]=VLAN1", ["gamma_1", "delta"]),
        ("vlans[like]=vlan%", ["alpha", "Beta", "delta"]),
        ("purchase_date[gte]=2021-06-30", ["Beta", "gamma_1", "delta"]),
        ("purchase_date[lt]=2021-06-30", ["alpha"]),
        ("last_seen_at[gt]=2025-02-01T10:00:00Z", ["Beta", "gamma_1"]),
        ("last_seen_at[gt]=2025-02-01T10:00:00.500Z", ["gamma_1"]),
        ("last_seen_at[gte]=2025-02-01T10:00:00.500Z", ["Beta", "gamma_1"]),
        ("last_seen_at[eq]=2025-01-01T10:00:00.000Z", ["alpha"]),
        ("last_seen_at[eq]=2025-01-01T11:00:00%2B01:00", ["alpha"]),
        ("last_seen_at[lte]=2025-02-01", ["alpha"]),
        ("last_seen_at=null", ["delta"]),
        ("last_seen_at[ne]=null", ["alpha", "Beta", "gamma_1"]),
        ("device_role=Switch&port_count[gt]=30", ["gamma_1"]),
        ("port_count[gte]=8&port_count[lte]=16", ["alpha", "delta"]),
    ],
)
def test_operators(data, query: str, expected: list[str]) -> None:
    api, _ = data
    assert names(api, query) == expected


def test_fixed_fields_filter(data) -> None:
    api, ids = data
    first = ids["alpha"]
    assert names(api, f"id={first['id']}") == ["alpha"]
    assert names(api, f"created_at[gt]={first['created_at']}") == ["Beta", "gamma_1", "delta"]
    assert names(api, f"created_at[lte]={first['created_at']}") == ["alpha"]
    no_ms = first["created_at"][:19] + "Z"  # the same second, without milliseconds
    assert "alpha" not in names(api, f"created_at[lt]={no_ms}")
    assert names(api, f"organization_id={first['organization_id']}&limit=2") == ["alpha", "Beta"]
    assert names(api, "asset_type=network_device&limit=1") == ["alpha"]
    assert names(api, "created_at[gte]=2000-01-01&updated_at[gte]=2000-01-01T00:00:00Z")
    assert names(api, "visibility=inherit&limit=1") == ["alpha"]


def test_sorting(data) -> None:
    api, _ = data
    assert names(api, "") == ["alpha", "Beta", "gamma_1", "delta"]
    assert names(api, "sort=created_at&order=DESC") == ["delta", "gamma_1", "Beta", "alpha"]
    assert names(api, "sort=port_count&order=desc") == ["gamma_1", "Beta", "delta", "alpha"]
    assert names(api, "sort=device_role,port_count&order=ASC,DESC") == [
        "delta", "alpha", "gamma_1", "Beta",
    ]  # fmt: skip
    assert names(api, "sort=managed,name&order=DESC") == ["gamma_1", "delta", "alpha", "Beta"]
    assert names(api, "sort=updated_at") == ["alpha", "Beta", "gamma_1", "delta"]


def test_fields_selection(data) -> None:
    api, _ = data
    items = api.get(f"{DEVICES}?fields=name,port_count").json()["items"]
    assert all(set(i) == {"id", "name", "port_count"} for i in items)
    items = api.get(f"{DEVICES}?fields=id").json()["items"]
    assert all(set(i) == {"id"} for i in items)
    one = api.get("/organizations?fields=name").json()["items"][0]
    assert set(one) == {"id", "name"}


def test_paging(data) -> None:
    api, _ = data
    page = api.get(f"{DEVICES}?limit=3&offset=2&sort=name").json()
    assert (page["total"], page["limit"], page["offset"]) == (4, 3, 2)
    assert len(page["items"]) == 2
    assert api.get(f"{DEVICES}?limit=1000").json()["limit"] == 1000
    assert api.get(f"{DEVICES}?offset=10").json()["items"] == []


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("colour=red", "colour"),
        ("name[regex]=a", "regex"),
        ("name[]=a", "operator"),
        ("name[eq", "name[eq"),
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("limit=ten", "limit"),
        ("offset=-1", "offset"),
        ("sort=colour", "colour"),
        ("sort=name&order=UP", "order"),
        ("sort=name&order=ASC,DESC", "order"),
        ("fields=name,colour", "colour"),
        ("managed=yes", "managed"),
        ("port_count[gt]=many", "port_count"),
        ("last_seen_at[gt]=soon", "last_seen_at"),
        ("vlans[gt]=VLAN1", "vlans"),
        ("include_deleted=maybe", "include_deleted"),
    ],
)
def test_bad_queries_are_400(data, query: str, text: str) -> None:
    api, _ = data
    assert_error(api.get(f"{DEVICES}?{query}"), 400, text)


def test_other_lists_take_filters(data) -> None:
    api, _ = data
    assert (
        api.items("/asset_types", is_system="true", sort="name")[0]["name"]
        == "system.configuration"
    )
    assert api.items("/asset_types", **{"name[like]": "network%"})[0]["version"] == 1
    assert (
        api.items("/organization_types", **{"name[in]": "client,vendor"}, sort="name")[1]["name"]
        == "vendor"
    )
    assert_error(api.get("/organization_types?colour=x"), 400)
    assert_error(api.get("/organizations?limit=0"), 400)


def test_demo_paging_walk_is_complete(demo_api: Api) -> None:
    total = demo_api.get("/assets/system.contact").json()["total"]
    seen: list[str] = []
    for offset in range(0, total, 37):
        page = demo_api.get(
            f"/assets/system.contact?sort=created_at,id&order=ASC,ASC&limit=37&offset={offset}"
        ).json()
        seen += [c["id"] for c in page["items"]]
    assert len(seen) == len(set(seen)) == total
    assert seen == sorted(seen)


def test_pages_in_any_order_match_the_full_list(demo_api: Api) -> None:
    """Deep pages may start from bookmarks of earlier pages; any order must give the same."""
    for sort, order in (("created_at,id", "DESC"), ("updated_at", "ASC"), ("id", "ASC")):
        base = f"/assets/system.configuration?sort={sort}&order={order}"
        full = [c["id"] for c in demo_api.get(base + "&limit=1000").json()["items"]]
        offsets = [0, 20, 40, 100, 60, 140, 80, 120, 160, 180, 25, 7]
        for offset in offsets:
            page = demo_api.get(base + f"&limit=20&offset={offset}").json()["items"]
            assert [c["id"] for c in page] == full[offset : offset + 20], (sort, offset)


def test_writes_between_pages_are_seen(api: Api) -> None:
    org = make_org(api)
    for i in range(6):
        api.post("/assets/system.location", {"organization_id": org["id"], "name": f"L{i}"})
    base = "/assets/system.location?sort=created_at,id&order=ASC&limit=2"
    first = [x["name"] for x in api.get(base + "&offset=0").json()["items"]]
    victim = api.get(base + "&offset=0").json()["items"][0]
    api.delete(f"/assets/system.location/{victim['id']}")
    second = api.get(base + "&offset=2").json()
    assert first == ["L0", "L1"]
    assert second["total"] == 5
    assert [x["name"] for x in second["items"]] == ["L3", "L4"]


def test_direct_store_writes_show_in_cached_totals(own_sandbox) -> None:
    api = Api(own_sandbox.config)
    make_org(api, "Via HTTP")
    assert api.get("/organizations").json()["total"] == 1
    org = own_sandbox.store.find("organizations", own_sandbox.account_id, "deleted_at IS NULL")[0]
    own_sandbox.store.conn.execute(
        "UPDATE organizations SET deleted_at = '2030-01-01T00:00:00.000Z' WHERE id = ?",
        (org["id"],),
    )
    assert api.get("/organizations").json()["total"] == 0
