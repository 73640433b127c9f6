"""Shard counts up and down after data exists: organizations move between shards, their new
shard reads them from their first record (tap-lexful's catch-up), and the union of the shards
after the loader's merge by key is one plain ``meltano run``."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("dagster", reason="the dagster extra is not installed")

from dagster import DagsterInstance

from lexful_api import contract
from lexful_dagster import plan, shards
from lexful_dagster.config import Settings
from lexful_sandbox import Sandbox
from tests.lexful.client import client_for, create_asset, create_organization, list_all
from tests.lexful.dagster.harness import (
    accounts_file,
    assert_merged_union_is_full_run,
    key_of,
    materialize_all,
    output_dir,
    two_shards_synced,
)

pytestmark = pytest.mark.meltano


def resized(settings: Settings, tmp: Path, count: int) -> Settings:
    """The same accounts file with ``count`` organization shards."""
    account = dataclasses.replace(settings.accounts[0], organization_shards=count)
    for key in shards.partition_keys(account):
        output_dir(tmp, account.name, key).mkdir(parents=True, exist_ok=True)
    return dataclasses.replace(settings, accounts=(account,))


def saved_plan(settings: Settings) -> plan.Plan:
    found = plan.read(settings.accounts[0].plan_path)
    assert found is not None
    return found


def write_between_runs(sandbox: Sandbox, before: plan.Plan) -> None:
    """A contact in each shard's first live organization, and a new organization."""
    client = client_for(sandbox.config)
    live = {o["id"] for o in list_all(client, contract.organizations_path())}
    for shard in range(before.shards):
        org = next(o for o in before.members(shard) if o in live)
        create_asset(client, "system.contact", org, first_name=f"Shard{shard}", important=False)
    new = create_organization(client, "Founded Before The Resize")
    create_asset(client, "system.location", new["id"], name="First Site")


def owner(stream: str, record: dict[str, Any]) -> str | None:
    return str(record["id"]) if stream == "organizations" else record.get("organization_id")


def assert_one_run_read_again_only_what_moved(
    tmp: Path, settings: Settings, before: plan.Plan, after: plan.Plan
) -> None:
    union, again = assert_merged_union_is_full_run(tmp, settings, settings.accounts[0])
    moved = {
        org
        for org, where in before.organizations.items()
        if after.organizations[org].shard != where.shard
    }
    assert moved
    owners = {
        (stream, key_of(stream, r)): owner(stream, r) for stream, rs in union.items() for r in rs
    }
    read_again = {(s, k): owners[s, k] for s, keys in again.items() for k in keys}
    # Records of organizations that moved are read by their old shard and again by their new
    # one (the loader merges them); nothing else is read twice.
    assert read_again
    assert {org for org in read_again.values() if org is not None} <= moved


def test_a_third_shard_after_data_exists_takes_organizations_and_loses_nothing(
    own_demo_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, meltano_home: Path
) -> None:
    settings, _, instance = two_shards_synced(
        own_demo_sandbox.config, tmp_path, monkeypatch, meltano_home
    )
    before = saved_plan(settings)
    write_between_runs(own_demo_sandbox, before)

    three = resized(settings, tmp_path, 3)
    results = materialize_all(three, instance)
    assert {key: r.success for key, r in results.items()} == dict.fromkeys(results, True)
    after = saved_plan(three)
    assert after.shards == 3
    assert after.members(2)
    assert max(after.weights()) < max(before.weights())
    assert_one_run_read_again_only_what_moved(tmp_path, three, before, after)


def test_two_shards_after_three_place_the_third_ones_organizations_and_lose_nothing(
    own_demo_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, meltano_home: Path
) -> None:
    settings = accounts_file(
        tmp_path, {"north": (own_demo_sandbox.config, 3)}, monkeypatch, meltano_home
    )
    instance = DagsterInstance.ephemeral()
    assert all(result.success for result in materialize_all(settings, instance).values())
    before = saved_plan(settings)
    write_between_runs(own_demo_sandbox, before)

    two = resized(settings, tmp_path, 2)
    results = materialize_all(two, instance)
    assert {key: r.success for key, r in results.items()} == dict.fromkeys(results, True)
    assert ("north", "orgs-2") not in results
    after = saved_plan(two)
    assert after.shards == 2
    assert set(after.organizations) >= set(before.organizations)
    assert {after.organizations[o].shard for o in before.members(2)} <= {0, 1}
    assert_one_run_read_again_only_what_moved(tmp_path, two, before, after)
