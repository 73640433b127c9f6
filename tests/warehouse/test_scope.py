"""Settings changed between runs, into target-postgres: the warehouse stays right.

- ``children: all_parents`` split by ``organization_ids``: each pass is part of the tables, so
  no row of the other organizations is marked deleted;
- ``replication_key`` switched, or organizations added to ``organization_ids``, on an existing
  state: the warehouse ends equal to a fresh full sync into a database of its own.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import psycopg
import pytest

from lexful_api import contract
from lexful_sandbox import Sandbox
from tests.e2e.pipeline import meltano, meltano_env
from tests.lexful.client import client_for, list_all
from tests.warehouse.warehouses import SCHEMA, Warehouse, postgres_warehouse

pytestmark = pytest.mark.meltano
POSTGRES = pytest.mark.parametrize("warehouse", ["postgres"], indirect=True)


def run(warehouse: Warehouse, config: dict[str, str], state_id: str, **settings: Any) -> None:
    """One `meltano run tap-lexful target-postgres`, the tap's ``settings`` as variables."""
    tap_env = {
        f"TAP_LEXFUL_{name.upper()}": value if isinstance(value, str) else json.dumps(value)
        for name, value in settings.items()
    }
    env = meltano_env(config, None, **warehouse.env, **tap_env)
    meltano("run", "--state-id-suffix", state_id, "tap-lexful", warehouse.loader, env=env)


def organization_ids(config: dict[str, str]) -> list[str]:
    client = client_for(config)
    try:
        return [str(o["id"]) for o in list_all(client, contract.organizations_path())]
    finally:
        client.close()


def deleted(warehouse: Warehouse, table: str) -> tuple[int, int]:
    """The table's rows, and those a loader marked deleted."""
    rows = warehouse.query(f'SELECT count(*), count(_sdc_deleted_at) FROM {SCHEMA}."{table}"')
    return int(rows[0][0]), int(rows[0][1])


def contents(warehouse: Warehouse) -> dict[str, list[str]]:
    """Every table's rows, without the loader's own columns (_sdc_*) and asset_counts' moment
    of reading (``read_at``: each run's own), in a fixed order."""
    columns = warehouse.query(
        "SELECT table_name, column_name FROM information_schema.columns "
        f"WHERE table_schema = '{SCHEMA}' AND column_name NOT LIKE '\\_sdc\\_%' "
        "AND NOT (table_name = 'asset_counts' AND column_name = 'read_at') "
        "ORDER BY table_name, column_name"
    )
    tables: dict[str, list[str]] = {}
    for table, column in columns:
        tables.setdefault(table, []).append(f'"{column}"')
    return {
        table: sorted(
            repr(row)
            for row in warehouse.query(f'SELECT {", ".join(names)} FROM {SCHEMA}."{table}"')
        )
        for table, names in tables.items()
    }


@pytest.fixture
def fresh(request: pytest.FixtureRequest) -> Warehouse:
    """A second, empty database on the test's PostgreSQL server: a fresh full sync's."""
    server = request.getfixturevalue("postgres")
    name = f"w_{uuid.uuid4().hex}"
    with psycopg.connect(server.get_uri(), autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return postgres_warehouse(server.get_uri(database=name))


def assert_as_a_fresh_sync(warehouse: Warehouse, fresh: Warehouse, config: dict[str, str]) -> None:
    run(fresh, config, uuid.uuid4().hex)
    mine, expected = contents(warehouse), contents(fresh)
    assert sorted(mine) == sorted(expected)
    for table, rows in expected.items():
        assert len(mine[table]) == len(rows), f"{table}: {len(mine[table])} rows, {len(rows)}"
        assert mine[table] == rows, f"{table}: not the rows of a fresh full sync"


@POSTGRES
def test_children_passes_split_by_organizations_delete_nothing(
    warehouse: Warehouse, demo_sandbox: Sandbox
) -> None:
    config = demo_sandbox.config
    run(warehouse, config, uuid.uuid4().hex, children="all_parents")
    links, files = deleted(warehouse, "related_assets"), deleted(warehouse, "files")
    assert links[0] > 0
    assert files[0] > 0
    assert links[1] == files[1] == 0

    # Two shards, each with its own state: every link and file stays, none marked deleted.
    everyone = organization_ids(config)
    half = len(everyone) // 2
    for shard in (everyone[:half], everyone[half:]):
        run(warehouse, config, uuid.uuid4().hex, children="all_parents", organization_ids=shard)
        assert deleted(warehouse, "related_assets") == links
        assert deleted(warehouse, "files") == files


@POSTGRES
def test_switching_the_replication_key_ends_as_a_fresh_sync(
    warehouse: Warehouse, fresh: Warehouse, own_demo_sandbox: Sandbox
) -> None:
    config, state_id = own_demo_sandbox.config, uuid.uuid4().hex
    run(warehouse, config, state_id)
    client = client_for(config)
    oldest = list_all(client, contract.organizations_path())[0]
    body = {"description": "changed after the first run"}
    client.send_json("PATCH", contract.organizations_path(oldest["id"]), body)
    client.close()

    run(warehouse, config, state_id, replication_key="updated_at")
    changed = warehouse.query(
        f"SELECT description FROM {SCHEMA}.organizations WHERE id::text = '{oldest['id']}'"
    )
    assert changed == [("changed after the first run",)]
    run(warehouse, config, state_id, replication_key="created_at")  # and back
    assert_as_a_fresh_sync(warehouse, fresh, config)


@POSTGRES
def test_adding_organizations_ends_as_a_fresh_sync(
    warehouse: Warehouse, fresh: Warehouse, demo_sandbox: Sandbox
) -> None:
    config, state_id = demo_sandbox.config, uuid.uuid4().hex
    everyone = organization_ids(config)
    run(warehouse, config, state_id, organization_ids=everyone[1::2])
    run(warehouse, config, state_id, organization_ids=everyone)
    assert_as_a_fresh_sync(warehouse, fresh, config)
