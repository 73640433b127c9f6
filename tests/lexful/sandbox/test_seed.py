"""Seed data: the demo's shape and determinism, and the bulk seed's speed."""

from __future__ import annotations

import time
from collections import Counter

import requests

from lexful_sandbox import running_sandbox
from tests.lexful.sandbox.conftest import Api


def test_demo_shape(demo_api: Api) -> None:
    orgs = demo_api.all("/organizations")
    assert 20 <= len(orgs) <= 30
    assert sum(o["parent_id"] is not None for o in orgs) >= 3
    assert sum(o["is_primary"] for o in orgs) == 1
    assert {"client", "vendor", "partner", "internal", "prospect"} <= {o["type"] for o in orgs}
    assert len(demo_api.all("/organizations", include_deleted="true")) == len(orgs) + 1
    types = {t["name"]: t for t in demo_api.items("/asset_types")}
    assert set(types) == {
        "system.contact",
        "system.location",
        "system.configuration",
        "network_device",
    }
    kinds = {p["type"] for p in types["network_device"]["properties"]}
    assert kinds == {
        "string",
        "number",
        "integer",
        "boolean",
        "array",
        "richtext",
        "secret",
        "totp",
        "file",
        "date",
        "datetime",
    }
    arrays = {
        p["array"]["type"] for p in types["network_device"]["properties"] if p["type"] == "array"
    }
    assert arrays == {"string", "object"}
    assert any(p.get("enum") for p in types["network_device"]["properties"])
    assert {r["multiple"] for r in types["network_device"]["references"]} == {True, False}
    assert {"ext_linkedin_url", "ext_birthday"} <= {
        p["name"] for p in types["system.contact"]["properties"]
    }
    counts = {name: demo_api.get(f"/assets/{name}?limit=1").json()["total"] for name in types}
    assert 500 <= sum(counts.values()) <= 700
    assert all(counts.values())
    deleted = demo_api.get("/assets/system.contact?include_deleted=true&deleted_at[ne]=null").json()
    assert deleted["total"] >= 1
    assert len(demo_api.items("/organization_types")) == 5


def test_demo_links_and_files(demo_api: Api) -> None:
    contacts = demo_api.all("/assets/system.contact")
    linked = [
        c
        for c in contacts
        if demo_api.get(f"/assets/system.contact/{c['id']}/related").json()["total"]
    ]
    assert len(linked) >= 10
    configs = demo_api.all("/assets/system.configuration", **{"config_backup[ne]": "null"})
    assert configs
    config = configs[0]
    files = demo_api.items(f"/assets/system.configuration/{config['id']}/files")
    assert files[0]["id"] == config["config_backup"]
    link = demo_api.get(
        f"/assets/system.configuration/{config['id']}/files/{files[0]['id']}/download"
    ).json()
    content = requests.get(link["url"], timeout=10).content
    assert len(content) == files[0]["size"]
    assert content.startswith(b"hostname ")
    secret = demo_api.items("/assets/system.configuration", limit=1)[0]["admin_password"]
    assert secret == "********"


def test_demo_is_deterministic(demo_api: Api, demo_sandbox) -> None:
    with running_sandbox(seed="demo") as same, running_sandbox(seed="demo", seed_random=2) as other:
        assert same.account_id == demo_sandbox.account_id
        again = Api(same.config)
        first = demo_api.get("/assets/system.contact?limit=50&sort=created_at").json()["items"]
        assert again.get("/assets/system.contact?limit=50&sort=created_at").json()["items"] == first
        different = Api(other.config).get("/assets/system.contact?limit=50").json()["items"]
        assert [c["id"] for c in different] != [c["id"] for c in first]


def test_scale_seed_is_fast() -> None:
    start = time.monotonic()
    with running_sandbox(seed_scale=100_000) as sb:
        seeded = time.monotonic() - start
        api = Api(sb.config)
        totals = {
            name: api.get(f"/assets/{name}?limit=1").json()["total"]
            for name in ("system.contact", "system.location", "system.configuration")
        }
        page = api.get("/assets/system.contact?limit=100&offset=30000&sort=created_at,id").json()
    assert seeded < 30
    assert sum(totals.values()) == 100_000
    assert max(totals.values()) - min(totals.values()) <= 1
    assert len(page["items"]) == 100
    assert Counter(len(c["id"]) for c in page["items"]) == {36: 100}
