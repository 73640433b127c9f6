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
from lexful_dagster import plan, weights
from lexful_dagster.config import Account
from lexful_sandbox import Sandbox
from tests.lexful.client import client_for, create_asset, create_organization, list_all
from tests.lexful.dagster.harness import accounts_file

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


def test_every_way_of_counting_assets_agrees(demo_sandbox: Sandbox) -> None:
    client = client_for(demo_sandbox.config)
    organizations = sorted(every_organization(client))
    kinds = [t["name"] for t in list_all(client, "/v1/asset_types")]
    each = weights.count_each(client, organizations, kinds)
    walking = weights.count_walking(client, organizations, kinds)
    counted = weights.current(client, organizations, kinds)  # GET /v1/entities/counts
    assert each == walking == counted
    assert sum(each.values()) == sum(assets_by_organization(client).values())


def test_weights_are_counted_again_and_new_organizations_go_to_the_lightest_shard_now(
    own_demo_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_for(own_demo_sandbox.config)
    two = account_for(own_demo_sandbox, tmp_path, monkeypatch, shards=2)
    for shard in (0, 1):
        plan.prepare_shard(client, two, shard)
    before = plan.read(two.plan_path)
    assert before is not None
    loads = before.weights()
    light = min((0, 1), key=lambda k: (loads[k], k))
    # The lighter shard's first organization grows past the gap: the lighter is the other now.
    grown = before.members(light)[0]
    for i in range(loads[1 - light] - loads[light] + 3):
        create_asset(client, "system.location", grown, name=f"Site {i}")
    first = create_organization(client, "First newcomer")
    prepared = plan.prepare_shard(client, two, 0)
    after = plan.read(two.plan_path)
    assert after is not None
    assert after.organizations[grown].assets == assets_by_organization(client)[grown]
    assert after.organizations[first["id"]].shard == 1 - light
    assert prepared.added == ([first["id"]] if light == 1 else [])
    # Nothing else moved.
    assert {o: w.shard for o, w in before.organizations.items()} == {
        o: after.organizations[o].shard for o in before.organizations
    }


def test_shard_counts_grow_and_shrink_by_moving_organizations(
    demo_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_for(demo_sandbox.config)
    plan.prepare_shard(client, account_for(demo_sandbox, tmp_path, monkeypatch, shards=2), 0)
    two = plan.read(tmp_path / "north.plan.json")
    assert two is not None

    prepared = plan.prepare_shard(
        client, account_for(demo_sandbox, tmp_path, monkeypatch, shards=3), 2
    )
    three = plan.read(tmp_path / "north.plan.json")
    assert three is not None
    assert three.shards == 3
    moved = {o for o, w in three.organizations.items() if w.shard != two.organizations[o].shard}
    # Only to the new shard, and it is no longer empty: the heaviest shard is lighter.
    assert moved
    assert {three.organizations[o].shard for o in moved} == {2}
    assert prepared.added == sorted(moved) == three.members(2)
    assert max(three.weights()) < max(two.weights())
    assert set(three.organizations) == set(two.organizations)

    plan.prepare_shard(client, account_for(demo_sandbox, tmp_path, monkeypatch, shards=2), 0)
    back = plan.read(tmp_path / "north.plan.json")
    assert back is not None
    assert back.shards == 2
    # Shard 2's organizations are placed again; the others stay where they were.
    assert set(back.organizations) == set(two.organizations)
    assert {o: back.organizations[o].shard for o in three.organizations if o not in moved} == {
        o: w.shard for o, w in three.organizations.items() if o not in moved
    }
    assert set(back.bounds) <= {0, 1}
    assert set(back.checked) <= {0, 1}


def test_another_accounts_plan_is_refused(
    demo_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_for(demo_sandbox.config)
    three = account_for(demo_sandbox, tmp_path, monkeypatch, shards=3)
    plan.prepare_shard(client, three, 0)
    other = demo_sandbox.new_account()
    moved = dataclasses.replace(three, account_id=other["account_id"])
    with pytest.raises(plan.PlanError, match="is the plan of account"):
        plan.prepare_shard(client, moved, 0)


def test_spreading_moves_the_largest_that_narrows_the_gap_and_stops() -> None:
    state = plan.Plan("acct", 1)
    for org, size in {"a": 9, "b": 5, "c": 4, "d": 3, "e": 0}.items():
        state.organizations[org] = plan.Assignment(0, size, "2026-01-01T00:00:00.000Z")
    # 21/0/0 -> 12/9/0 -> 7/9/5: then nothing in the heaviest (a, 9) narrows its gap of 4.
    assert plan.resize(state, 3) == {"a": 1, "b": 2}
    assert state.weights() == [7, 9, 5]
    assert plan.resize(state, 3) == {}
    # Shrinking places the shard's organizations as newcomers, each on the lightest.
    assert plan.resize(state, 2) == {"b": 0}
    assert state.weights() == [12, 9]


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
