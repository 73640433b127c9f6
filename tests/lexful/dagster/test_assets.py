"""The accounts' assets materialised in process, every partition a ``meltano run`` through Pipes.

Two sandbox accounts (a sandbox each, so that one can fail while the other answers), an
ephemeral Dagster instance, target-jsonl writing each partition into its own directory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("dagster", reason="the dagster extra is not installed")

from dagster import DagsterInstance

from lexful_api import LexfulClient, contract
from lexful_dagster import plan, shards
from lexful_dagster.config import Settings
from lexful_sandbox import Sandbox
from tests.e2e.pipeline import ROOT
from tests.lexful.client import client_for, create_asset, create_organization, list_all
from tests.lexful.dagster.harness import (
    ACCOUNT_STREAMS,
    accounts_file,
    assert_union_is_full_run,
    failure_message,
    materialize_all,
    metadata,
    output_dir,
    read_output,
    run_shard_directly,
)

pytestmark = pytest.mark.meltano


def records_read(result_metadata: dict) -> dict[str, int]:
    """The streams a partition's run emitted records of, from its materialization."""
    return {s: n for s, n in result_metadata["records_by_stream"].items() if n}


def written(tmp: Path, account: str, key: str) -> dict[str, int]:
    return {s: len(r) for s, r in read_output(output_dir(tmp, account, key)).items() if r}


def test_every_partition_the_union_is_one_full_run_and_the_next_run_is_incremental(
    two_accounts: tuple[Sandbox, Sandbox],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    meltano_home: Path,
) -> None:
    north, south = two_accounts
    settings = accounts_file(
        tmp_path,
        {"north": (north.config, 3), "south": (south.config, 2)},
        monkeypatch,
        meltano_home,
    )
    instance = DagsterInstance.ephemeral()

    first = materialize_all(settings, instance)
    assert len(first) == 4 + 3
    assert {key: result.success for key, result in first.items()} == dict.fromkeys(first, True)
    for (account, key), result in first.items():
        facts = metadata(result)
        assert facts["exit_code"] == 0
        assert facts["state_id_suffix"] == f"{account}.{key}"
        assert records_read(facts) == written(tmp_path, account, key)
        # The account-wide streams are read once, by the account-wide shard only.
        read = set(records_read(facts))
        assert read <= ACCOUNT_STREAMS if key == shards.ACCOUNT_WIDE else not read & ACCOUNT_STREAMS
    for account in settings.accounts:
        assert_union_is_full_run(tmp_path, settings, account)

    expected = new_records_in(settings, north)
    second = materialize_all(settings, instance)
    assert all(result.success for result in second.values())
    for (account, key), result in second.items():
        read = records_read(metadata(result))
        if key == shards.ACCOUNT_WIDE:
            # Organization and asset types are full-table streams, read whole every run; no
            # user is new; asset_counts is read whole too, one count more in north (the new
            # organization's).
            once = records_read(metadata(first[account, key]))
            grown = int(account == "north")
            assert read == {
                s: n + (grown if s == "asset_counts" else 0)
                for s, n in once.items()
                if s != "users"
            }
        else:
            assert read == expected.get((account, key), {}), (account, key)
    for account in settings.accounts:
        assert_union_is_full_run(tmp_path, settings, account, runs=2)


def live_member(client: LexfulClient, organization_ids: list[str]) -> str:
    """An organization of the list that is not deleted (a plan keeps deleted ones)."""
    live = {o["id"] for o in list_all(client, contract.organizations_path())}
    return next(org for org in organization_ids if org in live)


def new_records_in(settings: Settings, sandbox: Sandbox) -> dict[tuple[str, str], dict]:
    """A contact in an organization of shard 0, a new organization with a contact; where each
    must be read next (the new organization: the shard with the fewest assets now)."""
    account = settings.accounts[0]
    client = client_for(sandbox.config)
    before = plan.read(account.plan_path)
    assert before is not None
    old = live_member(client, before.members(0))
    create_asset(
        client, "system.contact", old, first_name="Late", last_name="Hire", important=False
    )
    new = create_organization(client, "Founded Between Runs")
    create_asset(
        client, "system.contact", new["id"], first_name="New", last_name="Co", important=True
    )
    # Weights are counted again at each plan: shard 0's include the contact just added.
    weights = before.weights()
    weights[0] += 1
    lightest = min(range(len(weights)), key=lambda k: (weights[k], k))
    expected = {(account.name, "orgs-0"): {"system_contact": 1}}
    joined = expected.setdefault((account.name, f"orgs-{lightest}"), {})
    joined["system_contact"] = joined.get("system_contact", 0) + 1
    joined["organizations"] = 1
    return expected


def test_a_failing_account_fails_alone_and_its_rerun_completes_it(
    two_accounts: tuple[Sandbox, Sandbox],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    meltano_home: Path,
) -> None:
    north, south = two_accounts
    settings = accounts_file(
        tmp_path,
        {"north": (north.config, 2), "south": (south.config, 2)},
        monkeypatch,
        meltano_home,
    )
    instance = DagsterInstance.ephemeral()
    south.set_faults(error_rate=1.0)

    first = materialize_all(settings, instance)
    assert {key: result.success for key, result in first.items()} == {
        ("north", "account"): True,
        ("south", "account"): False,
        ("north", "orgs-0"): True,
        ("south", "orgs-0"): False,
        ("north", "orgs-1"): True,
        ("south", "orgs-1"): False,
    }
    # The account-wide shard got as far as meltano, whose tap gave up: Pipes failed the step.
    assert "External execution process failed with code 1" in failure_message(
        first["south", "account"]
    )
    # The organization shards failed earlier, planning, on the same answers.
    assert "injected fault" in failure_message(first["south", "orgs-0"])
    assert read_output(tmp_path / "out" / "south") == {}

    south.set_faults(error_rate=0.0)
    failed = {key for key, result in first.items() if not result.success}
    rerun = materialize_all(settings, instance, only=failed)
    assert {key: result.success for key, result in rerun.items()} == dict.fromkeys(failed, True)
    for account in settings.accounts:
        assert_union_is_full_run(tmp_path, settings, account)


def test_a_run_reads_below_its_bound_and_the_next_run_reads_the_rest(
    own_demo_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, meltano_home: Path
) -> None:
    settings = accounts_file(
        tmp_path, {"north": (own_demo_sandbox.config, 2)}, monkeypatch, meltano_home
    )
    account = settings.accounts[0]
    client = client_for(own_demo_sandbox.config)
    prepared = plan.prepare_shard(client, account, 0)

    # Written after shard 0 planned, before its meltano run reads: as if during the run.
    old = live_member(client, prepared.organization_ids)
    late = create_asset(client, "system.contact", old, first_name="L", important=False)
    founded = create_organization(client, "Founded Mid-run")
    its_asset = create_asset(client, "system.location", founded["id"], name="New Site")
    filters = shards.bound_filters(prepared.asset_types, "created_at", prepared.bound)
    env = shards.meltano_env(
        settings.meltano, account, "orgs-0", prepared.organization_ids, filters
    )
    run_shard_directly(settings, account, "orgs-0", env)
    first = read_output(output_dir(tmp_path, "north", "orgs-0"))
    ids = {r.get("id") for records in first.values() for r in records}
    assert late["id"] not in ids
    assert its_asset["id"] not in ids
    assert contract.reformat_timestamp(late["created_at"]) >= prepared.bound

    # Now through Dagster: shard 0 reads its late contact, the organization founded meanwhile
    # joins a shard and is read whole, and the union is one full run.
    results = materialize_all(settings, DagsterInstance.ephemeral())
    assert all(result.success for result in results.values())
    union = assert_union_is_full_run(tmp_path, settings, account)
    ids = [r.get("id") for records in union.values() for r in records]
    assert ids.count(late["id"]) == ids.count(founded["id"]) == ids.count(its_asset["id"]) == 1


def test_a_shard_without_organizations_runs_nothing_until_one_joins_it(
    demo_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, meltano_home: Path
) -> None:
    empty = demo_sandbox.new_account()
    settings = accounts_file(tmp_path, {"north": (empty, 2)}, monkeypatch, meltano_home)
    instance = DagsterInstance.ephemeral()
    first = materialize_all(settings, instance)
    assert all(result.success for result in first.values())
    for key in ("orgs-0", "orgs-1"):
        # No meltano run at all: the tap would read an empty organization_ids as "all".
        assert metadata(first["north", key]) == {"organizations": 0, "records": 0}
        assert written(tmp_path, "north", key) == {}
    # An account without assets has no counts: asset_counts writes nothing.
    assert set(written(tmp_path, "north", "account")) == ACCOUNT_STREAMS - {"asset_counts"}

    founded = create_organization(client_for(empty), "First Client")
    second = materialize_all(settings, instance)
    assert all(result.success for result in second.values())
    # Both shards weigh nothing: the lower index takes it.
    assert records_read(metadata(second["north", "orgs-0"])) == {"organizations": 1}
    assert metadata(second["north", "orgs-1"]) == {"organizations": 0, "records": 0}
    (record,) = read_output(output_dir(tmp_path, "north", "orgs-0"))["organizations"]
    assert record["id"] == founded["id"]


def test_the_code_location_loads_from_its_module(
    demo_sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, meltano_home: Path
) -> None:
    accounts_file(
        tmp_path,
        {"north": (demo_sandbox.config, 3), "south": (demo_sandbox.config, 1)},
        monkeypatch,
    )
    code = (
        "import json\n"
        "from lexful_dagster.definitions import defs\n"
        "specs = {s.key.to_user_string(): s.partitions_def.get_partition_keys()"
        " for s in defs.resolve_all_asset_specs()}\n"
        "print(json.dumps(specs))\n"
    )
    env = os.environ | {"LEXFUL_DAGSTER_CONFIG": str(tmp_path / "lexful-dagster.yml")}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout.splitlines()[-1]) == {
        "lexful/north": ["account", "orgs-0", "orgs-1", "orgs-2"],
        "lexful/south": ["account", "orgs-0"],
    }
