"""`meltano run tap-lexful target-postgres` loads the demo account into PostgreSQL.

Each table is compared with what `tap-lexful` itself emits for the same account (row count and
key columns); a second run, incremental or a full refresh, adds no duplicate key.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from lexful_api import contract
from lexful_sandbox import Sandbox
from tests.e2e.pipeline import meltano, meltano_env
from tests.lexful.client import client_for, create_asset, create_organization
from tests.warehouse.warehouses import (
    SCHEMA,
    Warehouse,
    assert_loaded,
    records_read,
    tap_output,
)

pytestmark = pytest.mark.meltano


def run(warehouse: Warehouse, config: dict[str, str], state_id: str, *options: str) -> str:
    """One `meltano run` into the warehouse; returns its log (the tap's lines included)."""
    env = meltano_env(config, None, **warehouse.env)
    args = ["run", *options, "--state-id-suffix", state_id, "tap-lexful", warehouse.loader]
    result = meltano(*args, env=env)
    return result.stdout + result.stderr


def add_new_records(config: dict[str, str]) -> None:
    """An organization, a contact in it, and a link from the contact to an old configuration."""
    client = client_for(config)
    organization = create_organization(client, "New Since Last Run")
    contact = create_asset(
        client, "system.contact", organization["id"], first_name="Casey", important=False
    )
    configuration = client.get_json(contract.assets_path("system.configuration"), {"limit": 1})
    old = contract.list_items(configuration)[0]
    body = [{"asset_id": old["id"], "description": "added later"}]
    client.send_json("PUT", contract.related_path("system.contact", contact["id"]), body)
    client.close()


def test_loads_the_account_then_only_what_is_new(
    warehouse: Warehouse, own_demo_sandbox: Sandbox, tmp_path: Path
) -> None:
    config, state_id = own_demo_sandbox.config, uuid.uuid4().hex
    run(warehouse, config, state_id)
    assert_loaded(warehouse, tap_output(tmp_path, config))

    add_new_records(config)
    log = run(warehouse, config, state_id)
    read = records_read(log)
    assert read["organizations"] == 1
    assert read["system_contact"] == 1
    assert read["related_assets"] == 1
    assert read["system_location"] == 0
    assert_loaded(warehouse, tap_output(tmp_path, config))


def test_a_full_refresh_again_writes_no_duplicate(
    warehouse: Warehouse, demo_sandbox: Sandbox, tmp_path: Path
) -> None:
    config, state_id = demo_sandbox.config, uuid.uuid4().hex
    run(warehouse, config, state_id, "--full-refresh")
    expected = tap_output(tmp_path, config)
    assert_loaded(warehouse, expected)

    log = run(warehouse, config, state_id, "--full-refresh")
    read = records_read(log)  # every record came again: each one is merged on its key
    assert read == {s: len(expected.records.get(s, [])) for s in expected.keys}
    assert_loaded(warehouse, expected)


@pytest.mark.parametrize("warehouse", ["postgres"], indirect=True)
def test_deletes_since_the_last_run_mark_their_rows(
    warehouse: Warehouse, own_demo_sandbox: Sandbox, tmp_path: Path
) -> None:
    """With the tap's default settings, target-postgres marks (soft-deletes) what was deleted."""
    config, state_id = own_demo_sandbox.config, uuid.uuid4().hex
    run(warehouse, config, state_id)
    client = client_for(config)
    gone = {
        "organizations": create_organization(client, "Short Lived")["id"],
        "users": client.send_json(
            "POST",
            contract.users_path(),
            {"email": "leaver@example.com", "role": "support", "organization_scopes": "*"},
        )["id"],
    }
    run(warehouse, config, state_id)  # the new organization and user are loaded
    contact = contract.list_items(
        client.get_json(contract.assets_path("system.contact"), {"limit": 1})
    )[0]
    gone["system_contact"] = contact["id"]
    client.request("DELETE", contract.organizations_path(gone["organizations"]))
    client.request("DELETE", contract.users_path(gone["users"]))
    client.request("DELETE", contract.assets_path("system.contact", contact["id"]))
    client.close()

    read = records_read(run(warehouse, config, state_id))
    for stream, record_id in gone.items():
        assert read.get(stream) == 1, (stream, read)
        marked = warehouse.query(
            f'SELECT id::text FROM {SCHEMA}."{stream}" WHERE _sdc_deleted_at IS NOT NULL'
        )
        assert marked == [(record_id,)], stream

    read = records_read(run(warehouse, config, state_id))  # not again
    assert all(read.get(stream) == 0 for stream in gone), read
