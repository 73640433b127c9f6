"""Settings that shape what is read: deleted records, organizations, filters, progress."""

from __future__ import annotations

import logging
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from connector_core.tap import runtime as tap_runtime
from lexful_api import LexfulClient, contract
from tests.lexful.client import create_asset, create_organizations
from tests.lexful.tap.helpers import populate, sync, tap_config


def test_include_deleted(empty_account: dict[str, Any], client: LexfulClient) -> None:
    organizations = create_organizations(client, 5)
    site = create_asset(client, "system.location", organizations[0]["id"], name="gone")
    for organization in organizations[:2]:
        client.request("DELETE", contract.organizations_path(organization["id"]))
    client.request("DELETE", contract.assets_path("system.location", site["id"]))

    hidden = sync(tap_config(empty_account))
    assert len(hidden.records("organizations")) == 3
    assert hidden.records("organizations")[0]["_sdc_deleted_at"] is None
    assert hidden.records("system_location") == []

    shown = sync(tap_config(empty_account, include_deleted=True))
    records = shown.records("organizations")
    assert len(records) == 5
    deleted = [r for r in records if r["_sdc_deleted_at"]]
    assert {r["id"] for r in deleted} == {o["id"] for o in organizations[:2]}
    assert all(r["_sdc_deleted_at"] == r["deleted_at"] for r in records)
    (gone,) = shown.records("system_location")
    assert gone["_sdc_deleted_at"]
    assert shown.records("related_assets") == []  # no links asked of a deleted asset


def test_organization_ids_limit_everything(empty_account: dict[str, Any]) -> None:
    populate(empty_account, organizations=3, assets=9)
    organizations = sync(tap_config(empty_account)).records("organizations")
    chosen = organizations[1]["id"]
    output = sync(tap_config(empty_account, organization_ids=[chosen]))
    assert [r["id"] for r in output.records("organizations")] == [chosen]
    assets = output.records("system_location") + output.records("system_contact")
    assert assets
    assert {r["organization_id"] for r in assets} == {chosen}
    contacts = {r["id"] for r in output.records("system_contact")}
    assert {link["asset_id"] for link in output.records("related_assets")} <= contacts


def test_filters_reach_the_api(empty_account: dict[str, Any]) -> None:
    populate(empty_account, organizations=2, assets=12)
    config = tap_config(empty_account, filters={"system_contact": {"important[eq]": True}})
    contacts = sync(config).records("system_contact")
    assert contacts
    assert all(r["important"] is True for r in contacts)
    everyone = sync(tap_config(empty_account)).records("system_contact")
    assert len(everyone) > len(contacts)


def test_progress_lines(
    empty_account: dict[str, Any],
    client: LexfulClient,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    create_organizations(client, 30)
    monkeypatch.setattr(tap_runtime, "PROGRESS_EVERY_S", 0.0)
    with caplog.at_level(logging.INFO):
        sync(tap_config(empty_account))
    lines = [r.getMessage() for r in caplog.records if "records/s" in r.getMessage()]
    assert any("'organizations'" in line and "of 30 records" in line for line in lines)
    assert any("ETA" in line for line in lines)


def test_start_date_leaves_organizations_and_users_whole(
    empty_account: dict[str, Any], client: LexfulClient
) -> None:
    """start_date limits the assets; the small streams they refer to come whole."""
    populate(empty_account, organizations=3, assets=6)
    full = sync(tap_config(empty_account))
    organization = full.records("organizations")[0]["id"]
    late = create_asset(client, "system.location", organization, name="late")

    output = sync(tap_config(empty_account, start_date=late["created_at"]))
    assert [r["id"] for r in output.records("system_location")] == [late["id"]]
    assert output.records("system_contact") == []
    assert {r["id"] for r in output.records("organizations")} == {
        r["id"] for r in full.records("organizations")
    }
    assert {r["id"] for r in output.records("users")} == {r["id"] for r in full.records("users")}
    assert full.records("users")
    # Its own bookmark still applies: the next run reads nothing old again.
    again = sync(tap_config(empty_account, start_date=late["created_at"]), state=output.state)
    assert again.records("organizations") == []


def test_link_filters_address_the_linked_asset(
    empty_account: dict[str, Any], client: LexfulClient
) -> None:
    """The tap's related_asset_type is the API's asset_type of a link item."""
    populate(empty_account, organizations=2, assets=6)
    contacts = sync(tap_config(empty_account)).records("system_contact")
    body = [{"asset_id": contacts[1]["id"], "description": "peer"}]
    client.send_json("PUT", contract.related_path("system.contact", contacts[0]["id"]), body)

    everything = sync(tap_config(empty_account)).records("related_assets")
    wanted = {"related_assets": {"related_asset_type[eq]": "system.location"}}
    locations = sync(tap_config(empty_account, filters=wanted)).records("related_assets")
    assert len(locations) == len(everything) - 1
    assert {r["related_asset_type"] for r in locations} == {"system.location"}
    every_parent = tap_config(empty_account, filters=wanted, children="all_parents")
    assert len(sync(every_parent).records("related_assets")) == len(locations)
    wanted = {"related_assets": {"related_asset_id": contacts[1]["id"]}}
    (peer,) = sync(tap_config(empty_account, filters=wanted)).records("related_assets")
    assert (peer["asset_id"], peer["description"]) == (contacts[0]["id"], "peer")


def test_a_null_filter_value_is_the_apis_null(
    empty_account: dict[str, Any], client: LexfulClient
) -> None:
    organization = create_organizations(client, 1)[0]["id"]
    titled = create_asset(client, "system.contact", organization, title="CEO", important=True)
    untitled = create_asset(client, "system.contact", organization, important=True)
    config = tap_config(empty_account, filters={"system_contact": {"title[eq]": None}})
    assert [r["id"] for r in sync(config).records("system_contact")] == [untitled["id"]]
    config = tap_config(empty_account, filters={"system_contact": {"title[ne]": None}})
    assert [r["id"] for r in sync(config).records("system_contact")] == [titled["id"]]


def test_version_is_the_installed_package(demo_sandbox: Any) -> None:
    done = subprocess.run(
        [str(Path(sys.executable).with_name("tap-lexful")), "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    installed = version("lexful-lightfield-connectors")
    assert done.stdout.startswith(f"tap-lexful v{installed},"), done.stdout


def test_retries_are_summed_up_per_stream(
    own_sandbox: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """An outage is one WARNING line per stream with the count; each retry is at DEBUG."""
    populate(own_sandbox.config, organizations=4, assets=12)
    own_sandbox.set_faults(error_rate=0.2)
    with caplog.at_level(logging.DEBUG):
        output = sync(tap_config(own_sandbox.config, max_tries=12))
    assert len(output.records("system_location")) == 12
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    retried = [m for m in warnings if "requests retried" in m]
    assert retried, warnings
    assert len(retried) == len(set(retried)) == len(warnings)  # one line a stream, no other
    counts = sum(int(m.split(": ")[1].split(" ")[0]) for m in retried)
    each = [r for r in caplog.records if r.levelno == logging.DEBUG and "; retry " in r.msg]
    # Some retries belong to no stream's count (the token, the discovery of the asset types).
    assert 0 < counts <= len(each)
