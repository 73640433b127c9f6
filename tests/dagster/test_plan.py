"""The shard plan against a sandbox: balanced, complete, stable, and safe under concurrency."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("dagster", reason="the dagster extra is not installed")

from lexful_api import LexfulClient, contract
from lexful_dagster import plan
from lexful_dagster.config import Account
from lexful_sandbox import Sandbox
from tests.dagster.harness import accounts_file
from tests.lexful import client_for, create_asset, create_organization, list_all

SECRET_ENV = "LEXFUL_TEST_PLAN_SECRET"


def account_for(
    sandbox: Sandbox, tmp: Path, monkeypatch: pytest.MonkeyPatch, shards: int
) -> Account:
    monkeypatch.setenv(SECRET_ENV, sandbox.api_key_secret)
    return Account(
        name="north",
        api_url=sandbox.api_url,
        account_id=sandbox.account_id,
        api_key_id=sandbox.api_key_id,
        api_key_secret_env=SECRET_ENV,
        organization_shards=shards,
        loader="target-jsonl",
        plan_path=tmp / "north.plan.json",
    )


def assets_by_organization(client: LexfulClient) -> dict[str, int]:
    """Live assets per organization, counted record by record."""
    counts: dict[str, int] = {}
    for kind in list_all(client, contract.asset_types_path()):
        for item in list_all(client, contract.assets_path(kind["name"])):
            counts[item["organization_id"]] = counts.get(item["organization_id"], 0) + 1
    return counts


def every_organization(client: LexfulClient) -> set[str]:
    return {o["id"] for o in list_all(client, "/v1/organizations", include_deleted="true")}


def test_first_plan_places_every_organization_once_balanced_by_assets(
    demo_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = account_for(demo_sandbox, tmp_path, monkeypatch, shards=3)
    client = client_for(demo_sandbox.config)
    prepared = plan.prepare_shard(client, account, 0)

    saved = plan.read(account.plan_path)
    assert saved is not None
    # Deleted organizations too: their assets are still listed, and some shard must read them.
    assert set(saved.organizations) == every_organization(client)
    assert prepared.organization_ids == saved.members(0)
    counts = assets_by_organization(client)
    assert {org: where.assets for org, where in saved.organizations.items()} == {
        org: counts.get(org, 0) for org in saved.organizations
    }
    weights = saved.weights()
    assert sum(weights) == sum(counts.values())
    # Largest first, each to the lightest: no shard is heavier than another by more than one
    # organization's assets.
    assert max(weights) - min(weights) <= max(counts.values())
    assert set(saved.bounds) == {0}  # only the shard that planned has run
    assert prepared.asset_types == [t["name"] for t in list_all(client, "/v1/asset_types")]


def test_both_ways_of_counting_assets_agree(demo_sandbox: Sandbox) -> None:
    client = client_for(demo_sandbox.config)
    organizations = sorted(every_organization(client))
    kinds = [t["name"] for t in list_all(client, "/v1/asset_types")]
    each = plan.count_each(client, organizations, kinds)
    walking = plan.count_walking(client, organizations, kinds)
    assert each == walking
    assert sum(each.values()) == sum(assets_by_organization(client).values())


def test_assignments_never_move_new_organizations_go_to_the_lightest_shard(
    own_demo_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_for(own_demo_sandbox.config)
    two = account_for(own_demo_sandbox, tmp_path, monkeypatch, shards=2)
    for shard in (0, 1):
        plan.prepare_shard(client, two, shard)
    before = plan.read(two.plan_path)
    assert before is not None

    first = create_organization(client, "First newcomer")
    prepared = plan.prepare_shard(client, two, 0)
    placed = plan.read(two.plan_path)
    assert placed is not None
    weights = before.weights()
    lightest = min((0, 1), key=lambda k: (weights[k], k))
    assert placed.organizations[first["id"]].shard == lightest
    assert prepared.added == ([first["id"]] if lightest == 0 else [])

    big = create_organization(client, "Big newcomer")
    for i in range(5):
        create_asset(client, "system.location", big["id"], name=f"Site {i}")
    small = create_organization(client, "Small newcomer")
    # A third shard now: it is empty, so the lightest, and takes the newcomers; no
    # organization placed before moves.
    three = account_for(own_demo_sandbox, tmp_path, monkeypatch, shards=3)
    prepared = plan.prepare_shard(client, three, 1)
    after = plan.read(three.plan_path)
    assert after is not None
    assert {org: w.shard for org, w in placed.organizations.items()} == {
        org: after.organizations[org].shard for org in placed.organizations
    }
    assert after.members(2) == sorted([big["id"], small["id"]])
    assert after.organizations[big["id"]].assets == 5
    assert prepared.added == []  # shard 1 planned, shard 2 got them
    assert after.shards == 3
    assert set(after.bounds) == {0, 1}  # shard 2 has not run: no bookmarks, no bound


def test_fewer_shards_or_another_account_is_refused(
    demo_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_for(demo_sandbox.config)
    plan.prepare_shard(client, account_for(demo_sandbox, tmp_path, monkeypatch, shards=3), 0)
    with pytest.raises(plan.PlanError, match="3 shards and the config 2"):
        plan.prepare_shard(client, account_for(demo_sandbox, tmp_path, monkeypatch, shards=2), 0)
    other = demo_sandbox.new_account()
    three = account_for(demo_sandbox, tmp_path, monkeypatch, shards=3)
    moved = dataclasses.replace(three, account_id=other["account_id"])
    with pytest.raises(plan.PlanError, match="is the plan of account"):
        plan.prepare_shard(client, moved, 0)


def test_an_organization_never_joins_a_shard_whose_bookmarks_may_have_passed_it() -> None:
    # Shard 0 is lighter, but its last run began (bound) after the organization was created:
    # its bookmarks may be past the organization's first records.
    state = plan.Plan(
        "acct", 2, bounds={0: "2026-01-02T00:00:00.000Z", 1: "2026-01-01T00:00:00.000Z"}
    )
    state.organizations["old"] = plan.Assignment(1, 10, "2025-01-01T00:00:00.000Z")
    placed = plan.assign(state, [plan.Organization("new", "2026-01-01T12:00:00Z", 1)])
    assert placed == {"new": 1}
    # At its bound exactly: that run read only what is below it, so the organization is safe.
    placed = plan.assign(state, [plan.Organization("edge", "2026-01-02T00:00:00.000Z", 1)])
    assert placed == {"edge": 0}
    with pytest.raises(plan.PlanError, match="no shard can take it"):
        plan.assign(state, [plan.Organization("older", "2025-12-31T00:00:00.000Z", 1)])


PLAN_IN_A_PROCESS = """
import json, sys
from pathlib import Path
from lexful_api.settings import client_from_config
from lexful_dagster import config, plan
account = config.load(Path(sys.argv[1])).accounts[0]
client = client_from_config(account.client_config(), user_agent=None, concurrency=8)
print(json.dumps(plan.prepare_shard(client, account, int(sys.argv[2])).organization_ids))
"""


def test_shards_planning_at_once_write_one_plan(
    demo_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = accounts_file(tmp_path, {"north": (demo_sandbox.config, 4)}, monkeypatch)
    path = tmp_path / "lexful-dagster.yml"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", PLAN_IN_A_PROCESS, str(path), str(shard)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for shard in range(4)
    ]
    seen = [json.loads(p.communicate(timeout=120)[0]) for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0, 0]
    final = plan.read(settings.accounts[0].plan_path)
    assert final is not None
    # Whoever planned first placed everyone; the others found the plan and kept it.
    assert seen == [final.members(shard) for shard in range(4)]
    every = [org for members in seen for org in members]
    assert len(every) == len(set(every)) == len(every_organization(client_for(demo_sandbox.config)))
