"""The API's own counts: the asset_counts stream, and the reconciliation of a full read."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

import pytest

from lexful_api import LexfulClient
from tap_lexful.client import LexfulStreamError
from tests.lexful import create_asset, create_organizations
from tests.tap.helpers import sync, tap_config


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
