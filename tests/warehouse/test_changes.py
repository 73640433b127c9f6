"""Edits a data team makes in Lexful between two loads keep the warehouse loadable and true.

Through `meltano run tap-lexful target-postgres` (MeltanoLabs' loader validates every record
against the stream's schema): an asset type made stricter after its records were written,
and an organization renamed after its assets were loaded.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from lexful_api import LexfulClient, contract
from lexful_sandbox import Sandbox
from tests.e2e.pipeline import meltano, meltano_env
from tests.lexful.client import client_for, create_asset, list_all
from tests.warehouse.warehouses import SCHEMA, Warehouse

pytestmark = pytest.mark.meltano
POSTGRES = pytest.mark.parametrize("warehouse", ["postgres"], indirect=True)


def run(warehouse: Warehouse, config: dict[str, str], state_id: str, *options: str) -> str:
    env = meltano_env(config, None, **warehouse.env, TAP_LEXFUL_REPLICATION_KEY="updated_at")
    args = ["run", *options, "--state-id-suffix", state_id, "tap-lexful", warehouse.loader]
    result = meltano(*args, env=env)
    return result.stdout + result.stderr


def _type(client: LexfulClient, name: str) -> dict[str, Any]:
    types = contract.list_items(client.get_json(contract.asset_types_path()))
    return next(t for t in types if t["name"] == name)


def _set_properties(client: LexfulClient, type_def: dict[str, Any], props: list[Any]) -> None:
    client.send_json("PATCH", contract.asset_types_path(type_def["id"]), {"properties": props})


@POSTGRES
def test_a_stricter_asset_type_does_not_stop_the_load(
    warehouse: Warehouse, own_demo_sandbox: Sandbox
) -> None:
    """A property made required, and an enum value removed that a stored record holds."""
    config, state_id = own_demo_sandbox.config, uuid.uuid4().hex
    client = client_for(config)
    location = _type(client, "system.location")
    tier = {"name": "ext_tier", "type": "string", "enum": ["gold", "silver"]}
    _set_properties(client, location, [*location["properties"], tier])
    sites = list_all(client, contract.assets_path("system.location"))
    silver = sites[0]
    client.send_json(
        "PATCH", contract.assets_path("system.location", silver["id"]), {"ext_tier": "silver"}
    )
    run(warehouse, config, state_id)

    location = _type(client, "system.location")
    stricter = [
        {**p, "enum": ["gold"]} if p["name"] == "ext_tier" else p for p in location["properties"]
    ]
    stricter.append({"name": "ext_site_code", "type": "string", "required": True})
    _set_properties(client, location, stricter)
    new = create_asset(
        client, "system.location", silver["organization_id"], name="annex", ext_site_code="A1"
    )
    client.close()

    run(warehouse, config, state_id, "--full-refresh")  # every stored record again
    rows = dict(
        warehouse.query(
            f"SELECT id::text, ext_tier FROM {SCHEMA}.system_location WHERE ext_tier IS NOT NULL"
        )
    )
    assert rows == {silver["id"]: "silver"}
    (code,) = warehouse.query(
        f"SELECT ext_site_code FROM {SCHEMA}.system_location WHERE id = '{new['id']}'"
    )
    assert code == ("A1",)
    (count,) = warehouse.query(f"SELECT count(*) FROM {SCHEMA}.system_location")
    assert count == (len(sites) + 1,)


@POSTGRES
def test_an_organization_rename_reaches_every_row(
    warehouse: Warehouse, own_demo_sandbox: Sandbox
) -> None:
    """No asset row keeps an organization's old name: the name is the organizations row's."""
    config, state_id = own_demo_sandbox.config, uuid.uuid4().hex
    run(warehouse, config, state_id)
    client = client_for(config)
    sites = list_all(client, contract.assets_path("system.location"))
    organization = sites[0]["organization_id"]
    client.send_json("PATCH", contract.organizations_path(organization), {"name": "Renamed Corp"})
    client.close()

    run(warehouse, config, state_id)
    assert warehouse.query(
        f"SELECT name FROM {SCHEMA}.organizations WHERE id = '{organization}'"
    ) == [("Renamed Corp",)]
    joined = warehouse.query(
        f"SELECT count(*) FROM {SCHEMA}.system_location a JOIN {SCHEMA}.organizations o"
        f" ON o.id = a.organization_id WHERE o.name = 'Renamed Corp'"
    )
    assert joined == [(sum(1 for s in sites if s["organization_id"] == organization),)]
    # No table holds a copy of the name that could have missed the rename.
    tables = warehouse.query(
        "SELECT table_name FROM information_schema.columns"
        f" WHERE table_schema = '{SCHEMA}' AND column_name = 'organization_name'"
    )
    for (table,) in tables:
        stale = warehouse.query(
            f'SELECT count(*) FROM {SCHEMA}."{table}" a JOIN {SCHEMA}.organizations o'
            " ON o.id = a.organization_id WHERE a.organization_name IS DISTINCT FROM o.name"
        )
        assert stale == [(0,)], f"{table}: organization_name stale after the rename"


@POSTGRES
def test_a_retyped_property_does_not_stop_the_load(
    warehouse: Warehouse, own_demo_sandbox: Sandbox
) -> None:
    """A property's type changed after its records were written (integer and boolean to
    string): the stored records keep their old values, and target-postgres validates each."""
    config = own_demo_sandbox.config
    client = client_for(config)
    devices = _type(client, "network_device")
    retyped = [
        {**p, "type": "string"} if p["name"] in ("port_count", "managed") else p
        for p in devices["properties"]
    ]
    _set_properties(client, devices, retyped)
    stored = list_all(client, contract.assets_path("network_device"))
    client.close()
    counted = next(d for d in stored if isinstance(d.get("port_count"), int))

    run(warehouse, config, uuid.uuid4().hex)
    (count,) = warehouse.query(f"SELECT count(*) FROM {SCHEMA}.network_device")
    assert count == (len(stored),)
    (row,) = warehouse.query(
        f"SELECT port_count FROM {SCHEMA}.network_device WHERE id = '{counted['id']}'"
    )
    assert row == (str(counted["port_count"]),)
