"""The API's own counts: the asset_counts stream, and the reconciliation of a full read."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

import pytest

from lexful_api import LexfulClient, contract
from lexful_sandbox.resources import assets
from tap_lexful.client import LexfulStreamError
from tests.lexful.client import client_for, create_asset, create_organizations
from tests.lexful.tap.helpers import sync, tap_config

CONTACT = "system.contact"


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and "the API counts" in r.getMessage()
    ]


def test_asset_counts_are_the_api_counts_of_what_the_asset_streams_emit(
    demo_sandbox: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    run = sync(tap_config(demo_sandbox.config, page_size=1000))
    counts = run.records("asset_counts")
    assert counts
    assert len({r["read_at"] for r in counts}) == 1
    by_type: dict[str, Counter[str]] = {}
    for record in counts:
        by_type.setdefault(record["asset_type"], Counter())[record["organization_id"]] = record[
            "count"
        ]
    assert by_type["system.contact"] == Counter(
        r["organization_id"] for r in run.records("system_contact")
    )
    assert _warnings(caplog) == []  # a full read of the demo account reconciles


def _hidden_contact(demo_sandbox: Any, client: LexfulClient) -> tuple[str, str]:
    org = create_organizations(client, 1)[0]
    contacts = [
        create_asset(client, "system.contact", org["id"], first_name=n, important=False)
        for n in ("A", "B", "C")
    ]
    demo_sandbox.store.hidden.add(contacts[1]["id"])
    return org["id"], contacts[1]["id"]


def test_a_record_the_list_loses_is_a_warning_naming_stream_org_and_numbers(
    demo_sandbox: Any,
    empty_account: dict[str, Any],
    client: LexfulClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    org, hidden = _hidden_contact(demo_sandbox, client)
    caplog.set_level(logging.WARNING)
    try:
        run = sync(tap_config(empty_account))
        assert len(run.records("system_contact")) == 2
        assert _warnings(caplog) == [
            f"Stream 'system_contact': organization {org}: emitted 2 records, "
            "the API counts 3 (GET /v1/entities/counts)"
        ]
        caplog.clear()
        sync(tap_config(empty_account), state=run.state)  # incremental: not a full read
        assert _warnings(caplog) == []
    finally:
        demo_sandbox.store.hidden.discard(hidden)


def test_reconcile_fail_ends_the_run_and_off_skips_the_check(
    demo_sandbox: Any,
    empty_account: dict[str, Any],
    client: LexfulClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    org, hidden = _hidden_contact(demo_sandbox, client)
    try:
        with pytest.raises(LexfulStreamError) as caught:
            sync(tap_config(empty_account, reconcile="fail"))
        assert str(caught.value) == (
            f"Stream 'system_contact': reconcile: organization {org}: emitted 2 records, "
            "the API counts 3"
        )
        caplog.set_level(logging.WARNING)
        sync(tap_config(empty_account, reconcile="off"))
        assert _warnings(caplog) == []
        filtered = {"system_contact": {"first_name": "A"}}  # a filtered read is not checked
        sync(tap_config(empty_account, filters=filtered))
        assert _warnings(caplog) == []
    finally:
        demo_sandbox.store.hidden.discard(hidden)


def test_a_record_deleted_during_a_full_read_is_not_counted_live(
    own_sandbox: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """The walk emits a contact live; it is deleted before the deletes pass, which emits it
    deleted: the check compares 2 live records with the API's 2, and the run passes."""
    config = own_sandbox.config
    client = client_for(config)
    org = create_organizations(client, 1)[0]
    contacts = [
        create_asset(client, "system.contact", org["id"], first_name=n, important=False)
        for n in ("A", "B", "C")
    ]
    gone = contacts[1]["id"]
    store = own_sandbox.store
    deleted: list[str] = []

    def delete_before_the_deletes_pass(method: str, path: str, query: dict[str, str]) -> None:
        # The deletes pass's first request comes after the main walk (deterministic).
        pass_starts = "deleted_at[gte]" in query and not deleted
        if method == "GET" and path.endswith(contract.assets_path(CONTACT)) and pass_starts:
            assets.delete(store, config["account_id"], "test", CONTACT, gone)
            deleted.append(gone)

    own_sandbox.add_hook(delete_before_the_deletes_pass)
    caplog.set_level(logging.WARNING)
    run = sync(tap_config(config, reconcile="fail"))
    assert deleted == [gone]
    records = run.records("system_contact")
    assert [(r["id"], bool(r.get("_sdc_deleted_at"))) for r in records] == [
        (contacts[0]["id"], False),
        (gone, False),
        (contacts[2]["id"], False),
        (gone, True),
    ]
    assert _warnings(caplog) == []
