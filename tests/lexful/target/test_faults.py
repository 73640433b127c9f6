"""Transient faults (5xx, 429, dropped connections, expired tokens) are retried, never rejected."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

from lexful_api import contract
from tests.lexful.client import client_for, list_all
from tests.lexful.target.helpers import (
    org_record,
    person_record,
    read_rejects,
    record,
    run_target,
    schema,
    target_config,
)


def test_faults_lose_nothing_and_double_nothing(own_sandbox, tmp_path) -> None:
    account = own_sandbox.new_account()
    client = client_for(account)
    orgs = [org_record(f"F{i}") for i in range(10)]
    people = [person_record(o, f"P{j}") for o in orgs for j in range(5)]
    links = [_link(a, b) for a, b in pairwise(people)]
    messages = [
        schema("system_contact"),
        *[record("system_contact", p) for p in people],
        schema("related_assets", ["asset_id", "related_asset_id"]),
        *[record("related_assets", x) for x in links],
        schema("organizations"),
        *[record("organizations", o) for o in orgs],
    ]
    config = target_config(account, tmp_path, batch_size_rows=20)
    own_sandbox.set_faults(error_rate=0.2, drop_rate=0.05, rate_limit=40, token_ttl=5)
    try:
        run = run_target(config, messages)
    finally:
        own_sandbox.set_faults(error_rate=0, drop_rate=0, rate_limit=0, token_ttl=3600)

    assert read_rejects(tmp_path) == []
    assert run.count("system_contact", "created") == 50
    assert run.count("related_assets", "created") == 49
    names = Counter(o["name"] for o in list_all(client, contract.organizations_path()))
    assert names == Counter({o["name"]: 1 for o in orgs})
    stored = list_all(client, contract.assets_path("system.contact"))
    assert len({(p["first_name"], p["last_name"]) for p in stored}) == len(stored) == 50
    statuses = own_sandbox.stats()["by_status"]
    assert any(s >= 500 for s in statuses), statuses  # the faults did happen
    assert 429 in statuses


def _link(a: dict, b: dict) -> dict:
    ends = {"asset_id": a["id"], "related_asset_id": b["id"], "description": "knows"}
    return {**ends, "asset_type": "system.contact", "related_asset_type": "system.contact"}
