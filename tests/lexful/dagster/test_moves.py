"""Sharded runs stay one run when assets move between shards, the plan is lost, or the shards
read a subset of asset types: the union of the shards against one plain ``meltano run``."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("dagster", reason="the dagster extra is not installed")

from dagster import DagsterInstance

from lexful_api import LexfulClient, contract
from lexful_dagster import plan, shards, states
from lexful_dagster.config import Account, Settings
from lexful_sandbox import Sandbox
from tests.lexful.client import client_for, create_asset, create_organization, list_all
from tests.lexful.dagster.harness import (
    ACCOUNT_STREAMS,
    accounts_file,
    assert_union_is_full_run,
    failure_message,
    materialize_all,
    materialize_partition,
    metadata,
    output_dir,
    read_output,
    two_shards_synced,
)

pytestmark = pytest.mark.meltano
CONTACT = "system.contact"


def live_members(client: LexfulClient, account: Account, shard: int) -> list[str]:
    """The shard's organizations that are not deleted (a plan keeps deleted ones)."""
    saved = plan.read(account.plan_path)
    assert saved is not None
    live = {o["id"] for o in list_all(client, contract.organizations_path())}
    return [org for org in saved.members(shard) if org in live]


def move(client: LexfulClient, asset: dict[str, Any], organization_id: str) -> None:
    path = contract.assets_path(CONTACT, asset["id"])
    client.send_json("PATCH", path, {"organization_id": organization_id})


def pass_the_second_of(client: LexfulClient, record: dict[str, Any]) -> None:
    """Wait until the server's clock (its ``Date``, to the second: a shard's bound) is past
    the record's creation, so that the next shard to plan reads it."""
    while plan.server_time(client) <= contract.reformat_timestamp(record["created_at"]):
        time.sleep(0.2)


def run_one(settings: Settings, key: str, instance: DagsterInstance) -> None:
    account = settings.accounts[0]
    assert materialize_partition(settings, account, key, instance).success


def test_assets_moved_to_a_shard_that_passed_them_are_read_by_it_both_ways(
    own_demo_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, meltano_home: Path
) -> None:
    settings, account, instance = two_shards_synced(
        own_demo_sandbox.config, tmp_path, monkeypatch, meltano_home
    )
    client = client_for(own_demo_sandbox.config)
    in_0, in_1 = live_members(client, account, 0)[0], live_members(client, account, 1)[0]

    # Shard 0 has not read this contact when it moves to shard 1, whose bookmark has passed it
    # (shard 1 read a contact created after it).
    east = create_asset(client, CONTACT, in_0, first_name="East", important=False)
    later = create_asset(client, CONTACT, in_1, first_name="Later1", important=False)
    pass_the_second_of(client, later)
    run_one(settings, "orgs-1", instance)
    move(client, east, in_1)
    # And the other way: shard 1 has not read this one, shard 0's bookmark has passed it.
    west = create_asset(client, CONTACT, in_1, first_name="West", important=False)
    later = create_asset(client, CONTACT, in_0, first_name="Later0", important=False)
    pass_the_second_of(client, later)
    run_one(settings, "orgs-0", instance)
    move(client, west, in_0)

    last = materialize_all(settings, instance)
    assert all(result.success for result in last.values())
    # 0 missing, 0 extra, 0 read twice: each contact once, in its new organization.
    union = assert_union_is_full_run(tmp_path, settings, account, runs=2)
    contacts = {r["id"]: r["organization_id"] for r in union["system_contact"]}
    assert (contacts[east["id"]], contacts[west["id"]]) == (in_1, in_0)
    assert metadata(last["north", "orgs-0"])["moved_in"] == 1
    assert metadata(last["north", "orgs-1"])["moved_in"] == 1

    # Nothing moved since: the next runs search an empty window and read nothing again.
    again = materialize_all(settings, instance, only={("north", "orgs-0"), ("north", "orgs-1")})
    assert [metadata(r)["moved_in"] for r in again.values()] == [0, 0]
    assert_union_is_full_run(tmp_path, settings, account, runs=2)


def clear_stored_plan(settings: Settings, account: Account) -> None:
    state_id = states.plan_state_id(settings.meltano, account)
    command = [settings.meltano.executable, "state", "clear", "--force", state_id]
    env = {**os.environ, **settings.meltano.env}
    subprocess.run(command, cwd=settings.meltano.project_dir, env=env, check=True)


def test_a_run_on_a_disk_of_its_own_uses_the_plan_kept_with_the_states(
    own_demo_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, meltano_home: Path
) -> None:
    settings, account, instance = two_shards_synced(
        own_demo_sandbox.config, tmp_path, monkeypatch, meltano_home
    )
    kept = plan.read(account.plan_path)
    assert kept is not None
    stored = states.MeltanoPlanStore(settings.meltano, account).get()
    assert plan.Plan.from_json(stored) == kept
    client = client_for(own_demo_sandbox.config)
    create_asset(
        client, CONTACT, live_members(client, account, 0)[0], first_name="Between", important=False
    )
    create_organization(client, "Founded Between Runs")

    for key in shards.partition_keys(account):
        account.plan_path.unlink(missing_ok=True)  # each run on a disk of its own
        assert materialize_partition(settings, account, key, instance).success
    after = plan.read(account.plan_path)
    assert after is not None
    # The stored plan was used, not a fresh one: no organization changed shard.
    assert {org: w.shard for org, w in kept.organizations.items()} == {
        org: after.organizations[org].shard for org in kept.organizations
    }
    assert len(after.organizations) == len(kept.organizations) + 1
    assert_union_is_full_run(tmp_path, settings, account, runs=2)


def test_a_lost_plan_is_refused_while_the_shards_states_exist(
    own_demo_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, meltano_home: Path
) -> None:
    settings, account, instance = two_shards_synced(
        own_demo_sandbox.config, tmp_path, monkeypatch, meltano_home
    )
    kept = account.plan_path.read_text()
    account.plan_path.unlink()  # the local copy, and the state backend's
    clear_stored_plan(settings, account)

    for key in ("orgs-0", "orgs-1"):
        result = materialize_partition(settings, account, key, instance)
        assert not result.success
        message = failure_message(result).strip().splitlines()
        assert any(
            "north: the plan is missing (state " in line
            and f"{account.plan_path}) but 2 organization shard state(s)" in line
            for line in message
        ), message
    assert not account.plan_path.exists()  # no plan made afresh
    assert states.MeltanoPlanStore(settings.meltano, account).get() is None
    # The account-wide shard has no plan to lose and runs.
    assert materialize_partition(settings, account, "account", instance).success

    account.plan_path.write_text(kept)  # restored: the shards go on as before, and store it
    assert all(result.success for result in materialize_all(settings, instance).values())
    assert states.MeltanoPlanStore(settings.meltano, account).get() is not None
    assert_union_is_full_run(tmp_path, settings, account, runs=3)


def test_shards_of_a_subset_of_asset_types(
    demo_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, meltano_home: Path
) -> None:
    settings = accounts_file(
        tmp_path,
        {"north": (demo_sandbox.config, 2)},
        monkeypatch,
        meltano_home,
        tap_settings={"asset_types": [CONTACT]},
    )
    account = settings.accounts[0]
    results = materialize_all(settings, DagsterInstance.ephemeral())
    assert {key: r.success for key, r in results.items()} == dict.fromkeys(results, True)
    union = assert_union_is_full_run(tmp_path, settings, account)
    fixed = {"organizations", "related_assets", "files"}
    assert set(union) - ACCOUNT_STREAMS - fixed == {"system_contact"}
    for key in ("orgs-0", "orgs-1"):
        assert set(read_output(output_dir(tmp_path, "north", key))) <= set(union)
    assert shards.bound_filters(["system.location", CONTACT], "created_at", "t", [CONTACT]) == {
        "organizations": {"created_at[lt]": "t"},
        "system_contact": {"created_at[lt]": "t"},
    }
