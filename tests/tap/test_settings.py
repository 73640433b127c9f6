"""Settings that shape what is read: deleted records, organizations, filters, progress."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from connector_core.tap import runtime as tap_runtime
from lexful_api import LexfulClient, contract
from tests.lexful import create_asset, create_organizations
from tests.tap.helpers import populate, sync, tap_config


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
